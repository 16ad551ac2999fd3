"""v1 dialect: persons, their face images, and an index for listing by purpose

Revision ID: 0002_v1
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_v1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_persons_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    op.create_index("ix_persons_user_created", "persons", ["user_id", "created_at", "id"])
    op.create_table(
        "person_images",
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_person_images_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_images_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "asset_id", name=op.f("pk_person_images")),
    )
    op.create_index(op.f("ix_person_images_asset_id"), "person_images", ["asset_id"])
    # Indexes are created in place (no batch table copy): the assets table may be large.
    op.create_index(
        "ix_assets_user_purpose_uploaded", "assets", ["user_id", "purpose", "uploaded_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_assets_user_purpose_uploaded", table_name="assets")
    op.drop_index(op.f("ix_person_images_asset_id"), table_name="person_images")
    op.drop_table("person_images")
    op.drop_index("ix_persons_user_created", table_name="persons")
    op.drop_table("persons")
