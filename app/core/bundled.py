"""Helpers that a frozen (PyInstaller) build brings along: ffmpeg/ffprobe and libmagic's database."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final

# Where packaging/atelier.spec puts them inside the bundle (relative to sys._MEIPASS).
TOOLS_SUBDIR: Final[str] = "bin"
MAGIC_DB: Final[str] = "libmagic/magic.mgc"
MAGIC_ENV: Final[str] = "MAGIC"


def bundle_root() -> Path | None:
    """The frozen bundle's contents folder, or None when running from source."""
    root = getattr(sys, "_MEIPASS", None)
    return Path(root) if root else None


def tool_path(name: str, root: Path | None = None) -> str:
    """The executable to run for name ("ffmpeg"): the bundle's own copy first, else PATH's."""
    root = root if root is not None else bundle_root()
    if root is not None:
        suffix = ".exe" if sys.platform == "win32" else ""
        candidate = root / TOOLS_SUBDIR / (name + suffix)
        if candidate.is_file():
            return str(candidate)
    return name


def magic_database(root: Path | None = None) -> Path | None:
    """The bundled compiled magic database, if this is a bundle that carries one."""
    root = root if root is not None else bundle_root()
    if root is None:
        return None
    candidate = root / MAGIC_DB
    return candidate if candidate.is_file() else None


def use_bundled_magic_database(root: Path | None = None) -> Path | None:
    """Point libmagic at the bundle's database (before its first use); returns the path used.

    The bundled libmagic must read the database it was built with, not whatever the
    machine has (or lacks); libmagic reads MAGIC when no file is given, and spawned
    import workers inherit the environment.
    """
    database = magic_database(root)
    if database is not None:
        os.environ[MAGIC_ENV] = str(database)
    return database
