"""syncbug: a tombstone keeps what its asset last held, so a sync that brings it back merges it

Revision ID: 0006_syncbug
Revises: 0005_findsync
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_syncbug"
down_revision = "0005_findsync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tombstones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_state", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tombstones", schema=None) as batch_op:
        batch_op.drop_column("last_state")
