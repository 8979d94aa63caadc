"""The store's tables: documents with their analyses, and one queryable table per layer.

A document's id is its content hash (``narrascope.model.document_id``), so storing the same
article twice adds nothing. ``documents.analysis`` holds the whole analysis as JSON (what
``narrascope show`` prints); the layer tables repeat the fields people filter and count on
(speakers, techniques, hedged claims), each row pointing back at its document and characters.
A layer row names its document by ``documents.key``, an integer given in the order documents
are stored (migration 0008: with the content hash in each of a document's ~95 layer rows,
storing was a fifth to a third slower); queries join on it, and exports print the document's id.
Full-text search is SQLite FTS5 (``documents_fts``) or a PostgreSQL ``tsvector`` column, both
made by the migration, not by this metadata.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", Text),
    Column("url", Text),
    Column("outlet", String(255), index=True),
    Column("published", String(32), index=True),
    Column("language", String(16), index=True),
    Column("words", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("schema_version", String(16), nullable=False),
    Column("analysis", Text, nullable=False),
    Column("added", DateTime(timezone=True), nullable=False),
    Column("key", BigInteger, nullable=False, unique=True),
)


def _layer(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        Column("document", BigInteger, ForeignKey("documents.key", ondelete="CASCADE"), primary_key=True),
        Column("item", String(32), primary_key=True),
        Column("start", Integer, nullable=False),
        Column("end", Integer, nullable=False),
        *columns,
    )


entities = _layer(
    "entities",
    Column("name", Text, nullable=False),
    Column("type", String(32), nullable=False),
    Column("mentions", Integer, nullable=False),
)
quotes = _layer(
    "quotes",
    Column("speaker", Text),
    Column("speaker_kind", String(32)),
    Column("kind", String(32), nullable=False),
    Column("content", Text),
)
claims = _layer(
    "claims",
    Column("claimant", Text),
    Column("certainty", Float, nullable=False),
    Column("checkworthy", Float),
    Column("hedged", Boolean, nullable=False),
    Column("text", Text, nullable=False),
)
techniques = _layer(
    "techniques",
    Column("technique", String(64), nullable=False),
    Column("family", String(64), nullable=False),
    Column("level", String(16), nullable=False),
    Column("score", Float, nullable=False),
)
outlets = Table(
    "outlets",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("documents", Integer, nullable=False),
)

Index("ix_entities_name", entities.c.name)

LAYERS = (entities, quotes, claims, techniques)

__all__ = ["LAYERS", "claims", "documents", "entities", "metadata", "outlets", "quotes", "techniques"]
