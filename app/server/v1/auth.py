"""The v1 caller: the owner of the `x-api-key` header's key (keys from `atelier keys create`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader

from app.library.errors import AuthenticationFailed
from app.library.records import UserRecord
from app.server.deps import Library

api_key_header = APIKeyHeader(
    name="x-api-key",
    auto_error=False,
    description="An API key from `atelier keys create USER` (only its hash is stored).",
)


def api_key_user(key: Annotated[str | None, Security(api_key_header)], lib: Library) -> UserRecord:
    """The key's owner, or 401 (missing, unknown or revoked key)."""
    if not key or not key.strip():
        raise AuthenticationFailed("Missing API key: send it in the x-api-key header")
    try:
        return lib.user_for_token(key.strip(), kind="apikey")
    except AuthenticationFailed:
        raise AuthenticationFailed("Invalid or revoked API key") from None


ApiKeyUser = Annotated[UserRecord, Depends(api_key_user)]
