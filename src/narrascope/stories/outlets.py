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

from dataclasses import dataclass, field

from sqlalchemy import select

from narrascope.coordination.actions import Actions, from_records
from narrascope.coordination.detect import CoordinationResult, Settings, detect
from narrascope.coordination.timeparse import parse_time
from narrascope.store import schema
from narrascope.store.store import Store
from narrascope.stories.claims import CLAIM
from narrascope.stories.index import LEVEL, members
from narrascope.stories.listing import LEVELS

__all__ = ["StoryActions", "copy_sources", "story_actions", "story_coordination"]

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
    return detect(found.actions, settings, copy_of=found.copy_of), found.left_out
