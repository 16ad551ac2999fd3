"""The files of a library: assets/{id}.{format} and assets/{id}_thumb.jpg, placed atomically."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from app.core.formats import FORMATS

STAGING_DIR_NAME = ".incoming"


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


class Storage:
    """Paths and file moves for one library folder; every path is checked to lie inside assets/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.assets_dir = (root / "assets").resolve()
        self.staging_dir = self.assets_dir / STAGING_DIR_NAME
        self.assets_dir.mkdir(parents=True, exist_ok=True)
        self.staging_dir.mkdir(exist_ok=True)

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if resolved.parent != self.assets_dir:
            raise UnsafePath(f"Path escapes the library: {path}")
        return resolved

    def asset_path(self, asset_id: str, fmt: str) -> Path:
        if fmt not in FORMATS:
            raise UnsafePath(f"Unknown format: {fmt!r}")
        return self._inside(self.assets_dir / f"{validate_uuid(asset_id)}.{fmt}")

    def thumb_path(self, asset_id: str) -> Path:
        return self._inside(self.assets_dir / f"{validate_uuid(asset_id)}_thumb.jpg")

    def place(self, staged: Path, asset_id: str, fmt: str, thumb: Path | None) -> None:
        """Rename staged files into place (same filesystem, so each rename is atomic)."""
        if thumb is not None:
            os.replace(thumb, self.thumb_path(asset_id))
        os.replace(staged, self.asset_path(asset_id, fmt))

    def remove(self, asset_id: str, fmt: str) -> None:
        for path in (self.asset_path(asset_id, fmt), self.thumb_path(asset_id)):
            path.unlink(missing_ok=True)

    def sync_dir(self) -> None:
        """fsync the folder so the renames survive a power cut (no-op where unsupported)."""
        try:
            fd = os.open(self.assets_dir, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

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

    def iter_files(self) -> list[Path]:
        return [
            Path(e.path)
            for e in os.scandir(self.assets_dir)
            if e.is_file() and not e.name.startswith(".")
        ]
