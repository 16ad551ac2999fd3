"""campaignrights: each campaign's rights get an edit time, so they sync by the later edit

Revision ID: 0006_campaignrights
Revises: 0005_findsync
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_campaignrights"
down_revision = "0005_findsync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaign_rights", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign_rights", schema=None) as batch_op:
        batch_op.drop_column("edited")
