"""CI runs the benchmarks at a tiny size (`--smoke`) so that they cannot rot; figures never fail it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.common import REPO


@pytest.mark.slow
def test_smoke_run_prints_a_row_for_every_job(tmp_path: Path) -> None:
    # A cache of our own, so the run also proves the corpora generate from nothing.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ATELIER_BENCH_CACHE": str(tmp_path / "cache")}
    env.pop("ATELIER_DATA_DIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--smoke"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    out = result.stdout
    assert out.startswith("Atelier benchmarks (smoke"), out
    assert "Machine: " in out
    assert re.search(r"^\| job +\| Atelier +\| reference +\| ratio +\| target +\| met +\|$", out, re.M), out
    for job in range(1, 8):
        rows = re.findall(rf"^\| {job}\. .*\|$", out, re.M)
        assert rows, f"no row for job {job}:\n{out}"
        # A job may be skipped while its part is missing, but never break.
        assert not any("error:" in row for row in rows), out
    assert "Total " in out
