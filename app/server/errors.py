"""The one error table (exception -> status, message, headers) and the dialects that render it.

Every exception an answer is made from goes through problem_for; each API dialect renders
the Problem in its own shape: v2 (this module) as {"detail": "..."}, v1 (app.server.v1.errors)
as its {success: false, error} envelope. A route class marks a dialect's routes; a request
no route matched (404, 405, a body refused before routing, a 500) takes the dialect of its
path, and v2 where no dialect claims the path.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

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


@dataclass(frozen=True)
class Problem:
    """What an error answer says, whatever its dialect: the status, a one-line message and the
    headers it needs (Retry-After, Allow, ...). The authentication challenge is the dialect's."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


UNEXPECTED = Problem(500, "Internal server error")


def problem_for(request: Request, exc: Exception) -> Problem:
    """The table: every exception the app answers, as a Problem (a bug is UNEXPECTED)."""
    if isinstance(exc, Throttled):
        return Problem(429, str(exc), {"Retry-After": str(max(1, math.ceil(exc.retry_after)))})
    if isinstance(exc, AtelierError):
        return _problem(status_for(exc), str(exc) or exc.__class__.__name__)
    if isinstance(exc, RequestValidationError):
        return _problem(422, _validation_message(exc))
    if isinstance(exc, StarletteHTTPException):
        problem = _problem(exc.status_code, str(exc.detail))
        problem.headers.update(exc.headers or {})
        if exc.status_code == 405:
            problem.headers["Allow"] = ", ".join(allowed_methods(request))
        return problem
    return UNEXPECTED


def _problem(status: int, message: str) -> Problem:
    return Problem(status, message, {"Retry-After": "5"} if status == 503 else {})


class Dialect(Protocol):
    """How one API dialect answers an error."""

    def render(self, request: Request, exc: Exception, problem: Problem) -> Response: ...


class DetailDialect:
    """v2 (and every route no other dialect claims): {"detail": "..."}, Bearer challenges."""

    def render(self, request: Request, exc: Exception, problem: Problem) -> Response:
        challenge = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else {}
        return JSONResponse(
            {"detail": problem.message},
            status_code=problem.status,
            headers={**challenge, **problem.headers},
        )


V2 = DetailDialect()
_DIALECT_KEY = "atelier.error_dialect"


class DialectRoute(APIRoute):
    """The route class of a dialect's routers (a subclass names the dialect). It marks each
    request it runs, so that whatever the route raises is rendered in that dialect, whatever
    the path; the app's one set of handlers reads the mark."""

    dialect: ClassVar[Dialect] = V2

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        dialect = self.dialect

        async def marked(request: Request) -> Response:
            request.scope[_DIALECT_KEY] = dialect
            return await handler(request)

        return marked


@dataclass
class Dialects:
    """Which dialect answers a request: its route's, else the first whose paths match, else v2."""

    by_path: list[tuple[re.Pattern[str], Dialect]] = field(default_factory=list)
    default: Dialect = V2

    def claim(self, paths: re.Pattern[str], dialect: Dialect) -> None:
        self.by_path.append((paths, dialect))

    def for_scope(self, scope: Scope) -> Dialect:
        marked: Dialect | None = scope.get(_DIALECT_KEY)
        if marked is not None:
            return marked
        path = route_path(scope)
        return next((d for regex, d in self.by_path if regex.match(path)), self.default)


def route_path(scope: Scope) -> str:
    """The path without the app's root_path (a reverse proxy's prefix)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def dialects(app: FastAPI) -> Dialects:
    found: Dialects = app.state.error_dialects
    return found


def render(request: Request, exc: Exception) -> Response:
    """The answer to exc in the request's dialect."""
    return dialects(request.app).for_scope(request.scope).render(request, exc, problem_for(request, exc))


def install(app: FastAPI) -> Dialects:
    """Register the one set of handlers on app; dialects other than v2 claim their paths on
    the Dialects returned."""
    app.state.error_dialects = table = Dialects()

    async def handle(request: Request, exc: Exception) -> Response:
        return render(request, exc)

    for kind in (AtelierError, RequestValidationError, StarletteHTTPException, Throttled):
        app.add_exception_handler(kind, handle)
    return table


async def unexpected(request: Request, exc: Exception) -> Response:
    """The answer to a bug (CatchAll logs it): no detail of it leaves the server."""
    return dialects(request.app).for_scope(request.scope).render(request, exc, UNEXPECTED)
