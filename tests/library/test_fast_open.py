"""Opening a library without Alembic when it has nothing to do, and the import's fast paths."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from app.library import new_schema, schema_state
from app.library.db import alembic_config, make_engine, migrate, sqlite_url
from app.library.service import LibraryService
from tests import media

REPO = Path(__file__).resolve().parents[2]


def _versions(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}


def _tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _opens_without_alembic(data_dir: Path) -> bool:
    """Open (and close) the library in a fresh interpreter; True if Alembic was never imported."""
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from app.library.service import LibraryService
        LibraryService(Path({str(data_dir)!r})).close()
        print("alembic" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return out.stdout.strip() == "False"


def test_snapshot_is_what_alembic_creates(tmp_path: Path) -> None:
    # If this fails after adding a migration: `python -m app.library.schema_state`.
    assert frozenset(new_schema.HEADS) == schema_state.script_heads()
    assert schema_state.alembic_dump(tmp_path) == new_schema.SCRIPT


def test_new_library_gets_the_schema_without_alembic(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    assert _opens_without_alembic(data)
    db = data / "library.db"
    assert _versions(db) == schema_state.script_heads()
    reference = tmp_path / "reference"
    reference.mkdir()
    schema_state.alembic_dump(reference)
    assert _tables(db) == _tables(reference / "library.db")
    # And it works: an import lands in it.
    with LibraryService(data) as lib:
        jpg = media.make_jpeg(tmp_path, 120, 90).path
        assert len(lib.import_paths([jpg]).imported) == 1


def test_current_library_opens_without_alembic(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    with LibraryService(data) as lib:
        jpg = media.make_jpeg(tmp_path, 120, 90).path
        lib.import_paths([jpg])
    assert _opens_without_alembic(data)
    with LibraryService(data) as lib:
        assert lib.count_assets() == 1


def test_old_schema_is_upgraded_by_alembic(tmp_path: Path) -> None:
    from alembic import command

    data = tmp_path / "lib"
    data.mkdir()
    db = data / "library.db"
    engine = make_engine(sqlite_url(db), writer=True)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
    finally:
        engine.dispose()
    assert _versions(db) == {"0001"}
    before = _tables(db)
    assert not _opens_without_alembic(data)  # behind the scripts: Alembic ran
    assert _versions(db) == schema_state.script_heads()
    assert _tables(db) > before
    with LibraryService(data) as lib:
        assert lib.count_assets() == 0


def test_stale_snapshot_falls_back_to_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(new_schema, "HEADS", ("0001",))
    engine = make_engine(sqlite_url(tmp_path / "library.db"), writer=True)
    try:
        migrate(engine)
        with engine.connect() as conn:
            assert schema_state.database_heads(conn) == schema_state.script_heads()
            assert conn.execute(text("SELECT value FROM counters")).scalar_one() == 0
    finally:
        engine.dispose()


def test_script_heads_follow_branches_and_merges(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    scripts = {
        "a.py": 'revision = "a"\ndown_revision = None\n',
        "b.py": 'revision = "b"\ndown_revision = "a"\n',
        "c.py": 'revision: str = "c"\ndown_revision: str | None = "a"\n',
    }
    for name, body in scripts.items():
        (versions / name).write_text(body)
    assert schema_state.script_heads(versions) == {"b", "c"}
    (versions / "d.py").write_text('revision = "d"\ndown_revision = ("b", "c")\n')
    assert schema_state.script_heads(versions) == {"d"}
    (versions / "e.py").write_text("revision = make_id()\n")
    assert schema_state.script_heads(versions) is None  # not plain: Alembic decides


def test_duplicates_within_and_across_batches_and_the_library(
    library: LibraryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.library import importer

    monkeypatch.setattr(importer, "BATCH_SIZE", 2)  # several batches in one import
    folder = tmp_path / "drop"
    folder.mkdir()
    old = media.make_jpeg(tmp_path, 90, 60, name="old.jpg").path
    [existing] = library.import_paths([old]).imported
    shutil.copy(old, folder / "a-old-again.jpg")
    for i in range(5):
        media.make_jpeg(folder, 100 + i, 70, name=f"b{i}.jpg")
    shutil.copy(folder / "b0.jpg", folder / "c-b0-again.jpg")
    shutil.copy(old, folder / "d-old-once-more.jpg")
    report = library.import_paths([folder], workers=2)
    # Workers finish in any order: whichever copy of b0 settles first is the one kept.
    imported = {r.name: r for r in report.imported}
    twins = {"b0.jpg", "c-b0-again.jpg"}
    assert len(imported) == 5 and set(imported) - twins == {f"b{i}.jpg" for i in range(1, 5)}
    [kept] = set(imported) & twins
    [other] = twins - {kept}
    dups = {d.path.name: d for d in report.duplicates}
    assert set(dups) == {"a-old-again.jpg", "d-old-once-more.jpg", other}
    assert dups["a-old-again.jpg"].existing_id == existing.id
    assert dups["d-old-once-more.jpg"].existing_id == existing.id
    assert dups[other].existing_name == kept
    assert dups[other].existing_id in ("", imported[kept].id)  # "" while kept is uncommitted
    assert library.count_assets() == 6
    assert library.check().clean
    assert not any(library.storage.staging_dir.iterdir())


def test_unsynced_ingest_is_synced_before_it_is_kept(tmp_path: Path) -> None:
    from app.core.ingest import ingest_path

    work = tmp_path / "work"
    jpg = media.make_jpeg(tmp_path, 64, 48).path
    ingested = ingest_path(jpg, work, sync=False)
    ingested.fsync()
    assert ingested.staged.path.read_bytes() == jpg.read_bytes()
    assert ingested.thumb_path.stat().st_size > 0
    ingested.discard()
    with pytest.raises(FileNotFoundError):
        ingested.fsync()


def test_building_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import sys; from app.cli.main import build_parser; build_parser(); "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'pydantic', 'requests', 'app.sync', "
        "'PIL') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_cli_sync_kinds_match_the_sync_engine() -> None:
    from app.cli import sync_cmds
    from app.sync.remotes import KINDS

    assert sync_cmds.KINDS == KINDS
