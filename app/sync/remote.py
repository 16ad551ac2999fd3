"""What sync needs of a server, as a small interface any API dialect can implement (v2 now, v1 later)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from app.library.records import UNSET, Unset

# Re-exported: sync speaks of them everywhere; they live with the library that stores them.
from app.library.sync_records import Filing as Filing
from app.library.sync_records import Snapshot as Snapshot


@dataclass(frozen=True, slots=True)
class RemoteAsset:
    id: str
    name: str
    tags: tuple[str, ...]
    filing: Filing | None
    asset_type: str
    format: str
    size: int | None
    uploaded_at: datetime
    sha256: str | None = None
    updated_at: datetime | None = None
    purpose: str | None = None  # face/template on a v1 server; it travels with the file
    # Per-field edit times (hybrid-clock stamps) from an Atelier server's feed; None: unknown.
    edit_times: dict[str, str] | None = None
    # Rating, label and own rights from a "find-sync" feed; None: unknown.
    rating: int | None = None
    label: str | None = None
    rights: tuple[str, ...] | None = None

    @property
    def snapshot(self) -> Snapshot:
        return Snapshot(self.name, self.tags, self.filing, self.rating, self.label, self.rights)


@dataclass(frozen=True, slots=True)
class RemoteCaps:
    """What a server can do beyond listing, downloading, uploading and deleting."""

    kind: str = "v2"
    server: str = "a server that speaks only the spec"
    feed: bool = False  # a change feed: incremental syncs
    update: bool = False  # edit name/tags/filing of an asset
    folders: bool = False  # clients and campaigns by name
    idempotency: bool = False  # Idempotency-Key on uploads
    tags_on_upload: bool = False
    find: bool = False  # ratings, labels and rights in the feed and PATCH .../metadata
    smart_folders: bool = False  # smart folders merged through POST /smart-folder-sync
    campaign_rights: bool = False  # campaigns' rights merged through POST /campaign-rights-sync
    max_upload_bytes: int | None = None


@dataclass(slots=True)
class ChangePage:
    cursor: int
    has_more: bool
    assets: list[RemoteAsset] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Deleted id -> the asset as it was when deleted (extension "deleted-state"), when told.
    last: dict[str, RemoteAsset] = field(default_factory=dict)
    smart_folders_at: str | None = None  # the server's latest smart-folder edit
    campaign_rights_at: str | None = None  # the server's latest campaign-rights edit


class FileStream(Protocol):
    """An open download: its announced size and its bytes in chunks."""

    size: int | None

    def chunks(self) -> Iterator[bytes]: ...


class Remote(Protocol):
    """A server seen by sync. Errors are app.client.errors exceptions."""

    url: str

    def connect(self) -> RemoteCaps: ...

    def changes(self, cursor: int) -> ChangePage: ...

    def list_assets(self) -> list[RemoteAsset]: ...

    def exists(self, remote_id: str) -> bool: ...

    def download(self, asset: RemoteAsset) -> AbstractContextManager[FileStream]: ...

    def upload(
        self,
        path: Path,
        *,
        name: str,
        tags: Sequence[str],
        filing: Filing,
        content_type: str,
        key: str | None,
        progress: Callable[[int, int], None] | None = None,
        purpose: str | None = None,
    ) -> RemoteAsset: ...

    def update(
        self,
        remote_id: str,
        *,
        name: str | Unset = UNSET,
        tags: Sequence[str] | Unset = UNSET,
        filing: Filing | Unset = UNSET,
        rating: int | Unset = UNSET,
        label: str | Unset = UNSET,
        rights: Sequence[str] | Unset = UNSET,
        edit_times: dict[str, str] | None = None,
    ) -> RemoteAsset | None:
        """The asset as the server then holds it; None when only rating, label or rights
        changed (their answer is not the asset, and reading it back would cost a request)."""
        ...

    def delete(self, remote_id: str) -> None: ...

    def close(self) -> None: ...
