"""Story clusters: which documents tell the same story, decided as they were stored.

``clusters`` names each cluster once (its id never changes); ``cluster_members`` records every
assignment with its evidence (the earlier item it matched, the rung, the similarity there and the
cosine to the centroid) and the item's vector, so the clusters can be rebuilt exactly as they were
and new documents continue from them. ``level`` leaves room for claim and narrative clusters.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clusters",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("opened_by", sa.String(96), nullable=False),
        sa.Column("added", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_clusters_level", "clusters", ["level"])
    op.create_table(
        "cluster_members",
        sa.Column("level", sa.String(16), primary_key=True),
        sa.Column("item", sa.String(96), primary_key=True),
        sa.Column("cluster", sa.String(32), sa.ForeignKey("clusters.id"), nullable=False),
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("match", sa.String(96)),
        sa.Column("rung", sa.String(16)),
        sa.Column("similarity", sa.Float),
        sa.Column("centroid", sa.Float),
        sa.Column("encoder", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_cluster_members_cluster", "cluster_members", ["cluster"])
    op.create_index("ix_cluster_members_document", "cluster_members", ["document_id"])
    op.create_index("ix_cluster_members_position", "cluster_members", ["level", "position"])


def downgrade() -> None:
    op.drop_table("cluster_members")
    op.drop_table("clusters")
