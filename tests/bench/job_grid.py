"""Job 3: Atelier's grid against a bare QListView on 10k to 1M assets (each run in its own process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.bench import biglib
from tests.bench.common import REPO, Context, Row, median, need_module, ratio, seconds
from tests.bench.corpus import photo_bytes

SHARED_THUMBS = 8
THUMBED_ROWS = 4000  # newest first: more than the screens the probe scrolls through


def _give_thumbnails(folder: Path) -> None:
    """Hard links to a handful of real thumbnails for the rows the probe will show."""
    assets = folder / "assets"
    assets.mkdir(exist_ok=True)
    shared = []
    for index in range(SHARED_THUMBS):
        path = folder / f"shared-thumb-{index}.jpg"
        if not path.exists():
            path.write_bytes(photo_bytes(7000 + index, 512, 384))
        shared.append(path)
    for n, asset_id in enumerate(biglib.newest_ids(folder, THUMBED_ROWS)):
        target = assets / f"{asset_id}_thumb.jpg"
        if not target.exists():
            os.link(shared[n % len(shared)], target)


def _probe(folder: Path, steps: int) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.grid_probe", str(folder), str(steps)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-3:]
        raise RuntimeError(f"grid probe failed: {' | '.join(tail)}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def grid(ctx: Context) -> list[Row]:
    need_module("PySide6.QtWidgets", "Qt (PySide6)")
    for module in ("app.gui.asset_model", "app.gui.grid", "app.gui.delegate", "app.gui.thumbnails"):
        need_module(module, "the window (app.gui)")
    s = ctx.sizes
    steps = 15 if s.name == "full" else 4
    results: dict[int, list[dict[str, object]]] = {}
    for count in s.grid_rows:
        folder = biglib.library(ctx.cache, count, ctx.log)
        _give_thumbnails(folder)
        ctx.log(f"  {count:,} assets")
        results[count] = [_probe(folder, steps) for _ in range(s.runs)]

    def first(count: int, key: str) -> float:
        return median([float(r[key]) for r in results[count]])  # type: ignore[arg-type]

    def scroll(count: int, key: str) -> float:
        return median([t for r in results[count] for t in r[key]])  # type: ignore[attr-defined]

    def growth(count: int) -> float:
        return median(
            [float(r["rss_after"]) - float(r["rss_before"]) - float(r["cache_mb"]) for r in results[count]]  # type: ignore[arg-type]
        )

    small, *_, large = s.grid_rows
    rows: list[Row] = []
    for count in s.grid_rows[1:]:
        a, b = first(count, "grid_first"), first(count, "bare_first")
        rows.append(Row(f"3. grid: first frame, {count:,} assets", seconds(a),
                        f"{seconds(b)} bare QListView", ratio(a, b), "≤ 2.0", a <= 2 * b))  # fmt: skip
        a, b = scroll(count, "grid_scroll"), scroll(count, "bare_scroll")
        rows.append(Row(f"3. grid: repaint one screen while scrolling, {count:,} assets", seconds(a),
                        f"{seconds(b)} bare QListView", ratio(a, b), "≤ 2.0", a <= 2 * b))  # fmt: skip
    a, b = first(large, "grid_first"), first(small, "grid_first")
    rows.append(Row(f"3. grid: first frame at {large:,} vs at {small:,}", seconds(a),
                    f"{seconds(b)} (Atelier at {small:,})", ratio(a, b), "≤ 1.5", a <= 1.5 * b))  # fmt: skip
    on_gui = sum(int(r["gui_decodes"]) for runs in results.values() for r in runs)  # type: ignore[call-overload]
    off_gui = sum(int(r["worker_decodes"]) for runs in results.values() for r in runs)  # type: ignore[call-overload]
    rows.append(Row("3. grid: thumbnails decoded on the GUI thread", f"{on_gui} of {on_gui + off_gui}",
                    "-", "-", "0 (and > 0 decoded)", on_gui == 0 and off_gui > 0))  # fmt: skip
    middle = s.grid_rows[-2]
    per_100k = (growth(large) - growth(middle)) / ((large - middle) / 100_000)
    rows.append(Row(f"3. grid: memory growth per 100,000 assets ({middle:,} → {large:,})",
                    f"{per_100k:.1f} MB", "-", "-", "≤ 50 MB", per_100k <= 50))  # fmt: skip
    ctx.details.append(
        "Grid memory growth beyond the thumbnail cache: "
        + ", ".join(f"{c:,} assets {growth(c):.0f} MB" for c in s.grid_rows)
    )
    return rows
