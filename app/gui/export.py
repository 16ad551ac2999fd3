"""Real names out: other applications get `<asset name>.<format>` from a per-session export folder.

Open, Copy, Drag out and Show in File Manager hand over a path in
`<library>/exports/session-<pid>/` instead of the library's UUID-named file. On POSIX the
exported file is a hard link (no bytes copied, even for a 2 GB video), made on the same
disk as the library so the link works. A hard link shares the inode, so its mode is the
library file's mode: we make both read-only (0o444) on purpose. Atelier never writes into
a placed file (imports stage in assets/.incoming and rename into place; deleting a
read-only file needs only the folder's permission), so read-only is the library file's
true state, and an editor that tries to save over the exported file gets "permission
denied" or — the usual "safe save" — writes a new file beside it and renames it over the
link, which replaces the link in the export folder and leaves the library's file intact.
Where a hard link is impossible (another disk, a file system without links) or would be
unsafe (Windows: a read-only attribute there stops the library from deleting the file),
the file is copied and the copy made read-only.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import sys
import time
import unicodedata
from pathlib import Path

from app.library.records import AssetRecord

EXPORTS_DIR = "exports"
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
STALE_S = 24 * 3600
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_BYTES = 200


def safe_name(name: str, fmt: str) -> str:
    """`name.fmt` made safe on every OS: no separators or control characters, no reserved
    Windows names, no trailing dots or spaces, at most 200 bytes; the extension not doubled."""
    ext = fmt.lower().lstrip(".")
    stem = unicodedata.normalize("NFC", name).strip()
    if stem.lower().endswith(f".{ext}") or (ext == "jpg" and stem.lower().endswith(".jpeg")):
        stem = stem.rsplit(".", 1)[0]
    stem = _UNSAFE.sub("_", stem).strip(" .")
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{stem.rstrip(' .') or 'asset'}.{ext}"


class ExportFolder:
    """This session's folder of real-named files; emptied when the window quits."""

    def __init__(self, library_dir: Path) -> None:
        self.parent = library_dir / EXPORTS_DIR
        self.root = self.parent / f"session-{os.getpid()}"
        self._made: dict[tuple[str, str], Path] = {}
        self.copied = 0  # files copied because a hard link was impossible

    def _sweep_stale(self) -> None:
        """Folders of sessions that ended without cleaning up (a crash, a power cut)."""
        now = time.time()
        for entry in self.parent.glob("session-*"):
            try:
                if entry != self.root and now - entry.stat().st_mtime > STALE_S:
                    shutil.rmtree(entry, onerror=_force_remove)
            except OSError:
                continue

    def export(self, source: Path, record: AssetRecord) -> Path:
        """The real-named file for `record` (made once per name); FileNotFoundError if gone."""
        key = (record.id, safe_name(record.name, record.format))
        known = self._made.get(key)
        if known is not None and known.exists():
            return known
        if not source.is_file():
            raise FileNotFoundError(errno.ENOENT, "The asset's file is missing", str(source))
        if not self.root.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            self._sweep_stale()
        target = self._free_path(key[1])
        self._link_or_copy(source, target)
        self._made[key] = target
        return target

    def export_all(self, pairs: list[tuple[Path, AssetRecord]]) -> list[Path]:
        return [self.export(source, record) for source, record in pairs]

    def _free_path(self, name: str) -> Path:
        """Two assets called "Logo" both export: "Logo.png" and "Logo (2).png"."""
        candidate = self.root / name
        stem, dot, ext = name.rpartition(".")
        n = 2
        while candidate.exists() or candidate.is_symlink():
            candidate = self.root / f"{stem} ({n}){dot}{ext}"
            n += 1
        return candidate

    def _link_or_copy(self, source: Path, target: Path) -> None:
        if sys.platform != "win32":
            try:
                os.link(source, target)
                os.chmod(target, READ_ONLY)  # the library's file too: see the module docstring
                return
            except OSError:
                target.unlink(missing_ok=True)
        shutil.copyfile(source, target)
        os.chmod(target, READ_ONLY)
        self.copied += 1

    def clear(self) -> None:
        self._made.clear()
        if self.root.exists():
            shutil.rmtree(self.root, onerror=_force_remove)


def _force_remove(func, path, _exc):  # type: ignore[no-untyped-def]
    """rmtree's retry for read-only copies on Windows."""
    os.chmod(path, stat.S_IWRITE)
    func(path)
