"""ORM models of sync state: the remotes a library syncs with and what each asset looked like at the last sync."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
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
    remote_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
