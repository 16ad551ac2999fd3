"""The one place where domain errors become HTTP responses ({"detail": "..."} bodies)."""

from __future__ import annotations

import logging
import math
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import AtelierError, RejectedFile
from app.library.blobs import StorageUnavailable
from app.library.errors import (
    AuthenticationFailed,
    Conflict,
    DatabaseUnavailable,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Throttled,
)

log = logging.getLogger("atelier.server")

# Most specific first: the first matching class decides the status.
STATUS_FOR: tuple[tuple[type[AtelierError], int], ...] = (
    (RejectedFile, 400),  # InvalidFileType, FileTooLarge, EmptyFile, UnreadableFile
    (InvalidInput, 400),
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (StorageUnavailable, 503),  # the object store is down: nothing was kept, retry later
    (DatabaseUnavailable, 503),
)


class BadUpload(InvalidInput):
    """A multipart body that cannot be read as an upload (no file, malformed, too many parts)."""


def status_for(exc: AtelierError) -> int:
    for cls, status in STATUS_FOR:
        if isinstance(exc, cls):
            return status
    return 400


def error_response(request: Request, status: int, detail: str) -> JSONResponse:
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 503:
        headers["Retry-After"] = "5"
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists for this path (Starlette names only one route's)."""
    table = getattr(request.app.state, "allowed_methods", None)
    if table is None:
        table = []
        for template, operations in request.app.openapi().get("paths", {}).items():
            pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
            table.append((re.compile(f"^{pattern}$"), sorted(m.upper() for m in operations)))
        request.app.state.allowed_methods = table
    path = request.url.path
    return next((methods for regex, methods in table if regex.match(path)), [])


def _validation_message(exc: RequestValidationError) -> str:
    """FastAPI's list of problems as one line: where and what, for the first few."""
    parts = []
    for err in exc.errors()[:3]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        where = ".".join(loc)
        message = str(err.get("msg", "invalid value"))
        if err.get("type") == "missing":
            message = "Field required"
        parts.append(f"{where}: {message}" if where else message)
    return "Invalid request: " + "; ".join(parts) if parts else "Invalid request"


def install(app: FastAPI) -> None:
    """Register the handlers on app."""

    @app.exception_handler(AtelierError)
    async def _domain(request: Request, exc: AtelierError) -> JSONResponse:
        return error_response(request, status_for(exc), str(exc) or exc.__class__.__name__)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(request, 422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = error_response(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response

    @app.exception_handler(Throttled)
    async def _throttled(request: Request, exc: Throttled) -> JSONResponse:
        response = error_response(request, 429, str(exc))
        response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return response


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    """The answer to a bug (CatchAll logs it): no detail of it leaves the server."""
    return error_response(request, 500, "Internal server error")
