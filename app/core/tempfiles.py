"""Names and helpers for the temporary files the core leaves next to their final home."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Final

# Every temp file the core writes starts with one of these prefixes, so a library can
# sweep what a crash left behind with a glob and never touch a real asset.
INCOMING_PREFIX: Final[str] = ".incoming-"
INCOMING_SUFFIX: Final[str] = ".part"
THUMB_PREFIX: Final[str] = ".thumb-"
THUMB_SUFFIX: Final[str] = ".jpg"
TEMP_GLOBS: Final[tuple[str, ...]] = (
    f"{INCOMING_PREFIX}*{INCOMING_SUFFIX}",
    f"{THUMB_PREFIX}*{THUMB_SUFFIX}",
)


def is_temp_name(name: str) -> bool:
    """True for a file name the core uses for temporary files."""
    return (name.startswith(INCOMING_PREFIX) and name.endswith(INCOMING_SUFFIX)) or (
        name.startswith(THUMB_PREFIX) and name.endswith(THUMB_SUFFIX)
    )


def new_temp(
    directory: Path, prefix: str = INCOMING_PREFIX, suffix: str = INCOMING_SUFFIX
) -> tuple[int, Path]:
    """Create an empty, exclusively owned temp file in directory; return (fd, path)."""
    # mkstemp opens with O_EXCL, so two workers can never share a temp file.
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)
    return fd, Path(name)


def write_atomically(dest: Path, data: bytes, *, sync: bool = True) -> None:
    """Write data to dest via a synced temp file and a rename: readers never see half a file.

    sync=False skips the fsync, for a caller that calls fsync_file(dest) before relying on it.
    """
    fd, tmp = new_temp(dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            if sync:
                os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fsync_file(path: Path) -> None:
    """Flush a file's bytes to disk, whichever process wrote them."""
    # Opened for writing: Windows only flushes through a handle that may write.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
