"""Extension: GET /api/v2/changes, the cheap change feed that sync polls."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.schemas import AssetState, ChangeFeed, DeletedAsset
from app.library.wire import asset_state
from app.server.deps import BaseUrl, CurrentUser, Library
from app.server.responses import errors

router = APIRouter(prefix="/api/v2", tags=["sync"])

MAX_CURSOR = 2**62


@router.get(
    "/changes",
    response_model=ChangeFeed,
    summary="Your assets created, edited or deleted after a cursor",
    description="Oldest change first. Pass the returned `cursor` next time; `hasMore` says "
    "another page is waiting now. Cursor 0 is the beginning.",
    responses=errors(401, 422),
)
def changes(
    user: CurrentUser,
    lib: Library,
    base: BaseUrl,
    cursor: Annotated[int, Query(ge=0, le=MAX_CURSOR, description="From the last feed")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most changes per page")] = 500,
) -> ChangeFeed:
    feed = lib.changes_since(cursor, user.id, limit)
    ids = [r.id for r in feed.assets]
    times = lib.edit_times(ids)
    facts = lib.find.sync_facts(ids)  # rating, label, rights: the "find-sync" extension
    return ChangeFeed(
        cursor=feed.cursor,
        hasMore=feed.has_more,
        assets=[asset_state(r, base, times.get(r.id), facts.get(r.id)) for r in feed.assets],
        deleted=[
            DeletedAsset(id=i, deletedAt=when, last=_last(feed.last.get(i)))
            for i, when in feed.deleted
        ],
        smartFoldersAt=lib.find.smart_latest(user.id),
        campaignRightsAt=lib.find.campaign_rights_latest(user.id),
    )


def _last(stored: str | None) -> AssetState | None:
    """A tombstone's kept state; one written by another version and unreadable is left out."""
    if not stored:
        return None
    try:
        return AssetState.model_validate_json(stored)
    except ValueError:
        return None
