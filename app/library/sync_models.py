"""ORM models of sync state: the remotes a library syncs with and what each asset looked like at the last sync."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.library.models import Base, utcnow


class SyncRemote(Base):
    """A server this library syncs with, its token and where the last sync left off."""

    __tablename__ = "sync_remotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(8), default="v2")
    username: Mapped[str | None] = mapped_column(String(100))
    token: Mapped[str] = mapped_column(Text)
    # The server's change-feed cursor after the last complete sync (None: start from 0).
    cursor: Mapped[int | None] = mapped_column(BigInteger)
    mode: Mapped[str | None] = mapped_column(String(8))
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SyncLink(Base):
    """One asset known to both sides (or on its way): the ids and the agreed state at the last sync.

    state is 'linked' (both sides hold it), 'uploading' (an upload was started with idem_key
    and may or may not have reached the server) or 'skipped' (one side refused the file; note
    says why, direction says which way it was going).
    """

    __tablename__ = "sync_links"
    __table_args__ = (
        UniqueConstraint("remote_id", "asset_id", name="uq_sync_links_remote_id_asset_id"),
        UniqueConstraint(
            "remote_id", "remote_asset_id", name="uq_sync_links_remote_id_remote_asset_id"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    remote_id: Mapped[int] = mapped_column(
        ForeignKey("sync_remotes.id", ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[str | None] = mapped_column(String(36))
    remote_asset_id: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(12), default="linked")
    direction: Mapped[str | None] = mapped_column(String(8))
    idem_key: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    tags: Mapped[str | None] = mapped_column(Text)
    filing: Mapped[str | None] = mapped_column(Text)
    # The agreed rating, label and rights as JSON (None: not agreed yet, an older link).
    find: Mapped[str | None] = mapped_column(Text)
    remote_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AssetEditTime(Base):
    """When each synced field of an asset was last edited, as hybrid-clock stamps (app.core.hlc).

    A missing row or field means "not edited since import": its time is the upload time.
    """

    __tablename__ = "asset_edit_times"

    asset_id: Mapped[str] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str | None] = mapped_column(String(40))
    tags: Mapped[str | None] = mapped_column(String(40))
    filing: Mapped[str | None] = mapped_column(String(40))
    rating: Mapped[str | None] = mapped_column(String(40))
    label: Mapped[str | None] = mapped_column(String(40))
    rights: Mapped[str | None] = mapped_column(String(40))


class SyncClock(Base):
    """The library's hybrid clock: its node name and the latest stamp it made or saw (one row)."""

    __tablename__ = "sync_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    node: Mapped[str] = mapped_column(String(16))
    last: Mapped[str | None] = mapped_column(String(40))


class SyncHistory(Base):
    """One field one sync changed on one side: the value replaced, the value written, both times.

    side is 'here' (this library changed) or 'server'; conflict says the replaced value was
    an edit of its own since the last sync, i.e. it lost to a later edit.
    """

    __tablename__ = "sync_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    remote_id: Mapped[int] = mapped_column(
        ForeignKey("sync_remotes.id", ondelete="CASCADE"), index=True
    )
    sync_id: Mapped[str] = mapped_column(String(36), index=True)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    asset_id: Mapped[str | None] = mapped_column(String(36))
    remote_asset_id: Mapped[str | None] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(255))
    field: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(8))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    old_time: Mapped[str | None] = mapped_column(String(40))
    new_time: Mapped[str | None] = mapped_column(String(40))
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)
