"""Extension: POST /api/v2/auth/login trades a user name and password for a Bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from app.api.schemas import LoginRequest, TokenRead
from app.server.deps import Library
from app.server.responses import errors

router = APIRouter(prefix="/api/v2/auth", tags=["auth"])


@router.post(
    "/login",
    response_model=TokenRead,
    summary="Log in: a new Bearer token for a user name and password",
    responses=errors(400, 401, 413, 422),
)
def login(body: Annotated[LoginRequest, Body()], lib: Library) -> TokenRead:
    user = lib.authenticate(body.username, body.password)
    token = lib.create_token(user.username, label="login")
    return TokenRead(token=token, tokenType="bearer", username=user.username, userId=user.id)
