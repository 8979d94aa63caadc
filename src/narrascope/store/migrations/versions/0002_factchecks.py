"""Fact-check records beside the corpus, with the encoder vectors of their claims and titles;
``position`` keeps the import order (the first of two duplicate records is the one shown).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "factchecks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("claim", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("rating", sa.Text),
        sa.Column("claimant", sa.Text),
        sa.Column("published", sa.String(32)),
        sa.Column("publisher", sa.Text),
        sa.Column("language", sa.String(16)),
        sa.Column("source_id", sa.Text),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("encoder", sa.String(64), nullable=False),
        sa.Column("claim_vector", sa.LargeBinary, nullable=False),
        sa.Column("title_vector", sa.LargeBinary, nullable=False),
        sa.Column("added", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_factchecks_position", "factchecks", ["position"])


def downgrade() -> None:
    op.drop_table("factchecks")
