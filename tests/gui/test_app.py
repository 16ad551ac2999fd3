"""Starting the window: `atelier` with no display says so in one line; with one, run_gui opens the library."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication

from app.gui.app import run_gui
from app.gui.main_window import MainWindow

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def test_without_a_display_atelier_points_to_the_server_and_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "lib")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if sys.platform in ("win32", "darwin"):
        pytest.skip("these systems always have a display")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "no display" in lines[0] and "atelier serve" in lines[0]
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_run_gui_opens_the_library_given_on_the_command_line(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert app is not None
    seen: list[MainWindow] = []
    # The window keeps its layout in the user's settings: point those at the test's folder.
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))

    def look_then_quit() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        seen.extend(windows)
        for w in windows:
            w.close()
        app.quit()

    QTimer.singleShot(1500, look_then_quit)
    code = run_gui(argparse.Namespace(data_dir=str(tmp_path / "lib"), db_url=None, max_size_mb=None))
    assert code == 0
    assert len(seen) == 1
    assert seen[0].library.data_dir == tmp_path / "lib"
    assert (tmp_path / "lib" / "library.db").is_file()
    assert QApplication.applicationName() == "Atelier" and not QApplication.windowIcon().isNull()
    assert any((tmp_path / "config").rglob("*.conf"))  # size and splitters were remembered
    default = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, default)
