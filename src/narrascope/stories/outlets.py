"""The store's clusters as a behaviour table for the coordination detector: outlets (actors)
publishing in the same cluster (objects: claims by default, or stories or narratives) at their
publication times, one action per document and cluster (a document making one claim twice acts
once).

Documents without an outlet or a publication time cannot be placed and are counted, not guessed;
a date without a time of day is left out too when the window is shorter than a day (every such
document would sit at midnight and seem to co-occur with the day's others). Each document's copy
source, found by following its exact and near-duplicate matches back to the first text, tells
wire syndication (two outlets running one agency's copy) apart from synchrony, at every level.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from narrascope.coordination.actions import Actions, from_records
from narrascope.coordination.detect import CoAction, CoordinationResult, Settings, detect
from narrascope.coordination.timeparse import parse_time
from narrascope.store import schema
from narrascope.store.store import Store
from narrascope.stories.claims import CLAIM, claim_row
from narrascope.stories.index import LEVEL, members
from narrascope.stories.listing import LEVELS

__all__ = ["StoryActions", "copy_sources", "story_actions", "story_coordination", "with_members"]

COPY_RUNGS = ("exact", "near-duplicate")
DAY = 86400.0


@dataclass(frozen=True)
class StoryActions:
    actions: Actions
    copy_of: dict[str, str]
    """Document id → the first text of its chain of exact and near-duplicate copies."""
    left_out: dict[str, int] = field(default_factory=dict)
    """Why members were not placed, and how many: no outlet, no date, date without time."""


def copy_sources(store: Store) -> dict[str, str]:
    """Document id → the first text of its chain of exact and near-duplicate copies (story rungs)."""
    m = members.c
    query = select(m.document_id, m.match, m.rung).where(m.level == LEVEL).order_by(m.position)
    copy_of: dict[str, str] = {}
    with store.engine.connect() as connection:
        for row in connection.execute(query):
            source = copy_of.get(row.match, row.match) if row.rung in COPY_RUNGS and row.match else row.document_id
            copy_of[row.document_id] = source
    return copy_of


def story_actions(store: Store, window: float, level: str = CLAIM) -> StoryActions:
    """Every document that has an outlet and a publication time, once per cluster of *level* it
    has members in, as one action."""
    if level not in LEVELS:
        raise ValueError(f"no cluster level {level!r}; the levels are {', '.join(LEVELS)}")
    m, d = members.c, schema.documents.c
    query = (
        select(m.document_id, m.cluster, d.outlet, d.published)
        .join(schema.documents, d.id == m.document_id)
        .where(m.level == level)
        .order_by(m.position)
    )
    actors: list[str] = []
    objects: list[str] = []
    times: list[float] = []
    ids: list[str] = []
    seen: set[tuple[str, str]] = set()
    left_out = {"no outlet": 0, "no publication date": 0, "date without time of day": 0}
    with store.engine.connect() as connection:
        for row in connection.execute(query):
            if (row.document_id, row.cluster) in seen:
                continue
            seen.add((row.document_id, row.cluster))
            if not row.outlet:
                left_out["no outlet"] += 1
            elif not row.published:
                left_out["no publication date"] += 1
            elif len(row.published) <= 10 and window < DAY:
                left_out["date without time of day"] += 1
            else:
                try:
                    when = parse_time(row.published)
                except ValueError:
                    left_out["no publication date"] += 1
                    continue
                actors.append(row.outlet)
                objects.append(row.cluster)
                times.append(when)
                ids.append(row.document_id)
    where = f"{level} clusters in {store.engine.url.render_as_string()}"
    actions = from_records(actors, objects, times, ids, source=where)
    return StoryActions(actions, copy_sources(store), {k: v for k, v in left_out.items() if v})


def story_coordination(
    store: Store, settings: Settings, level: str = CLAIM
) -> tuple[CoordinationResult | None, dict[str, int]]:
    """The detector over the store's clusters of *level* with wire copies told apart, and the
    documents left out by reason; None when no member has an outlet and a publication time."""
    found = story_actions(store, settings.window, level)
    if len(found.actions) == 0:
        return None, found.left_out
    result = detect(found.actions, settings, copy_of=found.copy_of)
    return with_members(store, result, level), found.left_out


def with_members(store: Store, result: CoordinationResult, level: str) -> CoordinationResult:
    """*result* with each co-action's evidence from the store: on both sides, the document's
    members of that cluster (a claim's sentence and characters, or a story document's title) and
    how each joined it (rung, similarity, what it matched, cosine to the centroid)."""
    wanted = {(a, c.object) for e in result.edges for c in e.co_actions for a in (c.action_u, c.action_v)}
    if not wanted:
        return result
    m, d, k = members.c, schema.documents.c, schema.claims.c
    shown: list[Any] = [m.item, m.document_id, m.cluster, m.rung, m.similarity, m.match, m.centroid, d.title]
    query = select(*shown).join(schema.documents, d.id == m.document_id)
    if level != LEVEL:
        query = query.add_columns(k.start, k.end, k.text).join(schema.claims, claim_row(m, d))
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    names = sorted({cluster for _, cluster in wanted})
    with store.engine.connect() as connection:
        for first in range(0, len(names), 500):
            chunk = query.where(m.level == level, m.cluster.in_(names[first : first + 500])).order_by(m.position)
            for row in connection.execute(chunk):
                if (row.document_id, row.cluster) not in wanted:
                    continue
                item: dict[str, Any] = {"item": row.item, "title": row.title}
                if level != LEVEL:
                    item |= {"start": row.start, "end": row.end, "text": row.text}
                item |= {"rung": row.rung, "similarity": row.similarity, "match": row.match, "centroid": row.centroid}
                found.setdefault((row.document_id, row.cluster), []).append(item)

    def sides(c: CoAction) -> CoAction:
        u, v = found.get((c.action_u, c.object), []), found.get((c.action_v, c.object), [])
        return replace(c, evidence_u=u, evidence_v=v)

    edges = [replace(e, co_actions=[sides(c) for c in e.co_actions]) for e in result.edges]
    return replace(result, edges=edges)
