"""Extension: the caller's campaigns (list by client, create, read, update, delete with cascade)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from app.api.schemas import CampaignCreate, CampaignRead, CampaignUpdate, CascadeDeleteResult
from app.library.errors import InvalidInput
from app.library.storage import UnsafePath, validate_uuid
from app.library.wire import campaign_read
from app.server.deps import CampaignId, CurrentUser, Library, uuid_or_error
from app.server.responses import errors

router = APIRouter(prefix="/api/v2/campaigns", tags=["campaigns"])


@router.get(
    "",
    response_model=list[CampaignRead],
    summary="List your campaigns",
    responses=errors(401, 422),
)
def list_campaigns(
    user: CurrentUser,
    lib: Library,
    clientId: Annotated[str | None, Query(description="Only this client's campaigns")] = None,
) -> list[CampaignRead]:
    client_id = None
    if clientId:
        try:
            client_id = validate_uuid(clientId)
        except UnsafePath:
            return []  # a malformed id matches no campaign
    return [campaign_read(c) for c in lib.list_campaigns(client_id, user.id)]


@router.post(
    "",
    status_code=201,
    response_model=CampaignRead,
    summary="Create a campaign under one of your clients",
    responses=errors(400, 401, 404, 409, 413, 422),
)
def create_campaign(
    body: Annotated[CampaignCreate, Body()], user: CurrentUser, lib: Library
) -> CampaignRead:
    client_id = uuid_or_error(body.clientId, "client")
    return campaign_read(lib.create_campaign(client_id, body.name, user.id))


@router.get(
    "/{campaign_id}",
    response_model=CampaignRead,
    summary="Get a campaign",
    responses=errors(400, 401, 404),
)
def get_campaign(campaign_id: CampaignId, user: CurrentUser, lib: Library) -> CampaignRead:
    return campaign_read(lib.get_campaign(campaign_id, user.id))


@router.patch(
    "/{campaign_id}",
    response_model=CampaignRead,
    summary="Rename a campaign or move it to another of your clients",
    description="Moving a campaign moves its assets (those filed under a client) along.",
    responses=errors(400, 401, 404, 409, 413, 422),
)
def update_campaign(
    campaign_id: CampaignId,
    body: Annotated[CampaignUpdate, Body()],
    user: CurrentUser,
    lib: Library,
) -> CampaignRead:
    present = body.model_fields_set
    if "name" in present and body.name is None:
        raise InvalidInput("name cannot be null")
    if "clientId" in present and body.clientId is None:
        raise InvalidInput("A campaign always belongs to a client: clientId cannot be null")
    client_id = uuid_or_error(body.clientId, "client") if body.clientId is not None else None
    lib.update_campaign(campaign_id, name=body.name, client_id=client_id, user_id=user.id)
    return campaign_read(lib.get_campaign(campaign_id, user.id))


@router.delete(
    "/{campaign_id}",
    response_model=CascadeDeleteResult,
    summary="Delete a campaign and all its assets",
    responses=errors(400, 401, 404),
)
def delete_campaign(
    campaign_id: CampaignId, user: CurrentUser, lib: Library
) -> CascadeDeleteResult:
    count = lib.delete_campaign(campaign_id, user.id)
    return CascadeDeleteResult(
        success=True, message=f"Campaign {campaign_id} deleted successfully", deletedAssets=count
    )
