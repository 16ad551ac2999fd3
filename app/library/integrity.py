"""Library integrity: rows without files, files without rows, hash mismatches, missing thumbnails."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.core.errors import RejectedFile
from app.core.hashing import sha256_file
from app.core.probe import MediaInfo
from app.core.thumbnails import make_thumbnail
from app.library.records import AssetQuery, IntegrityIssue, IntegrityReport
from app.library.storage import UnsafePath, validate_uuid

if TYPE_CHECKING:
    from app.library.service import LibraryService


def _asset_id_of(name: str) -> str | None:
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
        asset_id = _asset_id_of(path.name)
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
