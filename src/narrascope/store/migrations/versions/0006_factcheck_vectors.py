"""Fact-check records' vectors by other encoders (the cross-lingual rung's multilingual-e5).

The ``factchecks`` table keeps each record's all-MiniLM vectors, which every match needs; a
record's vector by another encoder is a row here, added when asked for (``narrascope factchecks
import --multilingual``), so stores that never match across languages pay nothing.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "factcheck_vectors",
        sa.Column("record_id", sa.String(32), sa.ForeignKey("factchecks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("encoder", sa.String(64), primary_key=True),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("factcheck_vectors")
