"""ORM models of what finding things searches: designer metadata, palettes, hashes, rights, smart folders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.library.models import Base, utcnow


class AssetMeta(Base):
    """One row per asset: the searched metadata in indexed columns, the rest as JSON for display.

    Rating and label live here too (they are per asset and filtered the same way); the
    perceptual hash is kept whole and as four 16-bit bands, each indexed: a copy within
    three bits shares at least one band with the original, so candidates are an index probe.
    """

    __tablename__ = "asset_meta"

    asset_id: Mapped[str] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    creator: Mapped[str | None] = mapped_column(String(300))
    rights: Mapped[str | None] = mapped_column(String(500))
    camera: Mapped[str | None] = mapped_column(String(200))
    taken_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    text: Mapped[str | None] = mapped_column(Text)  # creator, rights, description, keywords
    extra: Mapped[str | None] = mapped_column(Text)  # every field read, as JSON, for display
    rating: Mapped[int] = mapped_column(SmallInteger, default=0)
    label: Mapped[str | None] = mapped_column(String(16))
    phash: Mapped[int | None] = mapped_column(BigInteger)
    hb0: Mapped[int | None] = mapped_column(Integer)
    hb1: Mapped[int | None] = mapped_column(Integer)
    hb2: Mapped[int | None] = mapped_column(Integer)
    hb3: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_asset_meta_creator", "creator"),
        Index("ix_asset_meta_camera", "camera"),
        Index("ix_asset_meta_taken_at", "taken_at"),
        Index("ix_asset_meta_rating", "rating"),
        # Label first: "red, four stars and up" is one range of this index.
        Index("ix_asset_meta_label", "label", "rating"),
        Index("ix_asset_meta_hb0", "hb0"),
        Index("ix_asset_meta_hb1", "hb1"),
        Index("ix_asset_meta_hb2", "hb2"),
        Index("ix_asset_meta_hb3", "hb3"),
    )


class AssetColour(Base):
    """One palette swatch: CIELAB, its share, and the 5-unit Lab cell it falls in (indexed)."""

    __tablename__ = "asset_colours"

    asset_id: Mapped[str] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    cell: Mapped[int] = mapped_column(Integer)
    l: Mapped[float] = mapped_column(Float)  # noqa: E741  (CIELAB's L*, named as in the field)
    a: Mapped[float] = mapped_column(Float)
    b: Mapped[float] = mapped_column(Float)
    share: Mapped[float] = mapped_column(Float)
    hex: Mapped[str] = mapped_column(String(7))

    # Covering: a colour query reads only this index, never the table.
    __table_args__ = (Index("ix_asset_colours_cell", "cell", "share", "l", "a", "b", "asset_id"),)


class AssetRights(Base):
    """Usage rights of one asset; a field left empty is inherited from its campaign."""

    __tablename__ = "asset_rights"

    asset_id: Mapped[str] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    licence: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(300))
    credit: Mapped[str | None] = mapped_column(String(300))
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class CampaignRights(Base):
    """Usage rights every asset of a campaign inherits."""

    __tablename__ = "campaign_rights"

    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    licence: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(300))
    credit: Mapped[str | None] = mapped_column(String(300))
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # The last edit as a hybrid-clock stamp (None: set before campaign rights synced); the
    # later edit of a campaign's rights wins whole, on every side that syncs.
    edited: Mapped[str | None] = mapped_column(String(40))


class SmartFolder(Base):
    """A saved search: rules (JSON list of [field, op, value]) matched all or any."""

    __tablename__ = "smart_folders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    match: Mapped[str] = mapped_column(String(3), default="all")
    rules: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The same folder on every side that syncs (None until it first syncs) and its last
    # edit as a hybrid-clock stamp: the later edit of a folder wins whole.
    uid: Mapped[str | None] = mapped_column(String(36))
    edited: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_smart_folders_uid", "uid", unique=True),)


class SmartFolderTombstone(Base):
    """A deleted smart folder that had synced: its deletion travels like an edit and wins
    over edits made before it."""

    __tablename__ = "smart_folder_tombstones"

    uid: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    edited: Mapped[str] = mapped_column(String(40))
