"""Extension: the owner's share links over Bearer auth (create, list, read, revoke, feedback, activity)."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from app.api.share_schemas import (
    AssetReviewState,
    ReviewFeed,
    ReviewRead,
    ShareEventRead,
    ShareLinkCreate,
    ShareLinkCreated,
    ShareLinkRead,
)
from app.library.errors import InvalidInput
from app.library.shares import ReviewRecord, ShareLinkRecord, ShareService
from app.server.deps import AssetId, BaseUrl, CurrentUser, Library, optional_uuid, uuid_or_error
from app.server.responses import errors

router = APIRouter(prefix="/api/v2/share-links", tags=["share links"])
asset_router = APIRouter(prefix="/api/v2/assets", tags=["share links"])


def shares_of(request: Request) -> ShareService:
    return request.app.state.shares  # type: ignore[no-any-return]


def link_read(r: ShareLinkRecord, now_active: bool) -> ShareLinkRead:
    return ShareLinkRead(
        id=r.id, kind=r.kind, scope=r.scope, clientId=r.client_id,  # type: ignore[arg-type]
        campaignId=r.campaign_id, title=r.title, hasPassword=r.has_password,
        allowDownload=r.allow_download, allowReview=r.allow_review, quotaFiles=r.quota_files,
        quotaBytes=r.quota_bytes, usedFiles=r.used_files, usedBytes=r.used_bytes,
        createdAt=r.created_at, expiresAt=r.expires_at, revokedAt=r.revoked_at, active=now_active,
    )


def review_read(r: ReviewRecord) -> ReviewRead:
    return ReviewRead(id=r.id, linkId=r.link_id, assetId=r.asset_id, reviewer=r.reviewer,
                      decision=r.decision, comment=r.comment, createdAt=r.created_at)  # type: ignore[arg-type]


def is_active(shares: ShareService, r: ShareLinkRecord) -> bool:
    return r.revoked_at is None and (r.expires_at is None or r.expires_at > shares.clock())


@router.post(
    "",
    status_code=201,
    response_model=ShareLinkCreated,
    summary="Create a review link or an upload link",
    description="A review link shows one client, one campaign or a selection of your assets "
    "to anyone holding its URL (and its password, if set); an upload link takes files into "
    "one campaign. The URL holds a random token of 192 bits that is stored only as a hash: "
    "it is in this answer and nowhere else.",
    responses=errors(400, 401, 422),
)
def create_link(
    request: Request, body: Annotated[ShareLinkCreate, Body()], user: CurrentUser, base: BaseUrl
) -> ShareLinkCreated:
    shares = shares_of(request)
    expires = body.expiresAt
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    record, token = shares.create_link(
        user.id,
        kind=body.kind,
        client_id=optional_uuid(body.clientId, "client"),
        campaign_id=optional_uuid(body.campaignId, "campaign"),
        asset_ids=[uuid_or_error(a, "asset") for a in body.assetIds],
        expires_at=expires,
        password=body.password,
        allow_download=body.allowDownload,
        allow_review=body.allowReview,
        quota_files=body.quotaFiles,
        quota_bytes=body.quotaBytes,
    )
    read = link_read(record, True)
    return ShareLinkCreated(**read.model_dump(), url=f"{base}/s/{token}")


@router.get("", response_model=list[ShareLinkRead], summary="List your share links",
            description="Newest first, revoked and expired ones included (`active` false).",
            responses=errors(401))
def list_links(request: Request, user: CurrentUser) -> list[ShareLinkRead]:
    shares = shares_of(request)
    return [link_read(r, is_active(shares, r)) for r in shares.list_links(user.id)]


@router.get("/{link_id}", response_model=ShareLinkRead, summary="Get one of your share links",
            responses=errors(401, 404))
def get_link(link_id: str, request: Request, user: CurrentUser) -> ShareLinkRead:
    shares = shares_of(request)
    record = shares.get_link(user.id, link_id)
    return link_read(record, is_active(shares, record))


@router.delete("/{link_id}", response_model=ShareLinkRead, summary="Revoke a share link",
               description="The link stops working at once (its pages say so; its endpoints "
               "answer 410). Revoking twice is harmless.", responses=errors(401, 404))
def revoke_link(link_id: str, request: Request, user: CurrentUser) -> ShareLinkRead:
    return link_read(shares_of(request).revoke(user.id, link_id), False)


@router.get("/{link_id}/feedback", response_model=list[ReviewRead],
            summary="Decisions and comments left through a link", description="Oldest first.",
            responses=errors(401, 404))
def link_feedback(link_id: str, request: Request, user: CurrentUser) -> list[ReviewRead]:
    return [review_read(r) for r in shares_of(request).feedback(user.id, link_id)]


@router.get("/{link_id}/activity", response_model=list[ShareEventRead],
            summary="What happened on a link: opened, downloaded, reviewed, uploaded; by whom",
            description="`actor` is the name the visitor typed (reviewer or uploader), if any.",
            responses=errors(401, 404))
def link_activity(link_id: str, request: Request, user: CurrentUser) -> list[ShareEventRead]:
    return [
        ShareEventRead(kind=e.kind, actor=e.actor, assetId=e.asset_id, detail=e.detail,
                       createdAt=e.created_at)
        for e in shares_of(request).activity(user.id, link_id)
    ]


@asset_router.get("/{asset_id}/reviews", response_model=AssetReviewState,
                  summary="An asset's review status and every decision and comment on it",
                  responses=errors(400, 401, 404))
def asset_reviews(asset_id: AssetId, request: Request, user: CurrentUser, lib: Library) -> AssetReviewState:
    lib.get_asset(asset_id, user.id)  # another user's asset is not found
    shares = shares_of(request)
    reviews = shares.reviews_for_asset(asset_id)
    summary = shares.review_summary([asset_id]).get(asset_id)
    status = "unreviewed"
    if summary is not None:
        status = summary.decision or ("commented" if summary.comments else "unreviewed")
    if status not in ("approved", "changes_requested", "commented", "unreviewed"):
        raise InvalidInput("Unknown review status")
    return AssetReviewState(assetId=asset_id, status=status,  # type: ignore[arg-type]
                            comments=summary.comments if summary else 0,
                            reviews=[review_read(r) for r in reviews])


reviews_router = APIRouter(prefix="/api/v2", tags=["sync"])


@reviews_router.get(
    "/reviews",
    response_model=ReviewFeed,
    summary="Decisions and comments on your assets after a cursor (for sync)",
    description="Oldest first, through every one of your links. Pass the returned `cursor` "
    "as `after` next time; `hasMore` says another page is waiting now.",
    responses=errors(401, 422),
)
def review_feed(
    request: Request,
    user: CurrentUser,
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="From the last feed")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most reviews per page")] = 500,
) -> ReviewFeed:
    rows, more = shares_of(request).reviews_after(user.id, after, limit)
    return ReviewFeed(cursor=rows[-1].id if rows else after, hasMore=more,
                      reviews=[review_read(r) for r in rows])
