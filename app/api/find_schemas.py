"""Wire models of the find extensions: an asset's metadata, its rating, label and rights, smart folders."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from app.api.schemas import EditStamp, EditTimes, Name, WireModel

Label = Literal["red", "yellow", "green", "blue", "purple"]


def _no_bool(value: Any) -> Any:
    # JSON Schema's integer takes 2.0 (pydantic does too) but never true or false.
    if isinstance(value, bool):
        raise ValueError("Input should be a valid integer")
    return value




class Swatch(WireModel):
    hex: str = Field(description="sRGB colour, #rrggbb")
    share: float = Field(description="share of the picture, 0-1")


class LookAlikeRead(WireModel):
    id: str
    name: str
    bits: int = Field(ge=0, le=64, description="how many of the 64 hash bits differ")


class RightsRead(WireModel):
    licence: str | None = None
    source: str | None = None
    credit: str | None = None
    validFrom: str | None = None
    validUntil: str | None = None
    status: Literal["none", "valid", "expiring", "expired", "not yet valid"] = "none"
    inherited: list[str] = Field(default_factory=list, description="fields taken from the campaign")


class AssetMetadata(WireModel):
    """Extension: what Atelier read from the file and what the user set."""

    id: str
    rating: int = Field(ge=0, le=5)
    label: Label | None = None
    fields: dict[str, Any] = Field(
        default_factory=dict,
        description="EXIF/IPTC/XMP (camera, lens, taken_at, creator, rights, keywords, ...), "
        "ffprobe (codec, bitrate, frame_rate, ...) or PDF info (title, producer, ...) fields",
    )
    palette: list[Swatch] = Field(default_factory=list)
    phash: str | None = Field(default=None, description="64-bit difference hash, hex")
    looksLike: list[LookAlikeRead] = Field(
        default_factory=list,
        description="Your other assets this one looks like (a resized, re-encoded or slightly "
        "cropped copy: hash within 10 bits and palette within ΔE 20), nearest first, at most 10",
    )
    rights: RightsRead = Field(default_factory=RightsRead)


class RightsUpdate(WireModel):
    licence: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=300)
    credit: str | None = Field(default=None, max_length=300)
    validFrom: str | None = Field(default=None, description="YYYY-MM-DD")
    validUntil: str | None = Field(default=None, description="YYYY-MM-DD")


class MetadataUpdate(WireModel):
    """Extension: only the keys present change; null clears label or a rights field."""

    rating: int | None = Field(default=None, ge=0, le=5)

    @field_validator("rating", mode="before")
    @classmethod
    def _rating_is_no_bool(cls, value: Any) -> Any:
        return _no_bool(value)
    label: Label | None = None
    rights: RightsUpdate | None = None
    editTimes: EditTimes | None = Field(
        default=None,
        description="when each field given was edited (rating, label, rights: hybrid-clock "
        "stamps, as on PATCH /api/v2/assets/{id}); without it the server's clock stamps it",
    )


class SmartFolderRead(WireModel):
    id: int
    name: str
    match: Literal["all", "any"]
    rules: list[str]
    count: int


class SmartFolderState(WireModel):
    """A smart folder as sync carries it (extension "smart-folder-sync"); without name, rules
    and match it is a deletion."""

    uid: str = Field(description="the folder's id on every side, a UUID")
    editedAt: str = Field(description="its last edit or its deletion, a hybrid-clock stamp")
    name: str | None = Field(default=None, max_length=200)
    match: Literal["all", "any"] = "all"
    rules: list[str] = Field(default_factory=list, max_length=50)


class SmartFolderSync(WireModel):
    """POST /api/v2/smart-folder-sync: your folders and deletions; the answer is the
    server's after merging them (for each uid the later edit wins)."""

    folders: list[SmartFolderState] = Field(default_factory=list, max_length=1000)


class SmartFolderCreate(WireModel):
    name: str = Field(min_length=1, max_length=200)
    match: Literal["all", "any"] = "all"
    rules: list[str] = Field(min_length=1, max_length=50)


class CampaignRightsState(WireModel):
    """A campaign's usage rights as sync carries them (extension "campaign-rights-sync"):
    the campaign is named by its client and its own name, as sync files assets; a field left
    null is empty (all null: the rights were cleared)."""

    client: Name = Field(description="the client's name")
    campaign: Name = Field(description="the campaign's name")
    editedAt: EditStamp = Field(description="their last edit, a hybrid-clock stamp")
    licence: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=300)
    credit: str | None = Field(default=None, max_length=300)
    validFrom: str | None = Field(default=None, max_length=40, description="ISO 8601 date or time, UTC")
    validUntil: str | None = Field(default=None, max_length=40, description="ISO 8601 date or time, UTC")


class CampaignRightsSync(WireModel):
    """POST /api/v2/campaign-rights-sync: your campaigns' rights; the answer is the server's
    after merging them (for each campaign the later edit wins; a campaign the server does not
    have is left out until an asset brings it)."""

    campaigns: list[CampaignRightsState] = Field(default_factory=list, max_length=1000)
