"""`atelier check --repair` and a file changed on disk: restored from a remote, or set aside and flagged."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from app.library.records import AssetQuery
from app.library.service import LibraryService
from tests.server.live import REPO_ROOT
from tests.sync.conftest import connect, jpegs, open_library, sync


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ATELIER_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )


def _corrupt(lib: LibraryService, name: str) -> tuple[Path, str, bytes]:
    record = next(r for r in lib.iter_assets() if r.name == name)
    path = lib.file_path(record)
    with path.open("r+b") as f:
        f.seek(200)
        f.write(b"\x00changed\x00")
    return path, record.sha256, path.read_bytes()


def test_repair_restores_a_changed_file_from_the_server(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = open_library(tmp_path / "desk")
    try:
        connect(lib, server.base_url, server.token, name="studio")
        lib.import_paths(jpegs(tmp_path / "m", 2))
        sync(lib)
        path, sha, changed = _corrupt(lib, "pic0.jpg")
    finally:
        lib.close()
    repaired = _cli(tmp_path / "desk", "check", "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "restored pic0.jpg from studio" in repaired.stdout
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    # The changed bytes are kept aside, never deleted: they may be someone's work.
    [kept] = (tmp_path / "desk" / "lost+found").iterdir()
    assert kept.read_bytes() == changed
    again = _cli(tmp_path / "desk", "check")
    assert again.returncode == 0 and "no problems" in again.stdout


def test_without_a_verified_copy_the_file_is_set_aside_and_the_asset_stays_flagged(tmp_path: Path) -> None:
    lib = open_library(tmp_path / "desk")
    try:
        lib.import_paths(jpegs(tmp_path / "m", 2))
        path, _, changed = _corrupt(lib, "pic0.jpg")
    finally:
        lib.close()
    first = _cli(tmp_path / "desk", "check", "--repair")
    assert first.returncode == 1
    assert "pic0.jpg" in first.stdout and "lost+found" in first.stdout
    assert "no verified copy on a remote" in first.stdout
    assert not path.exists()
    assert (tmp_path / "desk" / "lost+found" / path.name).read_bytes() == changed
    # Still flagged: the next check says so, and a repair neither loops nor drops the row.
    for args in (("check",), ("check", "--repair", "--yes")):
        later = _cli(tmp_path / "desk", *args)
        assert later.returncode == 1
        assert "hash_mismatch" in later.stdout and "lost+found" in later.stdout
        assert "Run `atelier check --repair` to fix them" not in later.stdout
        assert "1 changed file(s) wait in lost+found" in later.stdout
    with LibraryService(tmp_path / "desk") as lib:
        assert sorted(r.name for r in lib.iter_assets()) == ["pic0.jpg", "pic1.jpg"]


def test_repair_asks_before_removing_rows(tmp_path: Path) -> None:
    lib = open_library(tmp_path / "desk")
    try:
        lib.import_paths(jpegs(tmp_path / "m", 2))
        gone = next(r for r in lib.iter_assets() if r.name == "pic1.jpg")
        lib.file_path(gone).unlink()
    finally:
        lib.close()
    refused = _cli(tmp_path / "desk", "check", "--repair")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "atelier: error: 1 asset(s) have lost their file; removing them needs confirmation: "
        "run again with --yes"
    )
    with LibraryService(tmp_path / "desk") as lib:
        assert lib.count_assets() == 2
    done = _cli(tmp_path / "desk", "check", "--repair", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "removed 1 asset(s) whose file is gone" in done.stdout
    with LibraryService(tmp_path / "desk") as lib:
        assert [r.name for r in lib.iter_assets()] == ["pic0.jpg"]


def test_a_server_copy_with_other_bytes_restores_nothing(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = open_library(tmp_path / "desk")
    try:
        connect(lib, server.base_url, server.token, name="studio")
        lib.import_paths(jpegs(tmp_path / "m", 1))
        sync(lib)
        path, _, _ = _corrupt(lib, "pic0.jpg")
    finally:
        lib.close()
    srv = server.library
    [held] = list(srv.iter_assets(AssetQuery(user_id=srv.get_user(server.user).id)))
    with srv.file_path(held).open("r+b") as f:  # the server's copy rotted too
        f.seek(300)
        f.write(b"\x00rot\x00")
    repaired = _cli(tmp_path / "desk", "check", "--repair")
    assert repaired.returncode == 1
    assert "studio holds other bytes" in repaired.stdout
    assert "no verified copy on a remote" in repaired.stdout
    assert not path.exists() and (tmp_path / "desk" / "lost+found" / path.name).exists()
