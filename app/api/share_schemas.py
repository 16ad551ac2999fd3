"""Wire models of the share-link extension: links, their feedback and their activity."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.api.schemas import UtcDatetime, WireModel


class ShareLinkCreate(WireModel):
    """One of clientId, campaignId or assetIds says what the link shares."""

    kind: Literal["review", "upload"] = "review"
    clientId: str | None = None
    campaignId: str | None = None
    assetIds: list[str] = Field(default_factory=list, max_length=5000)
    expiresAt: UtcDatetime | None = Field(None, description="When the link stops working (none: never)")
    password: str | None = Field(None, max_length=1024, description="Asked before the page opens")
    allowDownload: bool = Field(True, description="Originals may be downloaded (else previews only)")
    allowReview: bool = Field(True, description="Reviewers may approve, request changes and comment")
    quotaFiles: int | None = Field(None, ge=1, le=100_000, description="Upload links: most files")
    quotaBytes: int | None = Field(None, ge=1, le=2**53, description="Upload links: most bytes in all")


class ShareLinkRead(WireModel):
    id: str
    kind: Literal["review", "upload"]
    scope: Literal["client", "campaign", "selection"]
    clientId: str | None = None
    campaignId: str | None = None
    title: str
    hasPassword: bool
    allowDownload: bool
    allowReview: bool
    quotaFiles: int | None = None
    quotaBytes: int | None = None
    usedFiles: int
    usedBytes: int
    createdAt: UtcDatetime
    expiresAt: UtcDatetime | None = None
    revokedAt: UtcDatetime | None = None
    active: bool = Field(description="Neither expired nor revoked")


class ShareLinkCreated(ShareLinkRead):
    url: str = Field(description="The link to send; its token is shown only this once")


class ReviewRead(WireModel):
    id: int
    linkId: str
    assetId: str
    reviewer: str
    decision: Literal["approved", "changes_requested"] | None = None
    comment: str | None = None
    createdAt: UtcDatetime


class ShareEventRead(WireModel):
    kind: str = Field(description="opened, downloaded, reviewed or uploaded")
    actor: str | None = Field(None, description="The name the visitor gave, if any")
    assetId: str | None = None
    detail: str | None = None
    createdAt: UtcDatetime


class AssetReviewState(WireModel):
    assetId: str
    status: Literal["approved", "changes_requested", "commented", "unreviewed"]
    comments: int
    reviews: list[ReviewRead]


class ReviewFeed(WireModel):
    """GET /api/v2/reviews?after=N: decisions and comments on your assets with an id above N."""

    cursor: int
    hasMore: bool
    reviews: list[ReviewRead]
