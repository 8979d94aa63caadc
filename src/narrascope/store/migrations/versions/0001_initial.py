"""Documents, their analyses, the layer tables, outlets, and full-text search.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _layer(name: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("item", sa.String(32), primary_key=True),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        *columns,
    )


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("outlet", sa.String(255), index=True),
        sa.Column("published", sa.String(32), index=True),
        sa.Column("language", sa.String(16), index=True),
        sa.Column("words", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("analysis", sa.Text, nullable=False),
        sa.Column("added", sa.DateTime(timezone=True), nullable=False),
    )
    _layer(
        "entities",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("mentions", sa.Integer, nullable=False),
    )
    _layer(
        "quotes",
        sa.Column("speaker", sa.Text),
        sa.Column("speaker_kind", sa.String(32)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("content", sa.Text),
    )
    _layer(
        "claims",
        sa.Column("claimant", sa.Text),
        sa.Column("certainty", sa.Float, nullable=False),
        sa.Column("checkworthy", sa.Float),
        sa.Column("hedged", sa.Boolean, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    _layer(
        "techniques",
        sa.Column("technique", sa.String(64), nullable=False),
        sa.Column("family", sa.String(64), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_table(
        "outlets",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("documents", sa.Integer, nullable=False),
    )
    op.create_index("ix_entities_name", "entities", ["name"])
    op.create_index("ix_quotes_speaker", "quotes", ["speaker"])
    op.create_index("ix_techniques_technique", "techniques", ["technique"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE documents_fts USING fts5(id UNINDEXED, title, text, tokenize='unicode61')")
    else:
        op.execute(
            "ALTER TABLE documents ADD COLUMN search tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', coalesce(title, '') || ' ' || text)) STORED"
        )
        op.execute("CREATE INDEX ix_documents_search ON documents USING gin (search)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE documents_fts")
    for name in ("outlets", "techniques", "claims", "quotes", "entities", "documents"):
        op.drop_table(name)
