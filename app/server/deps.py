"""Request dependencies: the library, the caller (Bearer token), absolute base URL, validated ids."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.library.errors import AuthenticationFailed, InvalidInput
from app.library.records import UserRecord
from app.library.service import LibraryService
from app.library.storage import UnsafePath, validate_uuid
from app.server.limits import UploadGate
from app.server.settings import ServerSettings

bearer = HTTPBearer(
    auto_error=False,
    description="A token from `atelier tokens create USER` or POST /api/v2/auth/login.",
)


# Dependencies that do no I/O are coroutines: FastAPI runs a plain function dependency in a
# worker thread, and each such hop (a thread handoff and a loop wake-up) cost about as much
# as reading a page of assets.
async def get_library(request: Request) -> LibraryService:
    return request.app.state.library  # type: ignore[no-any-return]


def get_settings(request: Request) -> ServerSettings:
    return request.app.state.settings  # type: ignore[no-any-return]


def upload_gate(request: Request) -> UploadGate:
    return request.app.state.upload_gate  # type: ignore[no-any-return]


def token_user(lib: LibraryService, credentials: HTTPAuthorizationCredentials | None) -> UserRecord:
    """The owner of the Bearer token, or 401 (a database read: call it in a worker thread)."""
    if credentials is None or not credentials.credentials:
        raise AuthenticationFailed("Not authenticated")
    return lib.user_for_token(credentials.credentials)


def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    lib: Annotated[LibraryService, Depends(get_library)],
) -> UserRecord:
    """The owner of the Bearer token, or 401."""
    return token_user(lib, credentials)


# For a route that checks the token itself, in the same worker thread as its own work.
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def base_url(request: Request) -> str:
    """What absolute URLs start with: the configured public URL, else this request's base URL."""
    configured = get_settings(request).public_base_url
    return configured or str(request.base_url).rstrip("/")


def uuid_or_error(value: str, what: str) -> str:
    try:
        return validate_uuid(value)
    except UnsafePath:
        raise InvalidInput(f"Invalid {what} ID format") from None


def optional_uuid(value: str | None, what: str) -> str | None:
    """An optional id from a form or body: empty means none, anything else must be a UUID."""
    if value is None or not value.strip():
        return None
    return uuid_or_error(value.strip(), what)


async def _asset_id(
    asset_id: Annotated[
        str, Path(description="The asset's UUID", json_schema_extra={"format": "uuid"})
    ],
) -> str:
    # Checked before any lookup, so a malformed id never reaches the database.
    return uuid_or_error(asset_id, "asset")


async def _client_id(
    client_id: Annotated[
        str, Path(description="The client's UUID", json_schema_extra={"format": "uuid"})
    ],
) -> str:
    return uuid_or_error(client_id, "client")


async def _campaign_id(
    campaign_id: Annotated[
        str, Path(description="The campaign's UUID", json_schema_extra={"format": "uuid"})
    ],
) -> str:
    return uuid_or_error(campaign_id, "campaign")


Library = Annotated[LibraryService, Depends(get_library)]
CurrentUser = Annotated[UserRecord, Depends(current_user)]
BaseUrl = Annotated[str, Depends(base_url)]
AssetId = Annotated[str, Depends(_asset_id)]
ClientId = Annotated[str, Depends(_client_id)]
CampaignId = Annotated[str, Depends(_campaign_id)]
