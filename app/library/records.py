"""Plain records handed to front ends instead of ORM objects, and the library's query/report types."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Literal

SortKey = Literal["newest", "oldest", "name", "size", "type"]


@dataclass(slots=True)
class AssetRecord:
    """One asset as front ends see it. Treat it as read-only.

    Not frozen: a frozen dataclass sets each of its fields through object.__setattr__,
    which made building a page of records ten times slower than reading it from SQLite.

    Its fields are the one list of what a record reads (RECORD_FIELDS): each is the assets
    column of the same name, except the JOINED names, and rows carry them in this order.
    """

    id: str
    user_id: int | None
    client_id: str | None
    campaign_id: str | None
    name: str
    asset_type: str
    format: str
    mime: str
    size: int | None
    uploaded_at: datetime
    updated_at: datetime
    tags: list[str] | None
    width: int | None
    height: int | None
    duration: int | None
    page_count: int | None
    sha256: str
    change_seq: int
    purpose: str | None = None
    description: str | None = None
    # Where the API serves the file, thumbnail and waveform, relative to the server's root:
    # the columns are what the wire shows (repository.stored_urls writes them), None: there is none.
    url: str = ""
    thumbnail_url: str | None = None
    waveform_url: str | None = None
    client_name: str | None = None
    campaign_name: str | None = None


# The record's fields in the order a row of repository.asset_rows() carries them.
RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(AssetRecord))
# Fields read from the asset's client and campaign, not from the assets table.
JOINED_FIELDS: tuple[str, ...] = ("client_name", "campaign_name")


@dataclass(frozen=True, slots=True)
class ClientRecord:
    id: str
    user_id: int | None
    name: str
    created_at: datetime
    updated_at: datetime
    asset_count: int = 0


@dataclass(frozen=True, slots=True)
class CampaignRecord:
    id: str
    client_id: str
    name: str
    created_at: datetime
    updated_at: datetime
    asset_count: int = 0


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    username: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A token or API key as listed; the secret itself is never stored, so never shown."""

    id: int
    user_id: int
    kind: str
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(slots=True)
class AssetQuery:
    """Filters for listing assets. None means 'any'; unassigned=True means no client and no campaign."""

    user_id: int | None = None
    client_id: str | None = None
    campaign_id: str | None = None
    asset_type: str | None = None
    purpose: str | None = None
    text: str | None = None
    unassigned: bool = False
    sort: SortKey = "newest"
    has_purpose: bool = False  # only assets with a purpose (face or template), whichever
    # From share links: approved, changes_requested, commented (comments, no decision) or unreviewed.
    review_status: str | None = None
    review_after: int | None = None  # only assets with a review stored after this local review id
    # Find rules ("rating>=4", "color=#ff0000"), matched all or any: the library answers
    # such a query through its Finder (the window's smart folders, colour and similar search).
    rules: tuple[str, ...] = ()
    match: str = "all"
    required: tuple[str, ...] = ()  # rules matched whatever `match` says (a colour chip)


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Keyset position: the sort value and id of the last row of the previous page."""

    value: object
    id: str


class Unset:
    """Marks a field of an edit that is not being changed (None is a real value: 'clear it')."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = Unset()


@dataclass(frozen=True, slots=True)
class AssetChanges:
    """An edit of an asset; fields left as UNSET are not touched, None clears."""

    name: str | Unset = UNSET
    tags: list[str] | None | Unset = UNSET
    client_id: str | None | Unset = UNSET
    campaign_id: str | None | Unset = UNSET
    purpose: str | None | Unset = UNSET
    description: str | None | Unset = UNSET


@dataclass(frozen=True, slots=True)
class Rejected:
    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class Duplicate:
    path: Path
    existing_id: str
    existing_name: str


@dataclass(slots=True)
class ImportProgress:
    total: int
    done: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    current: str = ""


@dataclass(slots=True)
class ImportReport:
    imported: list[AssetRecord] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored: list[Path] = field(default_factory=list)
    cancelled: bool = False
    # Imported assets that look like another asset of the library (kept, not blocked):
    # (imported asset id, its name, the other asset's id, its name, differing hash bits).
    looks_like: list[tuple[str, str, str, str, int]] = field(default_factory=list)


class CancelToken:
    """Set from any thread to stop long work at the next file boundary."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass(frozen=True, slots=True)
class IntegrityIssue:
    kind: Literal["missing_file", "orphan_file", "hash_mismatch", "missing_thumbnail", "temp_file"]
    asset_id: str | None
    path: Path | None
    detail: str


@dataclass(slots=True)
class IntegrityReport:
    checked: int = 0
    issues: list[IntegrityIssue] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    # What a repair could not fix (the asset stays flagged) and the rows it did not remove.
    unrepaired: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # asset ids whose file is missing

    @property
    def clean(self) -> bool:
        return not self.issues


@dataclass(frozen=True, slots=True)
class ChangeSet:
    cursor: int
    has_more: bool
    assets: list[AssetRecord]
    deleted: list[tuple[str, datetime]]
    # Deleted asset id -> its state when deleted (an AssetState as JSON), when kept.
    last: dict[str, str] = field(default_factory=dict)
