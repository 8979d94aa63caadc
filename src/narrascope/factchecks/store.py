"""Fact-check records in the corpus store (table ``factchecks``, made by migration 0002).

Each row keeps the record's content fields and the encoder's vectors of its claim and its title
(float32 bytes), and ``factcheck_vectors`` the claim-matching encoder's (:mod:`.matching_encoder`),
all computed once at import so a match query encodes only the query. Importing is
idempotent (the id is the content hash) and batch-wise: one batch is one transaction, so an
interrupted import loses at most the batch in flight and the next run adds only what is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from narrascope.encoder import DIM, ENCODER_ID, Vectors
from narrascope.factchecks.records import CONTENT_FIELDS, FactCheck
from narrascope.store.store import Store, StoreError, _reason

if TYPE_CHECKING:
    from narrascope.encoder import Encoder, SentenceEncoder

__all__ = ["FactCheckStore", "Loaded", "embed_missing", "factchecks", "other_vectors", "stored_vectors"]

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

other_vectors = Table(
    "factcheck_vectors",
    factchecks.metadata,
    Column("record_id", String(32), ForeignKey(factchecks.c.id, ondelete="CASCADE"), primary_key=True),
    Column("encoder", String(64), primary_key=True),
    Column("vector", LargeBinary, nullable=False),
)
"""A record's vector by an encoder other than the shared one (migration 0006): multilingual-e5
for the cross-lingual rung, the claim-matching encoder for the English one."""

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
        from narrascope.factchecks.matching_encoder import load_matching_encoder, record_texts

        matching = load_matching_encoder()
        tuned = matching.encode([t for r in new for t in record_texts(r.claim, r.title)]).reshape(len(new), -1)
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
                connection.execute(
                    insert(other_vectors),
                    [
                        {"record_id": record.id, "encoder": matching.version, "vector": _blob(tuned[i])}
                        for i, record in enumerate(new)
                    ],
                )
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


def embed_missing(
    store: Store,
    encoder_id: str,
    load: Callable[[], SentenceEncoder],
    texts: Callable[[str, str | None], Sequence[str]],
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Give every stored record without a vector by *encoder_id* one (import order, a
    transaction per batch): the vectors of its ``texts(claim, title)`` laid end to end, by the
    encoder *load* returns (called only when there is something to embed). Returns how many."""
    f, v = factchecks.c, other_vectors.c
    has = and_(v.record_id == f.id, v.encoder == encoder_id)
    missing = select(f.id, f.claim, f.title).where(~select(v.record_id).where(has).exists()).order_by(f.position)
    with store.engine.connect() as connection:
        todo = connection.execute(missing).all()
    encoder = load() if todo else None
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        per_record = [list(texts(row.claim, row.title)) for row in batch]
        if len({len(record) for record in per_record}) != 1:
            raise ValueError("texts() must give every record the same number of texts")
        assert encoder is not None
        found = encoder.encode([text for record in per_record for text in record]).reshape(len(batch), -1)
        rows = [
            {"record_id": row.id, "encoder": encoder_id, "vector": _blob(vector)}
            for row, vector in zip(batch, found, strict=True)
        ]
        try:
            with store.engine.begin() as connection:
                connection.execute(_insert_new(connection, other_vectors), rows)
        except SQLAlchemyError as error:
            reason = _reason(error)
            raise StoreError(f"cannot store {len(rows)} record vectors by {encoder_id}: {reason}") from error
        if progress is not None:
            progress(len(batch))
    return len(todo)


def _insert_new(connection: Any, table: Table) -> Any:
    """INSERT that skips rows already there: two processes (server workers) may embed the same
    records at once, and the second to commit must not fail."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as insert_pg

        return insert_pg(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.sqlite import insert as insert_sqlite

    return insert_sqlite(table).on_conflict_do_nothing()


def stored_vectors(store: Store, encoder_id: str) -> dict[str, bytes]:
    """Record id → its vector by *encoder_id* (float32 bytes), for the records that have one."""
    v = other_vectors.c
    query = select(v.record_id, v.vector).where(v.encoder == encoder_id)
    with store.engine.connect() as connection:
        return {row.record_id: row.vector for row in connection.execute(query)}
