"""find: designer metadata, palettes, hashes, ratings, labels, usage rights, smart folders

Revision ID: 0004_find
Revises: 0001

The text index is an FTS5 trigram table on SQLite (substring search at index speed, any
language); PostgreSQL has no FTS5, and there the same search is an ILIKE over
asset_meta.text (see app/library/find.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_find"
down_revision = "0001"
branch_labels = None
depends_on = None


def _rights_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("licence", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("credit", sa.String(length=300), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "asset_meta",
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("creator", sa.String(length=300), nullable=True),
        sa.Column("rights", sa.String(length=500), nullable=True),
        sa.Column("camera", sa.String(length=200), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=True),
        sa.Column("phash", sa.BigInteger(), nullable=True),
        sa.Column("hb0", sa.Integer(), nullable=True),
        sa.Column("hb1", sa.Integer(), nullable=True),
        sa.Column("hb2", sa.Integer(), nullable=True),
        sa.Column("hb3", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_meta_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_asset_meta")),
    )
    with op.batch_alter_table("asset_meta", schema=None) as batch_op:
        for column in ("creator", "camera", "taken_at", "rating", "hb0", "hb1", "hb2", "hb3"):
            batch_op.create_index(f"ix_asset_meta_{column}", [column], unique=False)
        batch_op.create_index("ix_asset_meta_label", ["label", "rating"], unique=False)

    op.create_table(
        "asset_colours",
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("cell", sa.Integer(), nullable=False),
        sa.Column("l", sa.Float(), nullable=False),
        sa.Column("a", sa.Float(), nullable=False),
        sa.Column("b", sa.Float(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("hex", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_colours_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("asset_id", "position", name=op.f("pk_asset_colours")),
    )
    with op.batch_alter_table("asset_colours", schema=None) as batch_op:
        batch_op.create_index(
            "ix_asset_colours_cell", ["cell", "share", "l", "a", "b", "asset_id"], unique=False
        )

    op.create_table(
        "asset_rights",
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        *_rights_columns(),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_rights_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_asset_rights")),
    )
    with op.batch_alter_table("asset_rights", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_asset_rights_valid_until"), ["valid_until"], unique=False)

    op.create_table(
        "campaign_rights",
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        *_rights_columns(),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"],
            name=op.f("fk_campaign_rights_campaign_id_campaigns"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_rights")),
    )
    with op.batch_alter_table("campaign_rights", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_campaign_rights_valid_until"), ["valid_until"], unique=False)

    op.create_table(
        "smart_folders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("match", sa.String(length=3), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_smart_folders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smart_folders")),
    )
    with op.batch_alter_table("smart_folders", schema=None) as batch_op:
        batch_op.create_index(op.f("ix_smart_folders_user_id"), ["user_id"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE asset_text USING fts5(asset_id UNINDEXED, body, tokenize='trigram')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE asset_text")
    for table in ("smart_folders", "campaign_rights", "asset_rights", "asset_colours", "asset_meta"):
        op.drop_table(table)
