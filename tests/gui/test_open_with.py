"""Files the desktop hands to Atelier ("Open with", a drop on the dock icon) are imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from app.gui.opener import FileOpener
from app.library.records import AssetQuery
from app.library.service import LibraryService
from tests import media

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def test_file_open_events_are_gathered_into_one_import(qtbot, library: LibraryService, make_window, prompts, media_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(library)
    opener = FileOpener(window)
    app = QApplication.instance()
    app.installEventFilter(opener)
    try:
        photo = media.make_jpeg(media_dir, 200, 150, name="opened.jpg").path
        brief = media.make_pdf(media_dir, 1, name="opened.pdf").path
        with qtbot.waitSignal(window.imports.import_finished, timeout=30_000) as finished:
            # As macOS sends them: one event per file, to the application.
            for path in (photo, brief, tmp_path / "gone.png"):
                QApplication.sendEvent(app, QFileOpenEvent(str(path)))
        _job, report = finished.args
        assert sorted(r.name for r in report.imported) == ["opened.jpg", "opened.pdf"]
        assert prompts.errors == ["Cannot open gone.png: no such file or folder"]
        assert library.count_assets(AssetQuery()) == 2
    finally:
        app.removeEventFilter(opener)


# `atelier --data-dir DIR FILE...` in a child process, as a desktop's "Open with" runs it: once
# the window shows the imported files, it reports what it shows and closes.
OPEN_WITH = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.cli.main import main

app = QApplication(["atelier"])

def report():
    from app.gui.main_window import MainWindow
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if not windows or windows[0].imports.busy or windows[0].model.rowCount() < 2:
        QTimer.singleShot(50, report)
        return
    w = windows[0]
    print("window", w.model.rowCount(), sorted(w.model.record(r).name for r in range(2)))
    w.close()

QTimer.singleShot(0, report)
sys.exit(main(sys.argv[1:]))
"""


def test_files_named_instead_of_a_command_open_the_window_and_import(tmp_path: Path, media_dir: Path) -> None:
    photo = media.make_jpeg(media_dir, 120, 90, name="from-finder.jpg").path
    folder = media_dir / "shoot"
    folder.mkdir()
    media.make_png(folder, 60, 40, name="in-folder.png")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    out = subprocess.run(
        [sys.executable, "-c", OPEN_WITH, str(photo), str(folder), "--data-dir", str(tmp_path / "lib")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "window 2 ['from-finder.jpg', 'in-folder.png']"
    with LibraryService(tmp_path / "lib") as lib:
        assert lib.count_assets(AssetQuery()) == 2


def test_a_command_name_stays_a_command_and_a_typo_is_named(tmp_path: Path) -> None:
    from app.cli.main import build_parser, split_open_paths

    parser = build_parser()
    (tmp_path / "import").mkdir()  # a folder named like a command: the command wins
    assert split_open_paths(parser, ["import", str(tmp_path)]) == (["import", str(tmp_path)], [])
    assert split_open_paths(parser, ["--data-dir", "/lib", str(tmp_path), "--max-size-mb", "3"]) == (
        ["--data-dir", "/lib", "--max-size-mb", "3"],
        [str(tmp_path)],
    )
    assert split_open_paths(parser, ["imprt"]) == (["imprt"], [])
    out = subprocess.run(
        [sys.executable, "-m", "app", "imprt"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 2 and "invalid choice: 'imprt'" in out.stderr


def test_a_missing_file_instead_of_a_command_is_named_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "moved-away.jpg"
    out = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "lib"), str(missing)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 1
    assert out.stderr.strip() == f"atelier: error: No such file or folder: {missing}"
    assert not (tmp_path / "lib").exists()  # nothing was opened or created
