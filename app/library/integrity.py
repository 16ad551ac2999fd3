"""Library integrity: rows without files, files without rows, hash mismatches, missing thumbnails."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from app.core.errors import RejectedFile
from app.core.hashing import sha256_file
from app.core.probe import MediaInfo
from app.core.thumbnails import make_thumbnail
from app.library.records import AssetQuery, IntegrityIssue, IntegrityReport
from app.library.storage import UnsafePath, validate_uuid

if TYPE_CHECKING:
    from app.library.service import LibraryService


def asset_id_of(name: str) -> str | None:
    """The asset a stored file's name belongs to ({id}.{fmt} or {id}_thumb.jpg), if any."""
    stem = name.split(".", 1)[0].removesuffix("_thumb")
    try:
        return validate_uuid(stem)
    except UnsafePath:
        return None


def check_library(
    lib: LibraryService,
    *,
    repair: bool = False,
    verify_hashes: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> IntegrityReport:
    if not lib.storage.is_local:
        return _check_store(lib, repair=repair, verify_hashes=verify_hashes, progress=progress)
    report = IntegrityReport()
    storage = lib.storage
    for leftover in storage.staging_dir.iterdir():
        report.issues.append(IntegrityIssue("temp_file", None, leftover, "Leftover temporary file"))
    if repair and any(i.kind == "temp_file" for i in report.issues):
        storage.clear_staging()
        report.repaired.append("removed temporary files")

    known: dict[str, str] = {}
    total = lib.count_assets(AssetQuery())
    missing: list[str] = []
    for record in lib.iter_assets(AssetQuery()):
        report.checked += 1
        known[record.id] = record.format
        path = lib.file_path(record)
        thumb = lib.thumb_path(record)
        if not path.exists():
            report.issues.append(
                IntegrityIssue("missing_file", record.id, path, f"{record.name}: file is missing")
            )
            missing.append(record.id)
        elif verify_hashes and sha256_file(path) != record.sha256:
            report.issues.append(
                IntegrityIssue(
                    "hash_mismatch", record.id, path, f"{record.name}: contents changed on disk"
                )
            )
        elif not thumb.exists():
            report.issues.append(
                IntegrityIssue("missing_thumbnail", record.id, thumb, f"{record.name}: no thumbnail")
            )
            if repair:
                info = MediaInfo(
                    asset_type=record.asset_type,  # type: ignore[arg-type]
                    format=record.format,
                    mime=record.mime,
                    width=record.width,
                    height=record.height,
                    duration=record.duration,
                    page_count=record.page_count,
                )
                try:
                    make_thumbnail(path, info, thumb)
                    report.repaired.append(f"rebuilt thumbnail of {record.id}")
                except RejectedFile as exc:
                    report.repaired.append(f"could not rebuild thumbnail of {record.id}: {exc}")
        if progress is not None:
            progress(report.checked, total)

    lost_found = lib.data_dir / "lost+found"
    for path in storage.iter_files():
        asset_id = asset_id_of(path.name)
        if asset_id is None or asset_id not in known:
            report.issues.append(
                IntegrityIssue("orphan_file", asset_id, path, f"{path.name}: no asset refers to it")
            )
            if repair:
                # Moved aside, not deleted: an orphan may be the only copy of someone's work.
                lost_found.mkdir(exist_ok=True)
                shutil.move(str(path), lost_found / path.name)
                report.repaired.append(f"moved {path.name} to {lost_found}")

    if repair and missing:
        lib.delete_assets(missing)
        report.repaired.append(f"removed {len(missing)} asset(s) whose file is gone")
    return report


def _check_store(
    lib: LibraryService,
    *,
    repair: bool,
    verify_hashes: bool,
    progress: Callable[[int, int], None] | None,
) -> IntegrityReport:
    """The same checks on an object store: files are streamed, orphans are copied aside, then removed."""
    report = IntegrityReport()
    storage = lib.storage
    names = {b.name for b in storage.iter_blobs()}
    known: set[str] = set()
    missing: list[str] = []
    total = lib.count_assets(AssetQuery())
    for record in lib.iter_assets(AssetQuery()):
        report.checked += 1
        known.add(record.id)
        stored = lib.stored_file(record) if f"{record.id}.{record.format}" in names else None
        where = Path(f"{storage.describe()}/{record.id}.{record.format}")
        if stored is None:
            report.issues.append(IntegrityIssue("missing_file", record.id, where, f"{record.name}: file is missing"))
            missing.append(record.id)
        elif verify_hashes and _sha256_of(stored.open) != record.sha256:
            report.issues.append(
                IntegrityIssue("hash_mismatch", record.id, where, f"{record.name}: contents changed in the store")
            )
        elif f"{record.id}_thumb.jpg" not in names:
            report.issues.append(
                IntegrityIssue("missing_thumbnail", record.id, where, f"{record.name}: no thumbnail")
            )
        if progress is not None:
            progress(report.checked, total)
    lost_found = lib.data_dir / "lost+found"
    for name in sorted(names):
        asset_id = asset_id_of(name)
        if asset_id is None or asset_id not in known:
            where = Path(f"{storage.describe()}/{name}")
            report.issues.append(IntegrityIssue("orphan_file", asset_id, where, f"{name}: no asset refers to it"))
            if repair:
                lost_found.mkdir(exist_ok=True)
                with storage.blobs.open(name) as src, (lost_found / name).open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
                storage.blobs.delete([name])
                report.repaired.append(f"moved {name} to {lost_found}")
    if repair and missing:
        lib.delete_assets(missing)
        report.repaired.append(f"removed {len(missing)} asset(s) whose file is gone")
    return report


def _sha256_of(opener: Callable[[], BinaryIO]) -> str:
    digest = hashlib.sha256()
    with opener() as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
