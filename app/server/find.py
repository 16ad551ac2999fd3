"""Find extensions of the v2 API: an asset's metadata (read and set) and smart folders."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from app.api.find_schemas import (
    AssetMetadata,
    CampaignRightsState,
    CampaignRightsSync,
    MetadataUpdate,
    SmartFolderCreate,
    SmartFolderRead,
    SmartFolderState,
    SmartFolderSync,
)
from app.api.schemas import DeleteResult
from app.library import campaign_sync
from app.library.find_sync import parse_states
from app.library.finder import SmartFolderRecord
from app.server.deps import AssetId, CurrentUser, Library
from app.server.responses import errors

router = APIRouter(prefix="/api/v2", tags=["find (extension)"])

_RIGHTS_KEYS = {"licence": "licence", "source": "source", "credit": "credit",
                "validFrom": "valid_from", "validUntil": "valid_until"}


@router.get(
    "/assets/{asset_id}/metadata",
    response_model=AssetMetadata,
    summary="An asset's designer metadata, palette, rating, label and rights (extension)",
    responses=errors(400, 401, 404),
)
def get_metadata(asset_id: AssetId, user: CurrentUser, lib: Library) -> dict[str, Any]:
    return lib.find.metadata(asset_id, user.id)


@router.patch(
    "/assets/{asset_id}/metadata",
    response_model=AssetMetadata,
    summary="Set an asset's rating, label or usage rights (extension)",
    description="Only the keys present change; `label: null` clears the label, a rights "
    "field set to null is inherited from the campaign again.",
    responses=errors(400, 401, 404, 422),
)
def patch_metadata(
    asset_id: AssetId, user: CurrentUser, lib: Library, update: Annotated[MetadataUpdate, Body()]
) -> dict[str, Any]:
    lib.get_asset(asset_id, user.id)
    present = update.model_fields_set
    times = update.editTimes.model_dump(exclude_none=True) if update.editTimes else None
    fields = {}
    if update.rights is not None:
        fields = {
            _RIGHTS_KEYS[k]: (getattr(update.rights, k) or None)
            for k in update.rights.model_fields_set
        }
        lib.find.checked_rights(fields)  # before any part is written: a wrong field changes nothing
    if "rating" in present:
        lib.find.set_rating([asset_id], update.rating or 0, user.id, times)
    if "label" in present:
        lib.find.set_label([asset_id], update.label, user.id, times)
    if fields:
        lib.find.set_rights(asset_id=asset_id, user_id=user.id, edit_times=times, **fields)
    return lib.find.metadata(asset_id, user.id)


def _folder(f: SmartFolderRecord) -> SmartFolderRead:
    return SmartFolderRead(
        id=f.id, name=f.name, match="any" if f.match == "any" else "all",
        rules=[str(r) for r in f.rules], count=f.count,
    )


@router.get(
    "/smart-folders",
    response_model=list[SmartFolderRead],
    summary="Your saved searches with their live counts (extension)",
    responses=errors(401),
)
def list_smart(user: CurrentUser, lib: Library) -> list[SmartFolderRead]:
    return [_folder(f) for f in lib.find.smart_folders(user.id)]


@router.post(
    "/smart-folders",
    response_model=SmartFolderRead,
    status_code=201,
    summary="Save a search: rules such as rating>=4 or color=#c0392b (extension)",
    responses=errors(400, 401, 422),
)
def add_smart(user: CurrentUser, lib: Library, body: Annotated[SmartFolderCreate, Body()]) -> SmartFolderRead:
    folder = lib.find.add_smart(body.name, body.rules, body.match, user.id)
    count = lib.find.count(lib.find.folder_find(folder, user.id))
    return _folder(SmartFolderRecord(folder.id, folder.name, folder.match, folder.rules, count))


@router.delete(
    "/smart-folders/{folder_id}",
    response_model=DeleteResult,
    summary="Delete a saved search (extension)",
    responses=errors(401, 404),
)
def remove_smart(folder_id: int, user: CurrentUser, lib: Library) -> DeleteResult:
    lib.find.remove_smart(str(folder_id), user.id)
    return DeleteResult(success=True, message=f"Smart folder {folder_id} deleted")


@router.post(
    "/smart-folder-sync",
    response_model=SmartFolderSync,
    summary="Merge your smart folders and their deletions with the server's (extension)",
    description="For each `uid` the later `editedAt` wins, a deletion (no `name`) included. "
    "The answer holds every folder and deletion the server now has.",
    responses=errors(400, 401, 413, 422),
)
def sync_smart(
    user: CurrentUser, lib: Library, body: Annotated[SmartFolderSync, Body()]
) -> SmartFolderSync:
    states = parse_states([f.model_dump() for f in body.folders])
    if states:
        lib.find.merge_smart_state(states, user.id)
    return SmartFolderSync(
        folders=[SmartFolderState(**f.as_json()) for f in lib.find.smart_sync_state(user.id)]
    )


@router.post(
    "/campaign-rights-sync",
    response_model=CampaignRightsSync,
    summary="Merge your campaigns' usage rights with the server's (extension)",
    description="A campaign is named by `client` and `campaign` (names, compared without "
    "case). For each campaign the later `editedAt` wins whole; a campaign the server does not "
    "have and a malformed entry are left out. The answer holds every campaign's rights the "
    "server now has.",
    responses=errors(400, 401, 413, 422),
)
def sync_campaign_rights(
    user: CurrentUser, lib: Library, body: Annotated[CampaignRightsSync, Body()]
) -> CampaignRightsSync:
    states = campaign_sync.parse_states([c.model_dump() for c in body.campaigns])
    if states:
        lib.find.merge_campaign_rights(states, user.id)
    return CampaignRightsSync(
        campaigns=[CampaignRightsState(**c.as_json()) for c in lib.find.campaign_rights_state(user.id)]
    )
