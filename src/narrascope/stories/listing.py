"""What a reader asks of a story cluster: how big, since when, who published first, who else,
in which languages, and what it says (the member closest to the cluster's mean vector)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select

from narrascope.encoder import DIM
from narrascope.store import schema
from narrascope.store.store import Store
from narrascope.stories.index import LEVEL, members

__all__ = ["Member", "StorySummary", "list_stories", "story_members", "summarise"]


@dataclass(frozen=True)
class Member:
    document_id: str
    outlet: str | None
    published: str | None
    language: str | None
    title: str | None
    lead: str
    match: str | None
    rung: str | None
    similarity: float | None
    centroid: float | None


@dataclass(frozen=True)
class StorySummary:
    id: str
    size: int
    outlets: list[tuple[str, int]]
    """Outlets by how many of the story's documents they published."""
    languages: list[str]
    first_seen: str | None
    last_seen: str | None
    first_publisher: str | None
    first_document: str
    representative: str
    representative_document: str
    rungs: dict[str, int]
    """How the members joined: exact, near-duplicate, paraphrase (the opener has none)."""


def story_members(store: Store, cluster: str) -> tuple[list[Member], np.ndarray]:
    """The members of one cluster (earliest published first, undated last) and their vectors."""
    m, d = members.c, schema.documents.c
    query = (
        select(m.document_id, d.outlet, d.published, d.language, d.title, func.substr(d.text, 1, 300).label("lead"))
        .add_columns(m.match, m.rung, m.similarity, m.centroid, m.vector)
        .join(schema.documents, d.id == m.document_id)
        .where(m.cluster == cluster, m.level == LEVEL)
        .order_by(m.position)
    )
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    found = [
        Member(
            r.document_id, r.outlet, r.published, r.language, r.title, r.lead, r.match, r.rung, r.similarity, r.centroid
        )
        for r in rows
    ]
    if not rows:
        return [], np.zeros((0, DIM), dtype=np.float32)
    vectors = np.array([np.frombuffer(r.vector, dtype="<f2") for r in rows], dtype=np.float32)
    order = sorted(range(len(found)), key=lambda i: (found[i].published is None, found[i].published or ""))
    return [found[i] for i in order], vectors[order]


def summarise(cluster: str, found: list[Member], vectors: np.ndarray) -> StorySummary:
    """What a reader asks of one cluster, from its members and their vectors."""
    centre = vectors.mean(axis=0)
    medoid = found[int(np.argmax(vectors @ centre))]
    dated = [x for x in found if x.published]
    first = dated[0] if dated else found[0]
    outlets = Counter(x.outlet for x in found if x.outlet)
    return StorySummary(
        id=cluster,
        size=len(found),
        outlets=sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0])),
        languages=sorted({x.language for x in found if x.language}),
        first_seen=dated[0].published if dated else None,
        last_seen=dated[-1].published if dated else None,
        first_publisher=first.outlet,
        first_document=first.document_id,
        representative=medoid.title or " ".join(medoid.lead.split()[:40]),
        representative_document=medoid.document_id,
        rungs=dict(Counter(x.rung for x in found if x.rung)),
    )


def list_stories(store: Store, limit: int = 20, min_size: int = 2) -> list[StorySummary]:
    """The largest stories (at least *min_size* documents), largest first, ties by id."""
    m = members.c
    query = (
        select(m.cluster, func.count().label("size"))
        .where(m.level == LEVEL)
        .group_by(m.cluster)
        .having(func.count() >= min_size)
        .order_by(func.count().desc(), m.cluster)
        .limit(limit)
    )
    with store.engine.connect() as connection:
        top = [row.cluster for row in connection.execute(query)]
    return [summarise(cluster, *story_members(store, cluster)) for cluster in top]
