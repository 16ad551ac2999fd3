"""Temporary "bucket" uploads: no database row, an unguessable name, removed when they expire."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from app.core.formats import FORMAT_MIME

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
    """A folder of temporary files; every path is built from a validated name."""

    def __init__(self, root: Path, ttl: float = DEFAULT_TTL) -> None:
        if ttl <= 0:
            raise ValueError("The bucket lifetime must be positive")
        self.root = root
        self.ttl = ttl
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, name: str) -> Path | None:
        return self.root / name if _NAME.match(name) else None

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
        target = self.root / name
        try:
            os.replace(staged, target)
        except OSError:
            # The staging folder may sit on another filesystem (a symlinked assets/).
            shutil.move(str(staged), target)
        sidecar = self.root / f"{name}.json"
        tmp = self.root / f".{name}.json.tmp"
        tmp.write_text(json.dumps(asdict(entry)), encoding="utf-8")
        os.replace(tmp, sidecar)
        return entry

    def get(self, name: str, now: float | None = None) -> BucketFile | None:
        """The live file of that name, or None (unknown, malformed or expired)."""
        path = self.path_of(name)
        if path is None or not path.is_file():
            return None
        entry = self._read_sidecar(self.root / f"{name}.json")
        if entry is None or entry.expires_at <= (time.time() if now is None else now):
            return None
        return entry

    def list_for(self, user_id: int, now: float | None = None) -> list[BucketFile]:
        """A user's live files, newest first."""
        moment = time.time() if now is None else now
        out = []
        for sidecar in self.root.glob("*.json"):
            entry = self._read_sidecar(sidecar)
            if (
                entry is not None
                and entry.user_id == user_id
                and entry.expires_at > moment
                and (self.root / entry.name).is_file()
            ):
                out.append(entry)
        out.sort(key=lambda e: (e.created_at, e.name), reverse=True)
        return out

    def cleanup(self, now: float | None = None) -> int:
        """Remove expired files and leftovers of interrupted uploads; returns how many went."""
        moment = time.time() if now is None else now
        removed = 0
        for entry in os.scandir(self.root):
            path = Path(entry.path)
            try:
                if entry.name.endswith(".json") and not entry.name.startswith("."):
                    meta = self._read_sidecar(path)
                    data = self.root / entry.name[: -len(".json")]
                    if meta is None or meta.expires_at <= moment or not data.exists():
                        if data.exists() and _NAME.match(data.name):
                            data.unlink(missing_ok=True)
                            removed += 1
                        path.unlink(missing_ok=True)
                elif not (self.root / f"{entry.name}.json").exists():
                    # No sidecar: an upload that never finished, or a stray file. Give a
                    # concurrent upload (file placed, sidecar about to be written) a minute.
                    if entry.is_file() and entry.stat().st_mtime < moment - 60:
                        path.unlink(missing_ok=True)
                        removed += 1
            except OSError:
                continue  # gone already (another worker cleaned it) or unreadable: next time
        return removed

    @staticmethod
    def _read_sidecar(path: Path) -> BucketFile | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return BucketFile(**data)
        except (OSError, ValueError, TypeError):
            return None
