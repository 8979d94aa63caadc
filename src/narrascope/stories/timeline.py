"""A cluster's daily counts (documents, for stories, claims and narratives alike) and its bursts.

Bursts are Kleinberg's (2003) two-state automaton over batched arrivals: each day the story has r
of the d documents the store holds for that day; the base state expects the story's overall
share p, the burst state ``SCALE`` × p, and entering a burst costs ``GAMMA`` · ln(days). The
cheapest state sequence (Viterbi) marks the burst days; a burst's weight is how much cheaper the
burst state made its days, so a longer, denser burst weighs more. Comparing with the store's own
daily volume keeps a busy news day from passing for a burst of one story.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from narrascope.store import schema
from narrascope.store.store import Store
from narrascope.stories.listing import Member, resolve, story_members

__all__ = ["GAMMA", "SCALE", "Burst", "Timeline", "bursts", "timeline", "timeline_of"]

SCALE = 2.0
GAMMA = 1.0


@dataclass(frozen=True)
class Burst:
    start: str
    end: str
    """Inclusive ISO dates."""
    documents: int
    weight: float


@dataclass(frozen=True)
class Timeline:
    cluster: str
    days: list[str]
    counts: list[int]
    """The cluster's documents per day, every day from its first to its last (a document that
    makes a claim twice counts once)."""
    totals: list[int]
    """All stored documents per day (the baseline of the burst test)."""
    bursts: list[Burst]
    undated: int
    """Members without a publication date (not on the timeline)."""


def _cost(r: int, d: int, p: float) -> float:
    """−ln of the binomial probability of r of d at rate p."""
    if d == 0:
        return 0.0
    log_choose = math.lgamma(d + 1) - math.lgamma(r + 1) - math.lgamma(d - r + 1)
    return -(log_choose + r * math.log(p) + (d - r) * math.log1p(-p))


def bursts(
    counts: list[int], totals: list[int], scale: float = SCALE, gamma: float = GAMMA
) -> list[tuple[int, int, float]]:
    """(first day, last day, weight) of each burst, by index into *counts*."""
    r_all, d_all = sum(counts), sum(totals)
    if not counts or r_all == 0 or d_all == 0 or r_all >= d_all:
        return []
    p = (r_all / d_all, min(scale * r_all / d_all, 0.9999))
    enter = gamma * math.log(len(counts)) if len(counts) > 1 else gamma
    cost = [0.0, enter]
    back: list[tuple[int, int]] = []
    for r, d in zip(counts, totals, strict=True):
        own = (_cost(r, d, p[0]), _cost(r, d, p[1]))
        from_base = (cost[0], cost[0] + enter)  # into state 0 / 1 from state 0
        from_burst = (cost[1], cost[1])  # leaving a burst costs nothing
        step, new = [], []
        for state in (0, 1):
            best = 0 if from_base[state] <= from_burst[state] else 1
            step.append(best)
            new.append(min(from_base[state], from_burst[state]) + own[state])
        back.append((step[0], step[1]))
        cost = new
    state = 0 if cost[0] <= cost[1] else 1
    states = []
    for k in range(len(counts) - 1, -1, -1):
        states.append(state)
        state = back[k][state]
    states.reverse()
    out: list[tuple[int, int, float]] = []
    k = 0
    while k < len(states):
        if states[k] == 1:
            start = k
            while k + 1 < len(states) and states[k + 1] == 1:
                k += 1
            weight = sum(
                _cost(counts[i], totals[i], p[0]) - _cost(counts[i], totals[i], p[1]) for i in range(start, k + 1)
            )
            out.append((start, k, round(weight, 3)))
        k += 1
    return out


def _day(published: str | None) -> dt.date | None:
    if not published:
        return None
    try:
        return dt.date.fromisoformat(published[:10])
    except ValueError:
        return None


def timeline(store: Store, cluster: str) -> Timeline | None:
    """The daily counts and bursts of one cluster (any level; a merged one's are those of the
    cluster it went into), or None when it does not exist."""
    cluster = resolve(store, cluster)
    found, _ = story_members(store, cluster)
    return timeline_of(store, cluster, found) if found else None


def timeline_of(store: Store, cluster: str, found: list[Member]) -> Timeline:
    """The timeline of a cluster whose members (``story_members``) are already read."""
    documents = {x.document_id: x.published for x in found}
    days = [_day(published) for published in documents.values()]
    dated = [d for d in days if d is not None]
    if not dated:
        return Timeline(cluster, [], [], [], [], len(documents))
    first, last = min(dated), max(dated)
    span = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    per_day = Counter(dated)
    d = schema.documents.c
    day = func.substr(d.published, 1, 10)
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(day.label("day"), func.count().label("n"))
            .where(day >= first.isoformat(), day <= last.isoformat())
            .group_by(day)
        ).all()
    totals = Counter({row.day: int(row.n) for row in rows})
    counts = [per_day[x] for x in span]
    total = [max(totals[x.isoformat()], per_day[x]) for x in span]
    found_bursts = [
        Burst(span[a].isoformat(), span[b].isoformat(), sum(counts[a : b + 1]), w) for a, b, w in bursts(counts, total)
    ]
    return Timeline(cluster, [x.isoformat() for x in span], counts, total, found_bursts, len(documents) - len(dated))
