"""A typed client for the v2 Asset API (and Atelier's documented extensions) on requests."""

from app.client.api import ApiClient, Download, ServerInfo
from app.client.errors import (
    ApiError,
    AuthFailed,
    Forbidden,
    InvalidRequest,
    ProtocolError,
    RemoteConflict,
    RemoteNotFound,
    ServerError,
    ServerUnreachable,
    UnsafeRedirect,
)

__all__ = [
    "ApiClient",
    "ApiError",
    "AuthFailed",
    "Download",
    "Forbidden",
    "InvalidRequest",
    "ProtocolError",
    "RemoteConflict",
    "RemoteNotFound",
    "ServerError",
    "ServerInfo",
    "ServerUnreachable",
    "UnsafeRedirect",
]
