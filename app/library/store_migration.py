"""Copying a library's files from its assets/ folder into an object store, resumably and verified."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.library.blobs import S3Blobs
from app.library.records import AssetQuery
from app.library.storage import asset_name, thumb_name

if TYPE_CHECKING:
    from app.library.service import LibraryService


@dataclass
class MigrationReport:
    copied: int = 0
    already: int = 0
    missing: list[str] = field(default_factory=list)  # files the database names but the folder lacks
    mismatched: list[str] = field(default_factory=list)  # read back with another sha256


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def migrate_files(
    lib: LibraryService, dest: S3Blobs, progress: Callable[[int, int], None] | None = None
) -> MigrationReport:
    """Copy every asset's file and thumbnail to dest; objects already there and verified are skipped.

    Each object carries its sha256 in its metadata once it has been read back and checked, so an
    interrupted run resumes where it stopped. The local files are left in place.
    """
    report = MigrationReport()
    total = lib.count_assets(AssetQuery())
    done = 0
    for record in lib.iter_assets(AssetQuery()):
        for name, expected in ((asset_name(record.id, record.format), record.sha256), (thumb_name(record.id), None)):
            path = lib.storage.assets_dir / name
            if not path.is_file():
                if expected is not None:
                    report.missing.append(name)
                continue
            want = expected or _sha256(path)
            if dest.verified_sha256(name) == want:
                report.already += 1
                continue
            if dest.copy_in(name, path, want):
                report.copied += 1
            else:
                report.mismatched.append(name)
        done += 1
        if progress is not None:
            progress(done, total)
    return report
