"""Errors of the sync engine; str() is the one line a user sees."""

from __future__ import annotations

from app.client.errors import AuthFailed, ServerError, ServerUnreachable
from app.core.errors import AtelierError


class SyncError(AtelierError):
    """A sync that could not run or finish."""


class Cancelled(SyncError):
    """The user pressed Cancel (or Ctrl-C); what was done so far is kept and resumes next time."""


class MassDeletion(SyncError):
    """The plan deletes more than half of one side's assets: it needs an explicit go-ahead."""


# Failures that concern the whole server, not one asset: stop, the next sync resumes.
FATAL = (ServerUnreachable, AuthFailed, ServerError, Cancelled)
