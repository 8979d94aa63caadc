"""Fact-check records in the corpus store (table ``factchecks``, made by migration 0002).

Each row keeps the record's content fields and the encoder's vectors of its claim and its title
(float32 bytes), computed once at import so a match query encodes only the query. Importing is
idempotent (the id is the content hash) and batch-wise: one batch is one transaction, so an
interrupted import loses at most the batch in flight and the next run adds only what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from narrascope.encoder import DIM, ENCODER_ID, Vectors
from narrascope.factchecks.records import CONTENT_FIELDS, FactCheck
from narrascope.store.store import Store, StoreError, _reason

if TYPE_CHECKING:
    from narrascope.encoder import Encoder

__all__ = ["FactCheckStore", "Loaded", "factchecks"]

factchecks = Table(
    "factchecks",
    MetaData(),
    Column("id", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("claim", Text, nullable=False),
    Column("title", Text),
    Column("url", Text),
    Column("rating", Text),
    Column("claimant", Text),
    Column("published", String(32)),
    Column("publisher", Text),
    Column("language", String(16)),
    Column("source_id", Text),
    Column("origin", String(16), nullable=False),
    Column("encoder", String(64), nullable=False),
    Column("claim_vector", LargeBinary, nullable=False),
    Column("title_vector", LargeBinary, nullable=False),
    Column("added", DateTime(timezone=True), nullable=False),
)

Loaded = tuple[list[FactCheck], Vectors, Vectors]
"""Records with the vectors of their claims and of their titles (row i belongs to record i)."""


def _blob(vector: Vectors) -> bytes:
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


class FactCheckStore:
    """The fact-check records of one :class:`~narrascope.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    def add(
        self,
        records: Iterable[FactCheck],
        encoder: Encoder | None = None,
        batch_size: int = 512,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Store the records not stored yet, with their vectors; returns how many were added.
        *progress* is called with the number of records handled after each batch."""
        unique = list({record.id: record for record in records}.values())
        added = 0
        for start in range(0, len(unique), batch_size):
            batch = unique[start : start + batch_size]
            added += self._add_batch(batch, encoder)
            if progress:
                progress(len(batch))
        return added

    def _add_batch(self, batch: Sequence[FactCheck], encoder: Encoder | None) -> int:
        known = self.known([r.id for r in batch])
        new = [r for r in batch if r.id not in known]
        if not new:
            return 0
        if encoder is None:
            from narrascope.encoder import load_encoder

            encoder = load_encoder()
        claims = encoder.encode([r.claim for r in new])
        titled = [i for i, r in enumerate(new) if r.title]
        titles = claims.copy()
        if titled:
            titles[titled] = encoder.encode([new[i].title or "" for i in titled])
        now = dt.datetime.now(dt.UTC)
        try:
            with self.engine.begin() as connection:
                first = int(connection.scalar(select(func.max(factchecks.c.position))) or 0) + 1
                rows = [
                    {
                        **record.content(),
                        "id": record.id,
                        "position": first + i,
                        "origin": record.origin,
                        "encoder": ENCODER_ID,
                        "claim_vector": _blob(claims[i]),
                        "title_vector": _blob(titles[i]),
                        "added": now,
                    }
                    for i, record in enumerate(new)
                ]
                connection.execute(insert(factchecks), rows)
        except SQLAlchemyError as error:
            raise StoreError(f"cannot store {len(new)} fact-check records: {_reason(error)}") from error
        return len(new)

    def known(self, ids: Sequence[str]) -> set[str]:
        """Which of *ids* are stored already."""
        found: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(ids), 500):
                chunk = list(ids[start : start + 500])
                found |= set(connection.scalars(select(factchecks.c.id).where(factchecks.c.id.in_(chunk))))
        return found

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(factchecks)) or 0)

    def records(self) -> list[FactCheck]:
        """Every stored record, in import order."""
        return self.load(vectors=False)[0]

    def load(self, vectors: bool = True) -> Loaded:
        """Every stored record (import order) and, unless *vectors* is false, its two vectors.
        Records stored by another encoder are an error: their vectors would not compare."""
        c = factchecks.c
        columns = [*(getattr(c, name) for name in CONTENT_FIELDS), c.origin, c.encoder]
        if vectors:
            columns += [c.claim_vector, c.title_vector]
        with self.engine.connect() as connection:
            rows = connection.execute(select(*columns).order_by(c.position, c.id)).all()
        records = [
            FactCheck(origin=row.origin, **{name: getattr(row, name) for name in CONTENT_FIELDS}) for row in rows
        ]
        if not vectors:
            empty = np.zeros((0, DIM), dtype=np.float32)
            return records, empty, empty
        foreign = {row.encoder for row in rows} - {ENCODER_ID}
        if foreign:
            raise StoreError(f"fact-check vectors made by {', '.join(sorted(foreign))}, not {ENCODER_ID}; re-import")
        claims = np.frombuffer(b"".join(row.claim_vector for row in rows), dtype="<f4").reshape(-1, DIM)
        titles = np.frombuffer(b"".join(row.title_vector for row in rows), dtype="<f4").reshape(-1, DIM)
        return records, claims.astype(np.float32), titles.astype(np.float32)
