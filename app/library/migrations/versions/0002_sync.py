"""sync state: remotes and per-asset links

Revision ID: 0002_sync
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_sync"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_remotes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=True),
        sa.Column("mode", sa.String(length=8), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_summary", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_remotes")),
        sa.UniqueConstraint("name", name=op.f("uq_sync_remotes_name")),
    )
    op.create_table(
        "sync_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=True),
        sa.Column("remote_asset_id", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=True),
        sa.Column("idem_key", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("tags", sa.Text(), nullable=True),
        sa.Column("filing", sa.Text(), nullable=True),
        sa.Column("remote_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["remote_id"],
            ["sync_remotes.id"],
            name=op.f("fk_sync_links_remote_id_sync_remotes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_links")),
        sa.UniqueConstraint("remote_id", "asset_id", name="uq_sync_links_remote_id_asset_id"),
        sa.UniqueConstraint(
            "remote_id", "remote_asset_id", name="uq_sync_links_remote_id_remote_asset_id"
        ),
    )
    with op.batch_alter_table("sync_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_links_remote_id"), ["remote_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_links_remote_id"))
    op.drop_table("sync_links")
    op.drop_table("sync_remotes")
