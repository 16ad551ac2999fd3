"""Streaming content hashes."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so memory stays flat whatever its size."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
