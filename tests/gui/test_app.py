"""Starting the window as a user does: `atelier` with no command, with and without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.library.service import LibraryService
from tests import media

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]

# Runs `atelier --data-dir DIR` (no command: the window) in a child process whose event loop
# reports what the window shows and closes it, which ends app.exec() and the command.
OPEN_AND_REPORT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.cli.main import main

app = QApplication(["atelier"])

def report():
    from app.gui.main_window import MainWindow
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if not windows or not (windows[0].model.loaded and windows[0].sidebar_loaded):
        QTimer.singleShot(50, report)
        return
    w = windows[0]
    print("window", w.windowTitle(), w.model.rowCount(), w.library.data_dir, not app.windowIcon().isNull())
    w.close()

QTimer.singleShot(0, report)
sys.exit(main(["--data-dir", sys.argv[1]]))
"""


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="these systems always have a display")
def test_without_a_display_atelier_points_to_the_server_and_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "lib")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "no display" in lines[0] and "atelier serve" in lines[0]
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_atelier_without_a_command_opens_the_window_on_the_given_library(tmp_path: Path, media_dir: Path) -> None:
    library = tmp_path / "lib"
    with LibraryService(library, workers=1) as lib:
        lib.import_paths([media.make_jpeg(media_dir).path, media.make_pdf(media_dir, 1).path])
    # The window keeps its layout in the user's settings: here, the test's own folder.
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run(
        [sys.executable, "-c", OPEN_AND_REPORT, str(library)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["window", "Atelier", "2", str(library), "True"]
    assert "Traceback" not in out.stderr
    assert list((tmp_path / "config").rglob("*.conf"))  # the window size and splitters were kept


def test_process_exits_cleanly_after_copying_files(tmp_path: Path) -> None:
    """Files copied to the clipboard must not crash the process when it quits."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "import app.gui\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from app.gui import desktop\n"
        "a = QApplication(sys.argv[:1])\n"
        "a.aboutToQuit.connect(desktop.release_clipboard)\n"
        f"desktop.copy_files([Path({str(tmp_path)!r})])\n"
        "QTimer.singleShot(0, a.quit)\n"
        "sys.exit(a.exec())\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
