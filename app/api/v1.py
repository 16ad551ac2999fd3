"""Wire models of the older Assets API v1 dialect: the {success, data} envelope, assets, persons."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Final, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from app.api.schemas import WireModel

V1Type = Literal["face", "template", "bucket"]
V1_TYPES: Final[tuple[str, ...]] = ("face", "template", "bucket")
# What `type` means for an asset kept in the library (bucket files have no row).
V1_PURPOSES: Final[tuple[str, ...]] = ("face", "template")
V1_MIME_TYPES: Final[tuple[str, ...]] = ("image/jpeg", "image/png", "image/webp", "image/gif")
V1MimeType = Literal["image/jpeg", "image/png", "image/webp", "image/gif"]
V1_MAX_DESCRIPTION: Final[int] = 500
V1_MAX_LIMIT: Final[int] = 100
V1_DEFAULT_LIMIT: Final[int] = 20


def _iso_millis(value: datetime) -> str:
    # The document always shows milliseconds: "2024-01-15T10:30:00.000Z".
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


V1Datetime = Annotated[datetime, PlainSerializer(_iso_millis, return_type=str, when_used="json")]

T = TypeVar("T")


class V1Asset(WireModel):
    """An asset as the v1 document shows it; a bucket file has id "" and null width/height."""

    id: str
    type: V1Type
    url: str
    name: str
    description: str | None = None
    mimeType: str
    size: int
    width: int | None = None
    height: int | None = None
    createdAt: V1Datetime


class V1Pagination(WireModel):
    page: int
    limit: int


class V1AssetPage(WireModel):
    assets: list[V1Asset]
    pagination: V1Pagination


class V1Message(WireModel):
    message: str


class V1Ok(BaseModel, Generic[T]):
    """Every successful v1 response: {"success": true, "data": ...}."""

    model_config = ConfigDict(extra="ignore")

    success: Literal[True] = True
    data: T


class V1ErrorBody(WireModel):
    code: str
    message: str


class V1Failure(WireModel):
    """Every v1 error: {"success": false, "error": {"code": "...", "message": "..."}}."""

    success: Literal[False] = False
    error: V1ErrorBody


class V1AssetJson(WireModel):
    """POST /api/assets as JSON (the base64 field itself is read from the stream, not here)."""

    base64: str = Field(description="The image, base64-encoded, with or without a data: prefix")
    type: V1Type
    filename: str | None = Field(default=None, max_length=255)
    mimeType: V1MimeType = "image/jpeg"
    description: str | None = Field(default=None, max_length=V1_MAX_DESCRIPTION)


class V1PersonCreate(WireModel):
    name: str = Field(min_length=1, max_length=200)
    imageIds: list[str] = Field(default_factory=list, max_length=100)


class V1Person(WireModel):
    id: str
    name: str
    imageIds: list[str]
    createdAt: V1Datetime
    updatedAt: V1Datetime


class V1PersonPage(WireModel):
    persons: list[V1Person]
    pagination: V1Pagination
