"""Extension: GET /api/v2/server-info, how a client learns what this server speaks."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from app import __app_name__, __version__
from app.server.deps import Library

router = APIRouter(prefix="/api/v2", tags=["server"])

EXTENSIONS = [
    "clients",
    "campaigns",
    "asset-update",
    "login",
    "idempotency",
    "changes",
    "tags-on-upload",
    "find-sync",
    "smart-folder-sync",
    "campaign-rights-sync",
    "deleted-state",
]


class ServerInfo(BaseModel):
    name: str
    version: str
    apiVersion: Literal[2]
    extensions: list[str]
    maxUploadBytes: int


@router.get(
    "/server-info",
    response_model=ServerInfo,
    summary="What this server is and which extensions it speaks (no authentication)",
)
def server_info(lib: Library) -> ServerInfo:
    return ServerInfo(
        name=__app_name__,
        version=__version__,
        apiVersion=2,
        extensions=EXTENSIONS,
        maxUploadBytes=lib.max_bytes,
    )
