"""Job 7: the window stays live: 1,000 assets imported by the CLI while it shows a 100k library."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.bench import biglib
from tests.bench.common import REPO, Context, Row, median, need_module, ratio, seconds
from tests.bench.corpus import photos

PHOTO_SIZE = (320, 240)


def live(ctx: Context) -> list[Row]:
    need_module("PySide6.QtWidgets", "Qt (PySide6)")
    need_module("app.gui.live", "the live window (app.gui.live)")
    s = ctx.sizes
    rows_in_window, imported = (100_000, 1_000) if s.name == "full" else (1_000, 50)
    source = photos(ctx.cache, imported, PHOTO_SIZE, ctx.log)
    results = []
    for run in range(s.runs):
        folder = biglib.copy(biglib.library(ctx.cache, rows_in_window, ctx.log), ctx.scratch(f"live-{run}"))
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.live_probe", str(folder), str(source), str(imported)],
            cwd=REPO, capture_output=True, text=True, timeout=900,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        if done.returncode != 0:
            tail = done.stderr.strip().splitlines()[-3:]
            raise RuntimeError(f"live probe failed: {' | '.join(tail)}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))

    def m(key: str) -> float:
        return median([float(r[key]) for r in results])

    lag, took = m("lag_s"), m("import_s")
    p95, worst, idle = m("during_p95"), m("during_max"), m("idle_p95")
    label = f"{imported:,} CLI-imported assets into a {rows_in_window:,}-asset window"
    ms = lambda v: f"{v * 1000:.0f} ms"  # noqa: E731
    return [
        Row(f"7. live: {label}: all visible after the import ends", seconds(lag),
            f"import took {seconds(took)}", "-", "≤ 2 s", lag <= 2.0),  # fmt: skip
        Row(f"7. live: frame interval while they stream in (p95; max {ms(worst)})", ms(p95),
            f"{ms(idle)} idle window", ratio(p95, idle), "p95 ≤ 50 ms", p95 <= 0.050),  # fmt: skip
    ]
