"""The v1 dialect's errors: every error under /api/assets and /api/persons as {success: false, error}.

The status, message and headers come from the app's one table (app.server.errors.problem_for);
this dialect adds its code, its envelope and its API-key challenge.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from fastapi import Request
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
from app.server.errors import Dialect, DialectRoute, Problem, route_path
from app.server.jsondepth import JsonTooDeep

V1_PATH = re.compile(r"^/api/(assets|persons)(/|$)")
API_KEY_CHALLENGE = 'ApiKey header="x-api-key"'


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


def _default_message(status: int) -> str:
    return {
        401: "Missing or invalid API key",
        404: "Not found",
        405: "Method not allowed",
        422: "Invalid request",
    }.get(status, "Internal server error" if status >= 500 else "Bad request")


class EnvelopeDialect:
    """v1: {success: false, error: {code, message}}, and the x-api-key challenge on a 401."""

    def render(self, request: Request, exc: Exception, problem: Problem) -> Response:
        headers = {k: v for k, v in problem.headers.items() if k.lower() != "www-authenticate"}
        if problem.status == 401:
            headers["WWW-Authenticate"] = API_KEY_CHALLENGE
        message = problem.message or _default_message(problem.status)
        return envelope(problem.status, error_code(exc, problem.status), message, headers)


V1 = EnvelopeDialect()


class V1Route(DialectRoute):
    """The route class of v1's routers: their errors are rendered as the v1 envelope."""

    dialect: ClassVar[Dialect] = V1


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
