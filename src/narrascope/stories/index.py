"""Stories in the store: each new document joins the story it retells, or opens one, as it is stored.

A document's story is decided by the matching ladder (:class:`~narrascope.matching.Clusters`):
its whole text against earlier texts for exact and near copies, and its title and lead (what a
story is about; the body drifts into context and reactions) against earlier ones for paraphrases.
The assignment is written in the same transaction as the document, with its evidence and the
vector it was made with, so a crash loses both or neither, and the next run rebuilds the clusters
from the store exactly as they were (vectors are kept at half precision, and assignments are made
with the same rounded vectors) and continues the numbering: story ids never change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    insert,
    select,
)

from narrascope.encoder import DIM, ENCODER_ID, encoder_for
from narrascope.matching.clusters import CALIBRATION, Clusters
from narrascope.matching.paraphrases import half
from narrascope.model import Analysis, Document
from narrascope.store import schema
from narrascope.store.store import Store, StoreError
from narrascope.stories.levels import PREFIXES, STORY

if TYPE_CHECKING:
    from narrascope.encoder import SentenceEncoder

__all__ = [
    "LEVEL",
    "PREFIX",
    "InStep",
    "Replay",
    "StoryIndex",
    "clusters",
    "clusters_for",
    "half",
    "members",
    "merges",
    "stored_encoder",
    "story_text",
]

LEVEL = STORY
PREFIX = PREFIXES[STORY]
LEAD_WORDS = 60

_metadata = MetaData()
clusters = Table(
    "clusters",
    _metadata,
    Column("id", String(32), primary_key=True),
    Column("level", String(16), nullable=False),
    Column("opened_by", String(96), nullable=False),
    Column("added", DateTime(timezone=True), nullable=False),
    Column("merged_into", String(32)),
)
members = Table(
    "cluster_members",
    _metadata,
    Column("level", String(16), primary_key=True),
    Column("item", String(96), primary_key=True),
    Column("cluster", String(32), ForeignKey("clusters.id"), nullable=False),
    Column("document_id", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Column("match", String(96)),
    Column("rung", String(16)),
    Column("similarity", Float),
    Column("centroid", Float),
    Column("encoder", String(64), nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("assigned", String(32)),
)
merges = Table(
    "cluster_merges",
    _metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("level", String(16), nullable=False),
    Column("absorbed", String(32), ForeignKey("clusters.id"), nullable=False),
    Column("kept", String(32), ForeignKey("clusters.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("linkage", Float, nullable=False),
    Column("cosine", Float, nullable=False),
    Column("member", String(96), nullable=False),
    Column("matched", String(96), nullable=False),
    Column("similarity", Float, nullable=False),
    Column("merged", DateTime(timezone=True), nullable=False),
)


class Replay:
    """A level's stored merges, made again at the points of the replay where they were made."""

    def __init__(self, connection: Any, level: str, done: int = 0) -> None:
        """*done*: how many of them (the first, in the order they were made) were made already."""
        g = merges.c
        query = select(g.position, g.absorbed, g.kept).where(g.level == level).order_by(g.seq).offset(done)
        self._pending = [(int(r.position), r.absorbed, r.kept) for r in connection.execute(query)][::-1]

    def upto(self, found: Clusters, position: int | None = None) -> None:
        """Make the merges recorded before *position* assignments (all of them when None)."""
        while self._pending and (position is None or self._pending[-1][0] <= position):
            _, absorbed, kept = self._pending.pop()
            found.merge(absorbed, kept)


def story_text(document: Document, words: int = LEAD_WORDS) -> str:
    """The title and the first *words* words: what the paraphrase rung compares."""
    lead = " ".join(document.text.split()[:words])
    return f"{document.title}. {lead}" if document.title else lead


def stored_encoder(store: Store) -> str | None:
    """The encoder the store's clusters were made with (None when it has none yet); a store whose
    rows name two encoders is damaged."""
    with store.engine.connect() as connection:
        found = list(connection.scalars(select(members.c.encoder).distinct().limit(2)))
    if len(found) > 1:
        raise StoreError(f"the store's clusters were made with two encoders ({', '.join(sorted(found))})")
    return found[0] if found else None


