"""Domain errors of the library; each front end maps them to its own way of saying so."""

from app.core.errors import AtelierError


class NotFound(AtelierError):
    """No such asset, client, campaign, user or token."""


class PermissionDenied(AtelierError):
    """The object exists but belongs to another user."""


class Conflict(AtelierError):
    """The change contradicts existing data (a duplicate name, a campaign of another client)."""


class InvalidInput(AtelierError):
    """A malformed id or value."""


class AuthenticationFailed(AtelierError):
    """Wrong user name, password or token."""


class DatabaseUnavailable(AtelierError):
    """The database cannot be opened: a wrong URL, a missing driver or an unreachable server."""


class Throttled(AtelierError):
    """Too many failed attempts; retry_after is the number of seconds until one is heard again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (str(self), self.retry_after))


class NewerSchema(DatabaseUnavailable):
    """The database carries a schema revision this Atelier has no migration for."""
