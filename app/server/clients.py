"""Extension: the caller's clients (list, create, read, rename, delete with cascade)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.api.schemas import CascadeDeleteResult, ClientCreate, ClientRead, ClientUpdate
from app.library.wire import client_read
from app.server.deps import ClientId, CurrentUser, Library
from app.server.responses import errors

router = APIRouter(prefix="/api/v2/clients", tags=["clients"])


@router.get("", response_model=list[ClientRead], summary="List your clients", responses=errors(401))
def list_clients(user: CurrentUser, lib: Library) -> list[ClientRead]:
    return [client_read(c) for c in lib.list_clients(user.id)]


@router.post(
    "",
    status_code=201,
    response_model=ClientRead,
    summary="Create a client",
    responses=errors(400, 401, 409, 413, 422),
)
def create_client(
    body: Annotated[ClientCreate, Body()], user: CurrentUser, lib: Library
) -> ClientRead:
    return client_read(lib.create_client(body.name, user.id))


@router.get(
    "/{client_id}", response_model=ClientRead, summary="Get a client", responses=errors(400, 401, 404)
)
def get_client(client_id: ClientId, user: CurrentUser, lib: Library) -> ClientRead:
    return client_read(lib.get_client(client_id, user.id))


@router.patch(
    "/{client_id}",
    response_model=ClientRead,
    summary="Rename a client",
    responses=errors(400, 401, 404, 409, 413, 422),
)
def rename_client(
    client_id: ClientId, body: Annotated[ClientUpdate, Body()], user: CurrentUser, lib: Library
) -> ClientRead:
    lib.rename_client(client_id, body.name, user.id)
    # Re-read for the asset count, which a rename does not compute.
    return client_read(lib.get_client(client_id, user.id))


@router.delete(
    "/{client_id}",
    response_model=CascadeDeleteResult,
    summary="Delete a client, its campaigns and all their assets",
    responses=errors(400, 401, 404),
)
def delete_client(client_id: ClientId, user: CurrentUser, lib: Library) -> CascadeDeleteResult:
    count = lib.delete_client(client_id, user.id)
    return CascadeDeleteResult(
        success=True, message=f"Client {client_id} deleted successfully", deletedAssets=count
    )
