"""The v2 Asset API's wire models: the spec'd asset union plus Atelier's documented extensions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    WithJsonSchema,
)


def _iso_utc(value: datetime) -> str:
    # The spec shows "2025-11-16T19:43:00Z": UTC with a Z; we keep milliseconds when present
    # so that ordering by time survives a round trip (sync compares edit times).
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


UtcDatetime = Annotated[datetime, PlainSerializer(_iso_utc, return_type=str, when_used="json")]


class WireModel(BaseModel):
    """Base: camelCase on the wire, unknown fields ignored so newer servers stay readable."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")


class BaseAsset(WireModel):
    id: str
    userId: int | None = None
    clientId: str | None = None
    campaignId: str | None = None
    name: str
    url: str
    size: int | None = None
    uploadedAt: UtcDatetime
    tags: list[str] | None = None
    # Declared here only for its place: fields serialize in the spec's order (tags, type,
    # format); each subclass narrows it to its literal.
    type: str
    format: str


class ImageAsset(BaseAsset):
    type: Literal["image"] = "image"
    width: int
    height: int


class VideoAsset(BaseAsset):
    type: Literal["video"] = "video"
    width: int
    height: int
    duration: int
    thumbnailUrl: str | None = None


class AudioAsset(BaseAsset):
    type: Literal["audio"] = "audio"
    duration: int
    waveformUrl: str | None = None


class DocumentAsset(BaseAsset):
    type: Literal["document"] = "document"
    pageCount: int | None = None
    thumbnailUrl: str | None = None


AssetRead = Annotated[
    ImageAsset | VideoAsset | AudioAsset | DocumentAsset, Field(discriminator="type")
]
asset_adapter: TypeAdapter[AssetRead] = TypeAdapter(AssetRead)
asset_list_adapter: TypeAdapter[list[AssetRead]] = TypeAdapter(list[AssetRead])


class DeleteResult(WireModel):
    success: bool = True
    message: str


class CascadeDeleteResult(DeleteResult):
    """Extension: deleting a client or campaign also reports how many assets went with it."""

    deletedAssets: int


class ErrorDetail(WireModel):
    detail: str


# --- Documented extensions (see README "API extensions") -------------------------------

# Ids are UUID strings (documented as such; the server answers 400 for anything else).
UuidStr = Annotated[str, WithJsonSchema({"type": "string", "format": "uuid"})]
# A client or campaign name: something visible, no control characters (whitespace runs
# become one space).
_NAME_CHAR = r"[^\x00-\x08\x0e-\x1f\x7f-\x9f]"
_NAME_PATTERN = rf"^{_NAME_CHAR}*[^\s\x00-\x1f\x7f-\x9f]{_NAME_CHAR}*$"
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=_NAME_PATTERN)]
_NAME_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": _NAME_PATTERN}


def _no_null_default(schema: dict[str, Any]) -> None:
    # An optional field that must not be null: "absent" is its default, not null.
    schema.pop("default", None)


EditStamp = Annotated[str, Field(pattern=r"^\d{13}\.\d{4}\.[0-9a-z]{1,16}$")]


class EditTimes(WireModel):
    """Per-field edit times (extension): hybrid-clock stamps that compare as text."""

    name: EditStamp | None = None
    tags: EditStamp | None = None
    filing: EditStamp | None = None
    rating: EditStamp | None = None
    label: EditStamp | None = None
    rights: EditStamp | None = None


class AssetUpdate(WireModel):
    """PATCH /api/v2/assets/{id}: only the fields present are changed."""

    # Omitted means unchanged; a name cannot be cleared, so null is not allowed (400).
    name: Annotated[
        str | None,
        WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"\S"}),
    ] = Field(
        default=None,
        min_length=1,
        max_length=255,
        pattern=r"\S",
        json_schema_extra=_no_null_default,
    )
    tags: list[str] | None = None
    clientId: UuidStr | None = None
    campaignId: UuidStr | None = None
    # Extension: when each field given was edited where the edit was made (hybrid-clock
    # stamps, README "Sync"); absent: the server stamps the edit with its own clock.
    editTimes: EditTimes | None = Field(default=None, json_schema_extra=_no_null_default)


class ClientRead(WireModel):
    id: str
    name: str
    createdAt: UtcDatetime
    updatedAt: UtcDatetime
    assetCount: int = 0


class ClientCreate(WireModel):
    name: Name


class ClientUpdate(WireModel):
    name: Name


class CampaignRead(WireModel):
    id: str
    clientId: str
    name: str
    createdAt: UtcDatetime
    updatedAt: UtcDatetime
    assetCount: int = 0


class CampaignCreate(WireModel):
    clientId: UuidStr
    name: Name


class CampaignUpdate(WireModel):
    # Both optional, neither nullable: a campaign always has a name and a client.
    name: Annotated[Name | None, WithJsonSchema(_NAME_SCHEMA)] = Field(
        default=None, json_schema_extra=_no_null_default
    )
    clientId: Annotated[str | None, WithJsonSchema({"type": "string", "format": "uuid"})] = Field(
        default=None, json_schema_extra=_no_null_default
    )


class LoginRequest(WireModel):
    username: str
    password: str


class TokenRead(WireModel):
    token: str
    tokenType: Literal["bearer"] = "bearer"
    username: str
    userId: int


class SyncRights(WireModel):
    """An asset's own usage rights as the change feed carries them (extension "find-sync");
    dates are ISO 8601, null is empty (a campaign's rights are not the asset's)."""

    licence: str | None = None
    source: str | None = None
    credit: str | None = None
    validFrom: str | None = None
    validUntil: str | None = None


class AssetState(WireModel):
    """An asset in the change feed: the spec'd asset plus what sync needs to compare."""

    asset: AssetRead
    sha256: str
    updatedAt: UtcDatetime
    clientName: str | None = None
    campaignName: str | None = None
    editTimes: EditTimes | None = None
    # Extension "find-sync": the asset's rating (0-5), colour label and own usage rights.
    rating: int | None = None
    label: str | None = None
    rights: SyncRights | None = None


class DeletedAsset(WireModel):
    id: str
    deletedAt: UtcDatetime
    # Extension "deleted-state": the asset as it was when deleted (fields and edit times;
    # its urls no longer serve), so a sync that brings it back merges every field.
    last: AssetState | None = None


class ChangeFeed(WireModel):
    """GET /api/v2/changes?cursor=N: what changed after cursor N, oldest first."""

    cursor: int
    hasMore: bool
    assets: list[AssetState]
    deleted: list[DeletedAsset]
    # Extension "smart-folder-sync": the latest edit time of your smart folders and their
    # deletions (null: none yet), so a sync can tell there is nothing to merge.
    smartFoldersAt: str | None = None
    # Extension "campaign-rights-sync": the latest edit time of your campaigns' rights
    # (null: none yet), so a sync with nothing else to do can skip merging them.
    campaignRightsAt: str | None = None
