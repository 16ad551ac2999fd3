"""The v1 error envelope: every error under /api/assets and /api/persons as {success: false, error}.

The app's own handlers (app.server.errors, the one place that maps domain errors to a
status and a message) still decide; on v1 paths their {"detail": ...} answer is re-wrapped.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.v1 import V1ErrorBody, V1Failure
from app.core.errors import (
    AtelierError,
    EmptyFile,
    FileTooLarge,
    InvalidFileType,
    RejectedFile,
    UnreadableFile,
)
from app.library.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from app.server.jsondepth import JsonTooDeep

V1_PATH = re.compile(r"^/api/(assets|persons)(/|$)")
API_KEY_CHALLENGE = 'ApiKey header="x-api-key"'

Handler = Callable[[Request, Exception], Awaitable[Response] | Response]


class NotAnImage(RejectedFile):
    """A file of an allowed format that is not an image: the v1 dialect only takes images."""

    def __init__(self, mime: str) -> None:
        super().__init__(f"Invalid file type: {mime}. Allowed: images (jpg, png, gif, webp)")
        self.mime = mime

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.mime,))


class InvalidBody(InvalidInput):
    """A request body that cannot be read: malformed JSON or multipart, bad base64."""


# Most specific first.
_CODE_FOR: tuple[tuple[type[AtelierError], str], ...] = (
    (InvalidFileType, "INVALID_FILE_TYPE"),
    (NotAnImage, "INVALID_FILE_TYPE"),
    (FileTooLarge, "FILE_TOO_LARGE"),
    (EmptyFile, "EMPTY_FILE"),
    (UnreadableFile, "UNREADABLE_FILE"),
    (RejectedFile, "INVALID_FILE"),
    (InvalidBody, "INVALID_BODY"),
    (InvalidInput, "INVALID_INPUT"),
    (AuthenticationFailed, "UNAUTHORIZED"),
    (PermissionDenied, "FORBIDDEN"),
    (NotFound, "NOT_FOUND"),
    (Conflict, "CONFLICT"),
)
_CODE_FOR_STATUS: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def route_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def is_v1_path(request: Request) -> bool:
    return bool(V1_PATH.match(route_path(request.scope)))


def error_code(exc: Exception, status: int) -> str:
    if isinstance(exc, JsonTooDeep):
        return "INVALID_BODY"
    if isinstance(exc, AtelierError):
        for cls, code in _CODE_FOR:
            if isinstance(exc, cls):
                return code
    return _CODE_FOR_STATUS.get(status, "BAD_REQUEST" if status < 500 else "INTERNAL_ERROR")


def envelope(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = V1Failure(error=V1ErrorBody(code=code, message=message))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _rewrap(exc: Exception, response: Response) -> JSONResponse:
    try:
        payload = json.loads(bytes(response.body))
        detail = payload.get("detail") if isinstance(payload, dict) else None
    except (ValueError, AttributeError):
        detail = None
    status = response.status_code
    message = detail if isinstance(detail, str) and detail else _default_message(status)
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("content-length", "content-type", "www-authenticate")
    }
    if status == 401:
        headers["WWW-Authenticate"] = API_KEY_CHALLENGE
    return envelope(status, error_code(exc, status), message, headers)


def _default_message(status: int) -> str:
    return {
        401: "Missing or invalid API key",
        404: "Not found",
        405: "Method not allowed",
        422: "Invalid request",
    }.get(status, "Internal server error" if status >= 500 else "Bad request")


def install(app: FastAPI) -> None:
    """Wrap every exception handler app has now so that, on v1 paths, its answer is an envelope.

    Call it after the app's own handlers are registered.
    """
    for key, original in list(app.exception_handlers.items()):
        app.exception_handlers[key] = scoped(original)


def scoped(original: Handler) -> Handler:
    """original's answer, re-wrapped as the v1 envelope on v1 paths."""

    async def handler(request: Request, exc: Exception) -> Response:
        result = original(request, exc)
        response = await result if inspect.isawaitable(result) else result
        if not is_v1_path(request) or not isinstance(response, JSONResponse):
            return response
        return _rewrap(exc, response)

    return handler


class DeclaredBodyLimit:
    """ASGI middleware: a v1 JSON body declared larger than the app's limit gets a 413 envelope
    before anything else reads it (the app's own guard would answer in the v2 shape)."""

    def __init__(self, app: ASGIApp, limit: int, exempt: frozenset[str]) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope)
        if scope["type"] == "http" and path not in self.exempt and V1_PATH.match(path):
            declared = dict(scope["headers"]).get(b"content-length", b"")
            if declared.isdigit() and int(declared) > self.limit:
                response = envelope(
                    413, "PAYLOAD_TOO_LARGE", "Request body too large", {"Connection": "close"}
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
