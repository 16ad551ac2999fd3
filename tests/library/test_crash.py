"""Kill an import at random moments; after reopening, the library is consistent (`check` clean)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.library.service import LibraryService
from tests import media


def _count_files(assets: Path) -> int:
    if not assets.is_dir():
        return 0
    return sum(1 for p in assets.rglob("*") if p.is_file())


def _wait_for_files(assets: Path, target: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while proc.poll() is None and _count_files(assets) < target and time.monotonic() < deadline:
        time.sleep(0.005)


@pytest.mark.slow
def test_killed_imports_leave_a_consistent_library(tmp_path: Path) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    for i in range(40):
        media.make_jpeg(folder, 600 + i, 400, name=f"p{i:02d}.jpg", quality=95)
    media.make_mp4(folder, 320, 240, 2, name="clip.mp4")
    media.make_pdf(folder, 3, name="deck.pdf")
    data = tmp_path / "lib"
    env = {**os.environ, "ATELIER_DATA_DIR": str(data)}
    rng = random.Random(1234)
    killed = 0
    for _ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "import", str(folder), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its worker processes die with it, as in a real crash
        )
        # Killed on progress, not after a wall-clock sleep: once a few more files have
        # reached assets/ (staged or placed), whatever the machine's speed.
        _wait_for_files(data / "assets", _count_files(data / "assets") + rng.randint(1, 8), proc)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed += 1
        proc.wait(timeout=60)
    assert killed >= 1, "no run was interrupted; the corpus imports too fast"

    lib = LibraryService(data)
    try:
        report = lib.check()
        assert report.clean, report.issues
        # Every row has its file and thumbnail, and no file is unaccounted for.
        rows = {r.id: r for r in lib.iter_assets()}
        files = {p.name for p in lib.storage.iter_files()}
        expected = {f"{r.id}.{r.format}" for r in rows.values()} | {f"{i}_thumb.jpg" for i in rows}
        assert files == expected
        # Finishing the import afterwards completes the set without duplicates.
        lib.import_paths([folder])
        assert lib.count_assets() == 42
    finally:
        lib.close()
