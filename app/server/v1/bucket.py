"""Temporary "bucket" uploads: no database row, an unguessable name, removed when they expire."""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from app.core.formats import FORMAT_MIME
from app.library.blobs import Blobs, LocalBlobs
from app.library.storage import StoredFile

BUCKET_DIR_NAME: Final[str] = "bucket"
DEFAULT_TTL: Final[float] = 24 * 3600.0
# Files of the allowed image formats only; the token part is 32 URL-safe characters (192 bits).
_NAME = re.compile(r"^([A-Za-z0-9_-]{32})\.(jpg|png|gif|webp)$")


@dataclass(frozen=True, slots=True)
class BucketFile:
    """A temporary file and what its upload said about it (kept in a JSON sidecar)."""

    name: str
    user_id: int
    display_name: str
    description: str | None
    mime: str
    size: int
    created_at: float
    expires_at: float


class Bucket:
    """A folder of temporary files (in the library folder or the object store); names are validated."""

    def __init__(self, root: Path | Blobs, ttl: float = DEFAULT_TTL) -> None:
        if ttl <= 0:
            raise ValueError("The bucket lifetime must be positive")
        self.blobs: Blobs = LocalBlobs(root) if isinstance(root, Path) else root
        self.ttl = ttl

    @property
    def root(self) -> Path:
        """The folder (local storage only)."""
        assert isinstance(self.blobs, LocalBlobs)
        return self.blobs.root

    def path_of(self, name: str) -> Path | None:
        return self.root / name if _NAME.match(name) else None

    def stored(self, name: str) -> StoredFile | None:
        if not _NAME.match(name):
            return None
        blob = self.blobs.stat(name)
        if blob is None:
            return None
        local = self.blobs.path(name) if isinstance(self.blobs, LocalBlobs) else None
        return StoredFile(blob, local, lambda: self.blobs.open(name))

    def put(
        self,
        staged: Path,
        fmt: str,
        *,
        user_id: int,
        display_name: str,
        description: str | None,
        size: int,
    ) -> BucketFile:
        """Move a validated staged file in; its sidecar comes last (a file without one is junk)."""
        if fmt not in ("jpg", "png", "gif", "webp"):
            raise ValueError(f"Not an image format: {fmt!r}")
        name = f"{secrets.token_urlsafe(24)}.{fmt}"
        now = time.time()
        entry = BucketFile(
            name=name,
            user_id=user_id,
            display_name=display_name,
            description=description,
            mime=FORMAT_MIME[fmt],
            size=size,
            created_at=now,
            expires_at=now + self.ttl,
        )
        self.blobs.put_file(name, staged)
        self.blobs.put_bytes(f"{name}.json", json.dumps(asdict(entry)).encode())
        return entry

    def get(self, name: str, now: float | None = None) -> BucketFile | None:
        """The live file of that name, or None (unknown, malformed or expired)."""
        if not _NAME.match(name) or self.blobs.stat(name) is None:
            return None
        entry = self._read_sidecar(f"{name}.json")
        if entry is None or entry.expires_at <= (time.time() if now is None else now):
            return None
        return entry

    def list_for(self, user_id: int, now: float | None = None) -> list[BucketFile]:
        """A user's live files, newest first."""
        moment = time.time() if now is None else now
        names = {b.name for b in self.blobs.list()}
        out = []
        for sidecar in names:
            if not sidecar.endswith(".json") or sidecar.startswith("."):
                continue
            entry = self._read_sidecar(sidecar)
            if (
                entry is not None
                and entry.user_id == user_id
                and entry.expires_at > moment
                and entry.name in names
            ):
                out.append(entry)
        out.sort(key=lambda e: (e.created_at, e.name), reverse=True)
        return out

    def cleanup(self, now: float | None = None) -> int:
        """Remove expired files and leftovers of interrupted uploads; returns how many went."""
        moment = time.time() if now is None else now
        blobs = {b.name: b for b in self.blobs.list()}
        doomed: list[str] = []
        removed = 0
        for name, blob in blobs.items():
            if name.endswith(".json") and not name.startswith("."):
                meta = self._read_sidecar(name)
                data = name[: -len(".json")]
                if meta is None or meta.expires_at <= moment or data not in blobs:
                    if data in blobs and _NAME.match(data):
                        doomed.append(data)
                        removed += 1
                    doomed.append(name)
            elif f"{name}.json" not in blobs:
                # No sidecar: an upload that never finished, or a stray file. Give a
                # concurrent upload (file placed, sidecar about to be written) a minute.
                if blob.mtime < moment - 60:
                    doomed.append(name)
                    removed += 1
        try:
            self.blobs.delete(doomed)
        except OSError:
            pass  # unreadable or gone meanwhile: next time
        return removed

    def _read_sidecar(self, name: str) -> BucketFile | None:
        try:
            raw = self.blobs.get_bytes(name)
            if raw is None:
                return None
            return BucketFile(**json.loads(raw.decode("utf-8")))
        except (ValueError, TypeError):
            return None
