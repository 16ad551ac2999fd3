"""findsync: edit times of rating, label and rights; their agreed values; smart folders that sync

Revision ID: 0005_findsync
Revises: 0004_find, 0003_sync_clock

asset_text rows are renumbered: each one's rowid becomes a hash of its asset's id
(app.library.find_store.text_rowid), so deleting an asset deletes its text by rowid, and
rows of assets already deleted are dropped.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0005_findsync"
# Its columns go on the sync tables (0002_sync, 0003_sync_clock) as well as the find ones,
# so it joins both branches (a depends_on would leave a head Alembic does not record).
down_revision = ("0004_find", "0003_sync_clock")
branch_labels = None
depends_on = None


def _text_rowid(asset_id: str) -> int:
    # The same as find_store.text_rowid, copied so the migration never changes with the app.
    return int.from_bytes(hashlib.blake2b(asset_id.encode(), digest_size=8).digest(), "big") >> 1


def upgrade() -> None:
    with op.batch_alter_table("asset_edit_times", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rating", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("label", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("rights", sa.String(length=40), nullable=True))
    with op.batch_alter_table("sync_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("find", sa.Text(), nullable=True))
    with op.batch_alter_table("smart_folders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uid", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("edited", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_smart_folders_uid", ["uid"], unique=True)
    op.create_table(
        "smart_folder_tombstones",
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("edited", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"],
            name=op.f("fk_smart_folder_tombstones_user_id_users"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_smart_folder_tombstones")),
    )
    with op.batch_alter_table("smart_folder_tombstones", schema=None) as batch_op:
        batch_op.create_index(
            op.f("ix_smart_folder_tombstones_user_id"), ["user_id"], unique=False
        )

    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        rows = bind.execute(
            sa.text(
                "SELECT t.asset_id, t.body FROM asset_text t "
                "WHERE t.asset_id IN (SELECT id FROM assets)"
            )
        ).all()
        bind.execute(sa.text("DELETE FROM asset_text"))
        seen: set[str] = set()
        fresh = []
        for asset_id, body in rows:
            if asset_id not in seen:
                seen.add(asset_id)
                fresh.append({"rowid": _text_rowid(asset_id), "id": asset_id, "body": body})
        if fresh:
            bind.execute(
                sa.text("INSERT INTO asset_text (rowid, asset_id, body) VALUES (:rowid, :id, :body)"),
                fresh,
            )


def downgrade() -> None:
    with op.batch_alter_table("smart_folder_tombstones", schema=None) as batch_op:
        batch_op.drop_index(op.f("ix_smart_folder_tombstones_user_id"))
    op.drop_table("smart_folder_tombstones")
    with op.batch_alter_table("smart_folders", schema=None) as batch_op:
        batch_op.drop_index("ix_smart_folders_uid")
        batch_op.drop_column("edited")
        batch_op.drop_column("uid")
    with op.batch_alter_table("sync_links", schema=None) as batch_op:
        batch_op.drop_column("find")
    with op.batch_alter_table("asset_edit_times", schema=None) as batch_op:
        batch_op.drop_column("rights")
        batch_op.drop_column("label")
        batch_op.drop_column("rating")
