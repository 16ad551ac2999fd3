"""Extension: POST /api/v2/auth/login trades a user name and password for a Bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request

from app.api.schemas import LoginRequest, TokenRead
from app.server.deps import Library, get_settings
from app.server.responses import errors

router = APIRouter(prefix="/api/v2/auth", tags=["auth"])


@router.post(
    "/login",
    response_model=TokenRead,
    summary="Log in: a new Bearer token for a user name and password",
    description="Failed logins are throttled per user name and per address, across all "
    "workers: past the free attempts, each failure locks both for a time that doubles "
    "(`429` with `Retry-After`, the password not even checked).",
    responses=errors(400, 401, 413, 422, 429),
)
def login(body: Annotated[LoginRequest, Body()], lib: Library, request: Request) -> TokenRead:
    address = request.client.host if request.client else None
    policy = get_settings(request).login_policy()
    user = lib.authenticate(body.username, body.password, address=address, policy=policy)
    token = lib.create_token(user.username, label="login")
    return TokenRead(token=token, tokenType="bearer", username=user.username, userId=user.id)
