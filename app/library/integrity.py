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
from app.core.staging import StagedFile
from app.core.thumbnails import make_thumbnail
from app.library.records import AssetQuery, AssetRecord, IntegrityIssue, IntegrityReport
from app.library.storage import UnsafePath, validate_uuid

if TYPE_CHECKING:
    from app.library.service import LibraryService

# A verified copy of an asset's bytes from elsewhere (a remote), staged in the library's
# staging folder, and where it came from; None when no such copy could be had.
Restorer = Callable[[AssetRecord], "tuple[StagedFile, str] | None"]
LOST_FOUND = "lost+found"


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
    restore: Restorer | None = None,
    remove_missing: bool = True,
) -> IntegrityReport:
    """Check every asset; with repair, fix what can be fixed without losing anything.

    A file whose bytes changed is replaced by a verified copy from restore (when given and
    it has one); the changed bytes always go to lost+found. Without a copy the asset keeps
    its row and stays flagged. Rows whose file is gone are removed only if remove_missing
    (report.gone lists them either way, for a caller that asks first)."""
    if not lib.storage.is_local:
        return _check_store(
            lib, repair=repair, verify_hashes=verify_hashes, progress=progress,
            remove_missing=remove_missing,
        )
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
    lost_found = lib.data_dir / LOST_FOUND
    for record in lib.iter_assets(AssetQuery()):
        report.checked += 1
        known[record.id] = record.format
        path = lib.file_path(record)
        thumb = lib.thumb_path(record)
        set_aside = _set_aside(lost_found, record)
        if not path.exists() and set_aside is not None:
            # Changed on disk and set aside by an earlier repair: flagged until restored.
            detail = f"{record.name}: contents changed on disk; the changed file is {set_aside}"
            report.issues.append(IntegrityIssue("hash_mismatch", record.id, set_aside, detail))
            if repair:
                _restore(lib, record, path, None, restore, report)
        elif not path.exists():
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
            if repair:
                _restore(lib, record, path, lost_found, restore, report)
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
                    report.unrepaired.append(f"could not rebuild thumbnail of {record.id}: {exc}")
        if progress is not None:
            progress(report.checked, total)

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

    _settle_missing(lib, report, missing, repair, remove_missing)
    return report


def _settle_missing(
    lib: LibraryService, report: IntegrityReport, missing: list[str], repair: bool, remove: bool
) -> None:
    report.gone = list(missing)
    if not (repair and missing):
        return
    if remove:
        lib.delete_assets(missing)
        report.repaired.append(f"removed {len(missing)} asset(s) whose file is gone")
    else:
        report.unrepaired.append(f"kept {len(missing)} asset(s) whose file is gone")


def _set_aside(lost_found: Path, record: AssetRecord) -> Path | None:
    """The changed file an earlier repair moved to lost+found, if it is there."""
    path = lost_found / f"{record.id}.{record.format}"
    return path if path.is_file() else None


def _restore(
    lib: LibraryService,
    record: AssetRecord,
    path: Path,
    lost_found: Path | None,
    restore: Restorer | None,
    report: IntegrityReport,
) -> None:
    """Put back the recorded bytes of a changed file, or set the changed file aside.

    lost_found None: the changed file was set aside before; only a restore is tried."""
    found = restore(record) if restore is not None else None
    if found is not None and found[0].sha256 != record.sha256:
        found[0].path.unlink(missing_ok=True)  # a restorer must verify; never trust it blindly
        found = None
    if lost_found is not None:
        lost_found.mkdir(exist_ok=True)
        aside = lost_found / f"{record.id}.{record.format}"
        if aside.exists():
            aside = lost_found / f"{record.id}.{sha256_file(path)[:12]}.{record.format}"
        shutil.move(str(path), aside)
    else:
        aside = _set_aside(lib.data_dir / LOST_FOUND, record) or path
    if found is None:
        report.unrepaired.append(
            f"{record.name}: no verified copy on a remote; the changed file is in {aside} "
            "and the asset stays flagged"
        )
        return
    staged, source = found
    lib.storage.place(staged.path, record.id, record.format, None)
    lib.storage.sync_dir()
    report.repaired.append(
        f"restored {record.name} from {source} (sha256 verified); the changed file is in {aside}"
    )


def _check_store(
    lib: LibraryService,
    *,
    repair: bool,
    verify_hashes: bool,
    progress: Callable[[int, int], None] | None,
    remove_missing: bool,
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
            if repair:
                report.unrepaired.append(f"{record.name}: contents changed in the store")
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
    _settle_missing(lib, report, missing, repair, remove_missing)
    return report


def _sha256_of(opener: Callable[[], BinaryIO]) -> str:
    digest = hashlib.sha256()
    with opener() as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
