"""Dropping files on the window: they import into the selected place; bad files come back with reasons."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.gui.imports import ImportSummaryDialog
from app.gui.main_window import MainWindow
from tests import media
from tests.gui.conftest import wait_for_names
from tests.gui.showcase import PLAN

pytestmark = pytest.mark.gui


def drop_files(
    target: QWidget, paths: list[Path], pos: QPoint | None = None, hovering: Callable[[], None] | None = None
) -> QDropEvent:
    """What a file manager does: drag enter, move, then drop, with file URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    # Qt declares the drag enter/move events with a QPoint and the drop event with a QPointF;
    # a QPointF where a QPoint is declared only converts in some PySide6 builds and orders.
    point = QPoint(pos or target.rect().center())
    action, button, mods = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point, action, mime, button, mods)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(point, action, mime, button, mods)
    QApplication.sendEvent(target, move)
    assert move.isAccepted()
    if hovering is not None:
        hovering()
    drop = QDropEvent(QPointF(point), action, mime, button, mods)
    QApplication.sendEvent(target, drop)
    return drop


def sidebar_point(window: MainWindow, kind: str, item_id: str | None) -> QPoint:
    index = window.sidebar.sidebar_model.find(kind, item_id)
    assert index.isValid()
    return window.sidebar.visualRect(index).center()


