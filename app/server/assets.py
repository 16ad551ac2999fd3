"""The v2 asset endpoints: list, file, thumbnail, waveform, delete, and the PATCH extension."""

from __future__ import annotations

import os
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Body, Query, Request, Response
from pydantic import TypeAdapter

from app.api.schemas import AssetRead, AssetUpdate, DeleteResult
from app.core.formats import FORMAT_MIME
from app.library.errors import InvalidInput, NotFound
from app.library.records import UNSET, AssetChanges, AssetQuery
from app.library.service import LibraryService
from app.library.storage import UnsafePath, validate_uuid
from app.library.wire import asset_read
from app.server.deps import (
    AssetId,
    BaseUrl,
    Credentials,
    CurrentUser,
    Library,
    optional_uuid,
    token_user,
)
from app.server.files import download_name, file_response
from app.server.responses import errors, file_responses

router = APIRouter(prefix="/api/v2", tags=["assets"])

MAX_OFFSET = 2**31 - 1
_PAGE = TypeAdapter(list[AssetRead])


def _page_limiter(request: Request, lib: LibraryService) -> anyio.CapacityLimiter:
    """Listings at once per process: as many as cores on SQLite, where a page is CPU work and
    more threads only queue for the interpreter lock (and every row it hands back waits in
    that queue again); more on PostgreSQL, where a page mostly waits for the server."""
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "page_limiter", None)
    if limiter is None:
        cores = os.cpu_count() or 2
        limiter = anyio.CapacityLimiter(cores if lib.db_url.startswith("sqlite") else 4 * cores)
        request.app.state.page_limiter = limiter
    return limiter


def _uuid_filter(value: str | None) -> tuple[str | None, bool]:
    """(the id to filter by, whether nothing can match): a malformed id matches no asset."""
    if value is None or value == "":
        return None, False
    try:
        return validate_uuid(value), False
    except UnsafePath:
        return None, True


@router.get(
    "/assets",
    response_model=list[AssetRead],
    summary="List your assets",
    description="A bare JSON array of your assets, newest first. `clientId` also matches "
    "assets filed under one of that client's campaigns. Extension filters (rating, label, "
    "color, similarTo, q, rights, where) narrow the list; color orders it nearest first "
    "and similarTo most similar first; a malformed rule is 400, an unknown similarTo 404.",
    responses=errors(400, 401, 404, 422),
)
async def list_assets(
    request: Request,
    credentials: Credentials,
    lib: Library,
    base: BaseUrl,
    clientId: Annotated[str | None, Query(description="Only assets of this client")] = None,
    campaignId: Annotated[str | None, Query(description="Only assets of this campaign")] = None,
    asset_type: Annotated[
        Literal["image", "video", "audio", "document"] | None,
        Query(description="Only assets of this type"),
    ] = None,
    type_: Annotated[
        Literal["image", "video", "audio", "document"] | None,
        Query(
            alias="type",
            description="Another name for `asset_type` (the name assets carry in responses); "
            "giving both with different values matches nothing",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Max results")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Pagination offset")] = 0,
    rating: Annotated[
        int | None, Query(ge=0, le=5, description="Extension: only assets rated at least this")
    ] = None,
    label: Annotated[
        Literal["red", "yellow", "green", "blue", "purple", "none"] | None,
        Query(description="Extension: only assets with this colour label"),
    ] = None,
    color: Annotated[
        str | None,
        Query(
            max_length=40,
            description="Extension: assets containing this colour (#rrggbb or a name, optional "
            "~ΔE radius, default 15), nearest first",
        ),
    ] = None,
    similarTo: Annotated[
        str | None, Query(description="Extension: assets that look like this asset, most similar first")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Extension: text in the name, tags, creator, rights, "
              "description or keywords"),
    ] = None,
    rights: Annotated[
        Literal["expired", "expiring", "valid", "none"] | None,
        Query(description="Extension: usage rights state (expiring: within 30 days)"),
    ] = None,
    where: Annotated[
        list[str] | None,
        Query(max_length=20, description="Extension: rules as in `atelier list --where`, e.g. "
              "width>=1920, orientation=portrait, taken>=2025-01-01, creator~ana (all must match)"),
    ] = None,
) -> Response:
    # Both given and different: both filters apply, and no asset is of two types.
    disagree = type_ is not None and asset_type is not None and type_ != asset_type
    asset_type = asset_type or type_
    client_id, no_client = _uuid_filter(clientId)
    campaign_id, no_campaign = _uuid_filter(campaignId)

    def page() -> bytes:
        user = token_user(lib, credentials)
        if no_client or no_campaign or disagree:
            return b"[]"
        query = AssetQuery(
            user_id=user.id, client_id=client_id, campaign_id=campaign_id, asset_type=asset_type
        )
        rules = list(where or [])
        for key, value in (("rating>=", rating), ("label=", label), ("color=", color),
                           ("text~", q), ("rights=", rights)):
            if value is not None and value != "":
                rules.append(f"{key}{value}")
        if similarTo:
            lib.get_asset(similarTo, user.id)  # another user's asset is simply not found
            rules.append(f"similar={similarTo}")
        if rules:
            records = lib.find.search(lib.find.where(rules, base=query), limit=limit, offset=offset)
        else:
            records = lib.list_assets(query, limit=limit, offset=offset)
        # Serialised once, in pydantic's core: returned as models, FastAPI would validate
        # every item against response_model again before serialising it.
        return _PAGE.dump_json([asset_read(r, base) for r in records])

    # The listing is what every client polls: the token check, the page and its JSON run in
    # one worker thread, one hop from the event loop instead of one per step.
    return Response(await anyio.to_thread.run_sync(page, limiter=_page_limiter(request, lib)), media_type="application/json")


