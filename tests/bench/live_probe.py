"""One live-window measurement in its own process: the CLI imports files while the window shows.

`python -m tests.bench.live_probe LIBRARY FOLDER COUNT` opens the real MainWindow on LIBRARY,
samples the event loop every 16 ms (with a synchronous repaint of the grid), starts
`atelier import FOLDER` in another process and waits until COUNT more assets are in the
grid. Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.gui import theme  # noqa: E402
from app.gui.main_window import MainWindow  # noqa: E402
from app.library.service import LibraryService  # noqa: E402

WIDTH, HEIGHT = 1280, 800
TICK_MS = 16
IDLE_S = 2.0
TIMEOUT_S = 600.0


def _wait(app: QApplication, done, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        if done():
            return True
        time.sleep(0.002)
    return False


def main() -> None:
    folder, files, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    app = QApplication([])
    theme.apply(app, dark=False)
    library = LibraryService(folder)
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "gui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(library, settings=settings)
    window.resize(WIDTH, HEIGHT)
    window.show()
    if not _wait(app, lambda: window.model.loaded and window.sidebar_loaded, 120):
        raise SystemExit("the window did not load")
    before = window.model.rowCount()
    gaps: list[float] = []
    state = {"last": time.perf_counter(), "phase": "idle"}
    phases: dict[str, list[float]] = {"idle": [], "during": []}

    def tick() -> None:
        now = time.perf_counter()
        window.grid.viewport().repaint()
        after = time.perf_counter()
        # What a person feels: the time from one frame to the next (a blocked loop shows here).
        phases[state["phase"]].append(after - float(state["last"]))  # type: ignore[arg-type]
        gaps.append(after - now)
        state["last"] = after

    timer = QTimer(interval=TICK_MS)
    timer.timeout.connect(tick)
    timer.start()
    _wait(app, lambda: False, IDLE_S)
    state["phase"] = "during"
    started = time.perf_counter()
    cli = subprocess.Popen(
        [sys.executable, "-m", "app", "import", str(files), "--client", "Live bench", "--data-dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    ended: list[float] = []

    def all_visible() -> bool:
        if not ended and cli.poll() is not None:
            ended.append(time.perf_counter())
        return window.model.rowCount() >= before + count

    if not _wait(app, all_visible, TIMEOUT_S):
        raise SystemExit(f"only {window.model.rowCount() - before} of {count} became visible")
    visible = time.perf_counter()
    cli.wait(timeout=TIMEOUT_S)
    if cli.returncode != 0:
        raise SystemExit(f"atelier import failed: {cli.stderr.read().decode()[-300:] if cli.stderr else ''}")
    if not ended:
        ended.append(time.perf_counter())
    timer.stop()
    during = sorted(phases["during"])
    idle = sorted(phases["idle"])

    def p95(values: list[float]) -> float:
        return values[min(len(values) - 1, int(0.95 * len(values)))] if values else 0.0

    print(json.dumps({
        "before": before,
        "import_s": ended[0] - started,
        "visible_s": visible - started,
        "lag_s": max(0.0, visible - ended[0]),
        "idle_p95": p95(idle),
        "during_p95": p95(during),
        "during_max": during[-1] if during else 0.0,
        "repaint_p95": p95(sorted(gaps)),
    }))
    window.close()
    library.close()


if __name__ == "__main__":
    main()
