"""Two-way sync of a library with asset servers: plan, apply, resume."""

from app.library.sync_store import RemoteConfig, SyncStore
from app.sync.apply import SyncProgress
from app.sync.engine import ClientOptions, SyncEngine, SyncReport, open_remote
from app.sync.errors import Cancelled, MassDeletion, SyncError
from app.sync.plan import Action, Plan
from app.sync.remotes import add_remote, remove_remote

__all__ = [
    "Action",
    "Cancelled",
    "ClientOptions",
    "MassDeletion",
    "Plan",
    "RemoteConfig",
    "SyncEngine",
    "SyncError",
    "SyncProgress",
    "SyncReport",
    "SyncStore",
    "add_remote",
    "open_remote",
    "remove_remote",
]
