"""What a reader asks of a cluster (a story, a claim or a narrative): how big, since when, who
published first, who else, in which languages, and what it says (the member closest to the
cluster's mean vector). A story's members are documents; a claim's and a narrative's are the
claims of documents, so their ``lead`` is the claim's sentence and their size counts claims."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Select, func, select

from narrascope.encoder import DIM
from narrascope.store import schema
from narrascope.store.store import Store
from narrascope.stories.claims import claim_row
from narrascope.stories.index import LEVEL, clusters, members, merges
from narrascope.stories.levels import CLAIM, LEVELS, NARRATIVE

__all__ = [
    "LEVELS",
    "Member",
    "StorySummary",
    "cluster_level",
    "list_stories",
    "merged_into_it",
    "resolve",
    "story_members",
    "summarise",
]


@dataclass(frozen=True)
class Member:
    item: str
    """What was clustered: a document id (stories), ``<document id>:<claim id>`` (claims, narratives)."""
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
    """How the members joined: exact, near-duplicate, paraphrase (the opener has none); for a
    narrative, ``claim`` (through a claim cluster)."""
    level: str = LEVEL
    documents: int = 0
    """Distinct documents (a story's size; a claim or a narrative can hold several claims of one)."""
    merged: list[str] = field(default_factory=list)
    """Clusters re-clustering folded into this one (their ids lead here)."""


def cluster_level(store: Store, cluster: str) -> str | None:
    """The level of a stored cluster id (story, claim or narrative), None when there is none."""
    with store.engine.connect() as connection:
        level = connection.scalar(select(clusters.c.level).where(clusters.c.id == cluster))
    return str(level) if level is not None else None


def resolve(store: Store, cluster: str) -> str:
    """The live cluster *cluster* is now: itself, unless re-clustering merged it into another."""
    with store.engine.connect() as connection:
        kept = connection.scalar(select(clusters.c.merged_into).where(clusters.c.id == cluster))
    return str(kept) if kept else cluster


def merged_into_it(store: Store, cluster: str) -> list[str]:
    """The clusters merged into *cluster* (directly or through one merged into it), in the order
    they were merged."""
    g, c = merges.c, clusters.c
    query = select(g.absorbed).join(clusters, c.id == g.absorbed).where(c.merged_into == cluster).order_by(g.seq)
    with store.engine.connect() as connection:
        return [str(x) for x in connection.scalars(query)]


def _member_rows(level: str) -> Select[Any]:
    """Members of one level with their document, the text they were clustered by and their
    vector (a narrative member's is on its claim row)."""
    m, d, c = members.c, schema.documents.c, schema.claims.c
    vector: Any = m.vector
    if level == LEVEL:
        lead: Any = func.substr(d.text, 1, 300)
    else:
        lead = select(c.text).where(claim_row(m, d)).scalar_subquery()
    if level == NARRATIVE:
        claim = members.alias("claim_row")
        vector = select(claim.c.vector).where(claim.c.level == CLAIM, claim.c.item == m.item).scalar_subquery()
    return (
        select(m.item, m.document_id, d.outlet, d.published, d.language, d.title, lead.label("lead"))
        .add_columns(m.match, m.rung, m.similarity, m.centroid, vector.label("vector"))
        .join(schema.documents, d.id == m.document_id)
        .where(m.level == level)
    )


def story_members(store: Store, cluster: str) -> tuple[list[Member], np.ndarray]:
    """The members of one cluster of any level (earliest published first, undated last) and
    their vectors; nothing when there is no such cluster. A merged cluster's are those of the
    cluster it went into."""
    level = cluster_level(store, cluster)
    cluster = resolve(store, cluster)
    if level is None:
        return [], np.zeros((0, DIM), dtype=np.float32)
    query = _member_rows(level).where(members.c.cluster == cluster).order_by(members.c.position)
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    found = [
        Member(
            r.item,
            r.document_id,
            r.outlet,
            r.published,
            r.language,
            r.title,
            r.lead or "",
            r.match,
            r.rung,
            r.similarity,
            r.centroid,
        )
        for r in rows
    ]
    if not rows:
        return [], np.zeros((0, DIM), dtype=np.float32)
    vectors = np.array([np.frombuffer(r.vector, dtype="<f2") for r in rows], dtype=np.float32)
    order = sorted(range(len(found)), key=lambda i: (found[i].published is None, found[i].published or ""))
    return [found[i] for i in order], vectors[order]


def summarise(
    cluster: str, found: list[Member], vectors: np.ndarray, level: str = LEVEL, merged: list[str] | None = None
) -> StorySummary:
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
        representative=(medoid.title if level == LEVEL else None) or " ".join(medoid.lead.split()[:40]),
        representative_document=medoid.document_id,
        rungs=dict(Counter(x.rung for x in found if x.rung)),
        level=level,
        documents=len({x.document_id for x in found}),
        merged=list(merged or []),
    )


def list_stories(store: Store, limit: int = 20, min_size: int = 2, level: str = LEVEL) -> list[StorySummary]:
    """The largest clusters of *level* (at least *min_size* members), largest first, ties by id."""
    if level not in LEVELS:
        raise ValueError(f"no cluster level {level!r}; the levels are {', '.join(LEVELS)}")
    m = members.c
    query = (
        select(m.cluster, func.count().label("size"))
        .where(m.level == level)
        .group_by(m.cluster)
        .having(func.count() >= min_size)
        .order_by(func.count().desc(), m.cluster)
        .limit(limit)
    )
    with store.engine.connect() as connection:
        top = [row.cluster for row in connection.execute(query)]
    return [
        summarise(cluster, *story_members(store, cluster), level=level, merged=merged_into_it(store, cluster))
        for cluster in top
    ]
