"""Re-clustering: clusters folded into earlier ones, ids kept.

``clusters.merged_into`` names the cluster a merged one went into (its id keeps resolving);
``cluster_members.assigned`` keeps the cluster an item was first placed in when a merge moved it
(NULL: where it still is), so the clusters can be replayed exactly as they grew; and
``cluster_merges`` records each merge in order with its evidence and the point in the
assignments at which it was made.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clusters") as table:
        table.add_column(sa.Column("merged_into", sa.String(32), nullable=True))
    with op.batch_alter_table("cluster_members") as table:
        table.add_column(sa.Column("assigned", sa.String(32), nullable=True))
    op.create_table(
        "cluster_merges",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("absorbed", sa.String(32), sa.ForeignKey("clusters.id"), nullable=False),
        sa.Column("kept", sa.String(32), sa.ForeignKey("clusters.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("linkage", sa.Float, nullable=False),
        sa.Column("cosine", sa.Float, nullable=False),
        sa.Column("member", sa.String(96), nullable=False),
        sa.Column("matched", sa.String(96), nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("merged", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cluster_merges")
    with op.batch_alter_table("cluster_members") as table:
        table.drop_column("assigned")
    with op.batch_alter_table("clusters") as table:
        table.drop_column("merged_into")
