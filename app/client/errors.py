"""What can go wrong talking to a server, one exception per kind; str() is the user-facing line."""

from __future__ import annotations

from app.core.errors import AtelierError


class ApiError(AtelierError):
    """A request that did not succeed; status is the HTTP status when there was a response."""

    def __init__(self, message: str, status: int | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail if detail is not None else message


class ServerUnreachable(ApiError):
    """No answer: refused, reset, timed out, name not found. Sync reports this as 'offline'."""


class AuthFailed(ApiError):
    """401: wrong user name/password or a token the server no longer accepts."""


class Forbidden(ApiError):
    """403: the object belongs to someone else."""


class RemoteNotFound(ApiError):
    """404."""


class RemoteConflict(ApiError):
    """409, e.g. a client name that already exists."""


class InvalidRequest(ApiError):
    """400/413/422: the server refused what was sent (a rejected file, a bad field)."""


class ServerError(ApiError):
    """5xx after the retries ran out."""


class ProtocolError(ApiError):
    """The server answered something the API does not allow (bad JSON, wrong length, ...)."""


class UnsafeRedirect(ProtocolError):
    """A redirect to another origin: never followed, so the token never leaves its server."""


def error_for_status(status: int, detail: str) -> ApiError:
    """The exception for an HTTP error status, carrying the server's own reason."""
    if status == 401:
        return AuthFailed(f"The server refused the credentials: {detail}", status, detail)
    if status == 403:
        return Forbidden(detail, status, detail)
    if status == 404:
        return RemoteNotFound(detail, status, detail)
    if status == 409:
        return RemoteConflict(detail, status, detail)
    if status in (400, 413, 415, 422):
        return InvalidRequest(detail, status, detail)
    if status >= 500:
        return ServerError(f"Server error {status}: {detail}", status, detail)
    return ApiError(f"Unexpected answer {status}: {detail}", status, detail)