def test_dropped_files_and_folders_import_into_the_selected_campaign(qtbot, showcase, make_window, media_dir: Path, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    campaign = made.campaigns["Summer sale"]
    assert window.sidebar.select_scope("campaign", campaign)
    before = {n for n, p in PLAN.items() if p and p[1] == "Summer sale"}
    wait_for_names(qtbot, window, before)

    photo = media.make_jpeg(media_dir, 320, 240, name="new-photo.jpg").path
    brief = media.make_pdf(media_dir, 2, name="new-brief.pdf").path
    folder = media_dir / "shoot"
    folder.mkdir()
    media.make_png(folder, 120, 80, name="from-folder.png")
    media.make_mp3(folder, 1.0, name="from-folder.mp3")

    def hovering() -> None:
        assert window.grid._drop_hint == "Drop to import into Summer sale"
        window.grab().save(str(shot_dir / "drop-hint.png"))

    with qtbot.waitSignal(window.imports.import_finished, timeout=30_000) as finished:
        event = drop_files(window.grid.viewport(), [photo, brief, folder], hovering=hovering)
        assert event.isAccepted()
        assert window.import_bar.isVisible()
    job, report = finished.args
    assert job.label == "Summer sale"
    assert len(report.imported) == 4 and not report.rejected

    added = {"new-photo.jpg", "new-brief.pdf", "from-folder.png", "from-folder.mp3"}
    wait_for_names(qtbot, window, before | added)
    for record in report.imported:
        assert record.campaign_id == campaign and record.client_id == made.clients["Acme Studio"]
        assert lib.file_path(record).is_file() and lib.thumb_path(record).is_file()
    qtbot.waitUntil(lambda: window.sidebar.count_for(window.filters.scope) == 7)
    assert not window.import_bar.isVisible()
    assert window.import_summary is None  # nothing to report: no dialog in the way


def test_bad_files_dropped_on_a_sidebar_entry_are_listed_with_reasons(qtbot, showcase, make_window, media_dir: Path, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    corpus = dict((p.name, reason) for p, reason in media.bad_corpus(media_dir / "bad"))
    chosen = ["picture.bmp", "empty.jpg", "truncated.jpg", "corrupt.pdf", "program.jpg", "garbage.wav"]
    good = media.make_wav(media_dir, 1.0, name="good.wav").path
    paths = [media_dir / "bad" / n for n in chosen] + [good]
    rebrand = made.campaigns["Rebrand"]

    with qtbot.waitSignal(window.imports.import_finished, timeout=30_000) as finished:
        drop_files(window.sidebar.viewport(), paths, sidebar_point(window, "campaign", rebrand))
    _, report = finished.args
    assert [r.name for r in report.imported] == ["good.wav"]
    assert report.imported[0].campaign_id == rebrand
    # The selected scope did not change: the drop target decided.
    assert window.filters.scope.kind == "all"

    dialog = window.import_summary
    assert isinstance(dialog, ImportSummaryDialog) and dialog.isVisible() and not dialog.isModal()
    rows = dict(dialog.rows())
    assert set(rows) == set(chosen)
    for name in chosen:
        assert corpus[name] in rows[name], (name, rows[name])
    dialog.grab().save(str(shot_dir / "import-summary.png"))
    dialog.close()
    # Nothing of the rejected files stayed behind in the library.
    assert lib.check(verify_hashes=False).clean


def test_importing_a_duplicate_is_reported_not_stored(qtbot, showcase, make_window, showcase_media) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    with qtbot.waitSignal(window.imports.import_finished, timeout=30_000) as finished:
        drop_files(window.grid.viewport(), [showcase_media["hero-banner.jpg"]])
    _, report = finished.args
    assert not report.imported and len(report.duplicates) == 1
    assert window.import_summary is not None
    assert dict(window.import_summary.rows())["hero-banner.jpg"].startswith("Already in the library")
    assert lib.count_assets() == len(PLAN)


def test_cancel_stops_the_import_and_leaves_a_clean_library(qtbot, showcase, make_window, media_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    files = [media.make_jpeg(media_dir, 64 + i, 48, name=f"batch-{i:02d}.jpg").path for i in range(40)]
    with qtbot.waitSignal(window.imports.import_finished, timeout=30_000) as finished:
        window.import_paths(files, None)
        window.import_bar.cancel_button.click()
    _, report = finished.args
    assert report.cancelled
    assert len(report.imported) < len(files)
    assert lib.count_assets() == len(PLAN) + len(report.imported)
    assert lib.check(verify_hashes=False).clean
    assert not window.import_bar.isVisible()


def test_ctrl_o_imports_the_picked_files(qtbot, showcase, make_window, prompts, media_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    window.sidebar.select_scope("client", made.clients["Northwind"])
    prompts.files = [str(media.make_webp(media_dir, 80, 60, name="picked.webp").path)]
    with qtbot.waitSignal(window.imports.import_finished, timeout=30_000) as finished:
        qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    _, report = finished.args
    assert [r.name for r in report.imported] == ["picked.webp"]
    assert report.imported[0].client_id == made.clients["Northwind"]
    assert report.imported[0].campaign_id is None


def test_an_empty_library_invites_a_drop(qtbot, library, make_window, media_dir: Path, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(library)
    assert window.model.rowCount() == 0
    assert window.grid.empty_title == "Drop files here to import"
    window.grab().save(str(shot_dir / "empty.png"))
    with qtbot.waitSignal(window.imports.import_finished, timeout=30_000):
        drop_files(window, [media.make_gif(media_dir).path])  # anywhere on the window
    wait_for_names(qtbot, window, {"anim.gif"})


def test_a_folder_import_is_announced_as_a_folder(qtbot, library, make_window, media_dir: Path) -> None:  # type: ignore[no-untyped-def]
    folder = media_dir / "shoot"
    folder.mkdir()
    for i in range(3):
        media.make_jpeg(folder, 40 + i, 30, name=f"shot-{i}.jpg")
    loose = media.make_png(media_dir, 20, 20, name="loose.png").path
    window = make_window(library)
    with qtbot.waitSignal(window.imports.import_finished, timeout=30_000):
        window.import_paths([folder], None)
        assert window.statusBar().currentMessage() == "Importing 1 folder into All assets"
    with qtbot.waitSignal(window.imports.import_finished, timeout=30_000):
        window.import_paths([folder, loose], None)
        assert window.statusBar().currentMessage() == "Importing 1 folder and 1 file into All assets"


def test_a_near_copy_is_imported_and_reported_as_looking_like_the_original(qtbot, showcase, make_window, showcase_media, media_dir: Path, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    lib, _ = showcase
    window = make_window(lib)
    copy = media_dir / "hero-small.jpg"
    with Image.open(showcase_media["hero-banner.jpg"]) as im:
        im.convert("RGB").resize((800, 500)).save(copy, "JPEG", quality=70)
    with qtbot.waitSignal(window.imports.import_finished, timeout=30_000) as finished:
        drop_files(window.grid.viewport(), [copy])
    _, report = finished.args
    assert [r.name for r in report.imported] == ["hero-small.jpg"]  # kept, not blocked
    dialog = window.import_summary
    assert dialog is not None and dialog.isVisible()
    assert dict(dialog.rows())["hero-small.jpg"].startswith("Imported; looks like hero-banner.jpg")
    dialog.grab().save(str(shot_dir / "import-looks-like.png"))
    assert "1 looks like an asset already here" in window.statusBar().currentMessage()