@router.get(
    "/assets/{asset_id}",
    response_class=Response,
    summary="Download an asset's file",
    description="The file itself with its Content-Type; supports Range (206) for seeking, "
    "ETag/If-None-Match and If-Modified-Since (304). Owner only: another user's asset is 404.",
    responses=file_responses(sorted(set(FORMAT_MIME.values()))),
)
def get_asset_file(asset_id: AssetId, request: Request, user: CurrentUser, lib: Library) -> Response:
    record = lib.get_asset(asset_id, user.id)
    return file_response(
        request,
        lib.stored_file(record),
        media_type=FORMAT_MIME[record.format],
        etag=f'"{record.sha256}"',
        filename=download_name(record.name, record.format),
        missing="The asset's file is missing from the library",
    )


def _preview(request: Request, asset_id: str, user_id: int, lib: Library, kind: str) -> Response:
    record = lib.get_asset(asset_id, user_id)
    if kind == "waveform" and record.asset_type != "audio":
        raise NotFound("Only audio assets have a waveform")
    stored = lib.stored_thumb(record)
    stem = record.name.rsplit(".", 1)[0] if "." in record.name else record.name
    if stored is None:
        raise NotFound(f"This asset has no {kind}")
    # Whole seconds: an object store keeps no finer modification time.
    etag = f'"{record.sha256[:32]}-{kind}-{stored.blob.size:x}-{int(stored.blob.mtime):x}"'
    return file_response(
        request,
        stored,
        media_type="image/jpeg",
        etag=etag,
        filename=f"{stem} ({kind}).jpg",
        missing=f"This asset has no {kind}",
    )


@router.get(
    "/assets/{asset_id}/thumbnail",
    response_class=Response,
    summary="Download an asset's thumbnail (JPEG)",
    description="Spec: video and document assets. Extension: every type (an image's is a "
    "reduced copy, an audio's its waveform picture). Owner only.",
    responses=file_responses(["image/jpeg"]),
)
def get_thumbnail(asset_id: AssetId, request: Request, user: CurrentUser, lib: Library) -> Response:
    return _preview(request, asset_id, user.id, lib, "thumbnail")


@router.get(
    "/assets/{asset_id}/waveform",
    response_class=Response,
    summary="Download an audio asset's waveform picture (JPEG)",
    description="Extension: the target of an audio asset's `waveformUrl`. Owner only.",
    responses=file_responses(["image/jpeg"]),
)
def get_waveform(asset_id: AssetId, request: Request, user: CurrentUser, lib: Library) -> Response:
    return _preview(request, asset_id, user.id, lib, "waveform")


@router.delete(
    "/assets/{asset_id}",
    response_model=DeleteResult,
    summary="Delete an asset",
    description="Deletes the asset, its file and its thumbnail. Another user's asset: 403.",
    responses=errors(400, 401, 403, 404),
)
def delete_asset(asset_id: AssetId, user: CurrentUser, lib: Library) -> DeleteResult:
    lib.delete_asset(asset_id, user.id)
    return DeleteResult(success=True, message=f"Asset {asset_id} deleted successfully")


@router.patch(
    "/assets/{asset_id}",
    response_model=AssetRead,
    summary="Edit an asset's name, tags, client or campaign (extension)",
    description="Only the keys present change; null clears `tags`, `clientId` or "
    "`campaignId`. Filing under another client's campaign moves the asset to that client.",
    responses=errors(400, 401, 404, 409, 413, 422),
)
def update_asset(
    asset_id: AssetId,
    user: CurrentUser,
    lib: Library,
    base: BaseUrl,
    update: Annotated[AssetUpdate, Body()],
) -> AssetRead:
    lib.get_asset(asset_id, user.id)  # another user's asset is simply not found
    present = update.model_fields_set
    if "name" in present and update.name is None:
        raise InvalidInput("name cannot be null")
    changes = AssetChanges(
        name=update.name if "name" in present and update.name is not None else UNSET,
        tags=update.tags if "tags" in present else UNSET,
        client_id=optional_uuid(update.clientId, "client") if "clientId" in present else UNSET,
        campaign_id=(
            optional_uuid(update.campaignId, "campaign") if "campaignId" in present else UNSET
        ),
    )
    times = update.editTimes.model_dump(exclude_none=True) if update.editTimes else None
    return asset_read(lib.update_asset(asset_id, changes, user.id, edit_times=times), base)
