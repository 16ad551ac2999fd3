"""sync clock: per-field edit times, the library's hybrid clock, the sync history

Revision ID: 0003_sync_clock
Revises: 0002_sync
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_sync_clock"
down_revision = "0002_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asset_edit_times",
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=True),
        sa.Column("tags", sa.String(length=40), nullable=True),
        sa.Column("filing", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_edit_times_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_asset_edit_times")),
    )
    op.create_table(
        "sync_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("node", sa.String(length=16), nullable=False),
        sa.Column("last", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_clock")),
    )
    op.create_table(
        "sync_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("remote_id", sa.Integer(), nullable=False),
        sa.Column("sync_id", sa.String(length=36), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=True),
        sa.Column("remote_asset_id", sa.String(length=100), nullable=True),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("old_time", sa.String(length=40), nullable=True),
        sa.Column("new_time", sa.String(length=40), nullable=True),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["remote_id"],
            ["sync_remotes.id"],
            name=op.f("fk_sync_history_remote_id_sync_remotes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_history")),
    )
    with op.batch_alter_table("sync_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_history_remote_id"), ["remote_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_history_sync_id"), ["sync_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_history_sync_id"))
        batch_op.drop_index(batch_op.f("ix_sync_history_remote_id"))
    op.drop_table("sync_history")
    op.drop_table("sync_clock")
    op.drop_table("asset_edit_times")
