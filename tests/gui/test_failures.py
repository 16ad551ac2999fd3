"""Failing visibly: an unopenable library is a dialog with a way on; a crash is logged and shown."""

from __future__ import annotations

import logging
import sqlite3
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from app.gui.failures import CrashHandler, StartupProblem, open_library
from app.gui.logs import setup
from app.library.service import LibraryService

pytestmark = pytest.mark.gui


def _broken(kind: str, folder: Path) -> Path:
    if kind == "random bytes":
        folder.mkdir()
        (folder / "library.db").write_bytes(bytes(range(256)) * 40)
    elif kind == "newer schema":
        LibraryService(folder, workers=1).close()
        with sqlite3.connect(folder / "library.db") as db:
            db.execute("DELETE FROM alembic_version")
            db.execute("INSERT INTO alembic_version VALUES ('0999_future')")
    elif kind == "a file":
        folder.write_text("not a folder")
    return folder


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("random bytes", "damaged or is not an Atelier library"),
        ("newer schema", "newer version of Atelier"),
        ("a file", "is a file, not a folder"),
    ],
)
def test_an_unopenable_library_is_a_dialog_with_path_reason_and_a_way_on(qtbot, tmp_path, kind, reason, shot_dir) -> None:  # type: ignore[no-untyped-def]
    bad = _broken(kind, tmp_path / "bad")
    good = tmp_path / "good"
    seen: list[StartupProblem] = []

    def ask(path: Path, why: str) -> Path | None:
        dialog = StartupProblem(path, why)
        qtbot.addWidget(dialog)
        seen.append(dialog)
        dialog.show()
        assert str(bad) in dialog.path_label.text()
        assert reason in dialog.text.text()
        assert {"choose", "create", "quit"} <= set(dialog.buttons)
        dialog.grab().save(str(shot_dir / f"startup-{kind.replace(' ', '-')}.png"))
        dialog.pick_folder = lambda caption: str(good)
        dialog.buttons["create"].click()
        return dialog.picked

    lib = open_library(bad, lambda p: LibraryService(p, workers=1), ask)
    assert lib is not None and len(seen) == 1
    try:
        assert lib.data_dir == good
    finally:
        lib.close()


def test_quit_in_the_dialog_opens_nothing(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = _broken("random bytes", tmp_path / "bad")

    def ask(path: Path, why: str) -> Path | None:
        dialog = StartupProblem(path, why)
        qtbot.addWidget(dialog)
        dialog.buttons["quit"].click()
        assert dialog.choice == "quit"
        return dialog.picked

    assert open_library(bad, lambda p: LibraryService(p, workers=1), ask) is None


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_is_logged_and_shown_with_copy_details(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log_file = setup(tmp_path / "logs")
    assert log_file is not None
    handler = CrashHandler(log_file).install()
    try:
        def boom() -> None:
            raise RuntimeError("the grid fell over")

        QTimer.singleShot(0, boom)
        qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible(), timeout=3_000)
        dialog = handler.dialog
        assert dialog is not None
        qtbot.addWidget(dialog)
        assert "RuntimeError: the grid fell over" in dialog.text.text()
        dialog.buttons["copy"].click()
        copied = QGuiApplication.clipboard().text()
        assert "Traceback" in copied and "boom" in copied
        for h in logging.getLogger().handlers:
            h.flush()
        assert "the grid fell over" in log_file.read_text()
        assert sys.excepthook is handler
    finally:
        handler.uninstall()
        for h in list(logging.getLogger().handlers):
            if getattr(h, "baseFilename", "").startswith(str(tmp_path)):
                logging.getLogger().removeHandler(h)
                h.close()


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (OSError(28, "No space left on device"), "The disk holding the library is full."),
        (PermissionError(13, "Permission denied"), "Atelier may not write in this folder (no permission, or a read-only disk)."),
        (sqlite3.OperationalError("attempt to write a readonly database"), "Atelier may not write in this folder (no permission, or a read-only disk)."),
        (sqlite3.OperationalError("database is locked"), "Another program holds the library locked."),
        (sqlite3.DatabaseError("database disk image is malformed"), "library.db is damaged or is not an Atelier library."),
    ],
)
def test_every_start_up_failure_has_a_reason_in_atelier_s_words(error: BaseException, reason: str) -> None:
    from app.gui.failures import reason_for

    assert reason_for(error) == reason


def test_an_error_caught_while_building_the_window_is_reported(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log_file = setup(tmp_path / "logs")
    handler = CrashHandler(log_file)
    try:
        try:
            raise ValueError("no grid today")
        except ValueError as exc:
            handler.report(exc)
        assert handler.dialog is not None and "ValueError: no grid today" in handler.dialog.text.text()
        qtbot.addWidget(handler.dialog)
        assert "Traceback" in handler.dialog.details
    finally:
        for h in list(logging.getLogger().handlers):
            if getattr(h, "baseFilename", "").startswith(str(tmp_path)):
                logging.getLogger().removeHandler(h)
                h.close()


def test_a_library_from_a_newer_atelier_is_a_dialog_in_ateliers_words(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.library.test_newer_schema import MESSAGE, stamped_by_the_future

    bad = stamped_by_the_future(tmp_path / "bad")
    seen: list[StartupProblem] = []

    def ask(path: Path, why: str) -> Path | None:
        dialog = StartupProblem(path, why)
        qtbot.addWidget(dialog)
        seen.append(dialog)
        assert dialog.text.text() == MESSAGE
        assert str(bad) in dialog.path_label.text()
        dialog.buttons["quit"].click()
        return dialog.picked

    assert open_library(bad, lambda p: LibraryService(p, workers=1), ask) is None
    assert len(seen) == 1
