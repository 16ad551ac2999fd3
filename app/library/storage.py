"""The files of a library: assets/{id}.{format} and {id}_thumb.jpg, in a folder or an object store."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.core.formats import FORMATS
from app.library import preview_cache
from app.library.blobs import Blob, Blobs, LocalBlobs, StorageUnavailable

STAGING_DIR_NAME = ".incoming"

__all__ = ["Blob", "Storage", "StorageUnavailable", "StoredFile", "UnsafePath", "new_id", "validate_uuid"]


class UnsafePath(ValueError):
    """An id or format that would put a path outside assets/."""


def validate_uuid(value: str) -> str:
    """The canonical form of a UUID string, or UnsafePath."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        raise UnsafePath(f"Invalid asset id: {value!r}") from None


def new_id() -> str:
    return str(uuid.uuid4())


def asset_name(asset_id: str, fmt: str) -> str:
    if fmt not in FORMATS:
        raise UnsafePath(f"Unknown format: {fmt!r}")
    return f"{validate_uuid(asset_id)}.{fmt}"


def thumb_name(asset_id: str) -> str:
    return f"{validate_uuid(asset_id)}_thumb.jpg"


class Storage:
    """Where a library's files live: `blobs` (a folder or an object store) and a local scratch folder.

    Uploads and imports are always staged in assets/.incoming on this machine (magic bytes and
    probing need a seekable file), then placed in the blobs; names are built from validated
    UUIDs and whitelisted formats only.
    """

    def __init__(self, root: Path, blobs: Blobs | None = None) -> None:
        self.root = root
        self.assets_dir = (root / "assets").resolve()
        self.staging_dir = self.assets_dir / STAGING_DIR_NAME
        self.assets_dir.mkdir(parents=True, exist_ok=True)
        self.staging_dir.mkdir(exist_ok=True)
        self.blobs: Blobs = blobs if blobs is not None else LocalBlobs(self.assets_dir)

    @property
    def is_local(self) -> bool:
        """True when the files are in assets/ on this machine (the desktop's case)."""
        return isinstance(self.blobs, LocalBlobs) and self.blobs.root == self.assets_dir

    def describe(self) -> str:
        return self.blobs.describe()

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if resolved.parent != self.assets_dir:
            raise UnsafePath(f"Path escapes the library: {path}")
        return resolved

    def asset_path(self, asset_id: str, fmt: str) -> Path:
        """The file's path on this machine (local storage only; see is_local)."""
        return self._inside(self.assets_dir / asset_name(asset_id, fmt))

    def thumb_path(self, asset_id: str) -> Path:
        return self._inside(self.assets_dir / thumb_name(asset_id))

    def place(self, staged: Path, asset_id: str, fmt: str, thumb: Path | None) -> None:
        """Move staged files into the store: the thumbnail first, so a file never lacks one."""
        if thumb is not None:
            self.blobs.put_file(thumb_name(asset_id), thumb)
        self.blobs.put_file(asset_name(asset_id, fmt), staged)

    @property
    def previews_dir(self) -> Path:
        """This machine's cache of large previews (always local, whatever holds the files)."""
        return self.root / preview_cache.CACHE_DIR

    def remove(self, asset_id: str, fmt: str) -> None:
        # The cached previews first: they are local and cannot fail the way a store can.
        preview_cache.remove(self.previews_dir, [validate_uuid(asset_id)])
        self.blobs.delete([asset_name(asset_id, fmt), thumb_name(asset_id)])

    def stat_asset(self, asset_id: str, fmt: str) -> Blob | None:
        return self.blobs.stat(asset_name(asset_id, fmt))

    def stat_thumb(self, asset_id: str) -> Blob | None:
        return self.blobs.stat(thumb_name(asset_id))

    def open_asset(self, asset_id: str, fmt: str) -> BinaryIO:
        return self.blobs.open(asset_name(asset_id, fmt))

    def stored(self, asset_id: str, fmt: str | None) -> StoredFile | None:
        """The asset's file (fmt None: its thumbnail) as stored, or None when it is missing."""
        name = thumb_name(asset_id) if fmt is None else asset_name(asset_id, fmt)
        blob = self.blobs.stat(name)
        if blob is None:
            return None
        local = self.assets_dir / name if self.is_local else None
        return StoredFile(blob, local, lambda: self.blobs.open(name))

    def sync_dir(self) -> None:
        """fsync the folder so the renames survive a power cut (no-op where unsupported)."""
        self.blobs.sync()

    def clear_staging(self) -> int:
        """Remove temp files a crashed import left; returns how many."""
        count = 0
        for entry in os.scandir(self.staging_dir):
            if entry.is_file():
                Path(entry.path).unlink(missing_ok=True)
                count += 1
            elif entry.is_dir():
                shutil.rmtree(entry.path, ignore_errors=True)
                count += 1
        return count

    def iter_blobs(self) -> Iterator[Blob]:
        """Every stored file (assets and thumbnails), hidden names skipped."""
        return (b for b in self.blobs.list() if not b.name.startswith("."))

    def iter_files(self) -> list[Path]:
        """Local storage: every stored file as a path."""
        return [self.assets_dir / b.name for b in self.iter_blobs()]


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A stored file to serve: its size and time, its local path if any, and how to open it."""

    blob: Blob
    path: Path | None
    open: Callable[[], BinaryIO]