def clusters_for(encoder_id: str, prefix: str) -> Clusters:
    """Empty clusters at the thresholds of *encoder_id*'s vectors."""
    if encoder_id not in CALIBRATION:
        raise StoreError(f"no thresholds for the encoder {encoder_id!r}")
    calibration = CALIBRATION[encoder_id]
    return Clusters(prefix=prefix, threshold=calibration.paraphrase, centroid_threshold=calibration.centroid)


class InStep:
    """What the story and the claim index share: the encoder they place texts with, and the guard
    that keeps them in step with the store (rows are written inside the batch's transaction; when
    it fails, what the index placed is not in the store and the index refuses further batches)."""

    what = "index"

    def __init__(self, encoder_id: str) -> None:
        self.encoder_id = encoder_id
        self._broken = False

    @property
    def encoder(self) -> SentenceEncoder:
        return encoder_for(self.encoder_id)

    def _guard(self) -> None:
        if self._broken:
            raise StoreError(f"the {self.what} is out of step with the store after a failed batch; open it again")

    def _write(self, connection: Any, opened: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
        """Insert the clusters the batch opened and its assignments; the index is in step again."""
        if opened:
            connection.execute(insert(clusters), opened)
        connection.execute(insert(members), rows)
        self._broken = False

    @property
    def broken(self) -> bool:
        """A batch failed after this index placed its texts: open the index again."""
        return self._broken

    def mark_failed(self) -> None:
        """The batch's transaction did not commit: refuse further batches (their ids would be wrong)."""
        self._broken = True


class StoryIndex(InStep):
    """The story clusters of one store, in memory, kept in step with the store batch by batch."""

    what = "story index"

    def __init__(self, found: Clusters, position: int, encoder_id: str = ENCODER_ID) -> None:
        super().__init__(encoder_id)
        self.clusters = found
        self.position = position

    @classmethod
    def load(cls, store: Store, encoder_id: str = ENCODER_ID) -> StoryIndex:
        """The store's stories as they were stored (replayed in assignment order), placing new
        documents with *encoder_id*'s vectors (the one the store's rows name, see ``Hierarchy``)."""
        index = cls(clusters_for(encoder_id, PREFIX), 0, encoder_id)
        index.catch_up(store)
        return index

    def catch_up(self, store: Store) -> None:
        """Replay what was stored after this index's last assignment: the assignments past its
        position and the merges it has not made (both are only ever appended), each merge at the
        point it was made."""
        found = self.clusters
        m, d = members.c, schema.documents.c
        query = (
            select(m.item, m.cluster, m.assigned, m.rung, m.encoder, m.vector, d.text)
            .join(schema.documents, d.id == m.document_id)
            .where(m.level == LEVEL, m.position >= self.position)
            .order_by(m.position)
        )
        with store.engine.connect() as connection:
            replay = Replay(connection, LEVEL, done=len(found.merged))
            for row in connection.execute(query):
                if row.encoder != self.encoder_id:
                    raise StoreError(
                        f"the store's stories were made with the encoder {row.encoder}, not {self.encoder_id}"
                    )
                vector = np.frombuffer(row.vector, dtype="<f2").astype(np.float32)
                replay.upto(found, self.position)
                found.restore(row.item, row.text, vector.reshape(DIM), row.assigned or row.cluster, row.rung)
                self.position += 1
            replay.upto(found)

    def assign(self, connection: Any, new: Sequence[Analysis], added: dt.datetime) -> None:
        """Place the batch's new documents and write their rows (called inside the store's
        transaction by :meth:`Store.add`; if that transaction fails, this index is stale)."""
        self._guard()
        if not new:
            return
        self._broken = True  # until the rows are written
        vectors = half(self.encoder.encode([story_text(a.document) for a in new]))
        opened: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        items = [a.document.id for a in new]
        placements = self.clusters.add_many(items, [a.document.text for a in new], vectors)
        for item, placed, vector in zip(items, placements, vectors, strict=True):
            if placed.opened:
                opened.append({"id": placed.cluster, "level": LEVEL, "opened_by": item, "added": added})
            rows.append(
                {
                    "level": LEVEL,
                    "item": item,
                    "cluster": placed.cluster,
                    "document_id": item,
                    "position": self.position,
                    "match": placed.match,
                    "rung": placed.rung,
                    "similarity": placed.similarity,
                    "centroid": placed.centroid,
                    "encoder": self.encoder_id,
                    "vector": np.asarray(vector, dtype="<f2").tobytes(),
                }
            )
            self.position += 1
        self._write(connection, opened, rows)
