"""The smaller findings of a new user's first hour, each where a test can see it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from app.gui import desktop
from app.gui.dialogs import MessageDialog
from app.gui.preview import FittedImage
from app.gui.prompts import Prompts, TextDialog, import_start_folder, remember_import_folder
from app.sync import SyncStore
from tests.gui.conftest import grid_names, wait_for_names
from tests.gui.showcase import PLAN

pytestmark = pytest.mark.gui


def _select(window, names):  # type: ignore[no-untyped-def]
    from tests.gui.test_organize import select_names

    select_names(window, names)


@pytest.mark.parametrize("dark", [False, True])
def test_filter_pills_are_never_cut_at_the_minimum_width(qtbot, showcase, make_window, dark) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib, dark=dark, size=(892, 700))
    qtbot.waitUntil(lambda: "10" in window.filter_bar.type_buttons[None].toolTip())
    assert window.width() == 892
    for button in window.filter_bar.type_buttons.values():
        assert button.width() >= button.sizeHint().width(), button.text()
        assert button.fontMetrics().horizontalAdvance(button.text()) < button.width()
    assert window.filter_bar.compact
    window.resize(1500, 900)
    qtbot.waitUntil(lambda: window.filter_bar.type_buttons[None].text() == "All  10")


def _hint_fits(window) -> bool:  # type: ignore[no-untyped-def]
    """Whether the search box draws its hint whole: its pixels over the hint's width are
    those of the same box made wide enough for any hint (Qt ends a cut hint in "…")."""
    search = window.filter_bar.search
    search.clearFocus()
    left = search.cursorRect().left()
    span = search.fontMetrics().horizontalAdvance(search.placeholderText())
    shown = search.grab().toImage()
    width = search.width()
    search.setFixedWidth(width + 400)
    QApplication.processEvents()
    wide = search.grab().toImage()
    search.setFixedWidth(width)
    QApplication.processEvents()
    box = (left, 0, span + 2, shown.height())
    return shown.copy(*box) == wide.copy(*box)


def test_the_search_hint_is_whole_at_every_width(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib, size=(892, 700))
    search = window.filter_bar.search
    qtbot.waitUntil(lambda: search.width() > 0)
    assert search.placeholderText() == "Search" and _hint_fits(window)
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: search.placeholderText() == "Search names and tags")
    assert _hint_fits(window)
    assert "creator" in search.toolTip()


def test_a_long_campaign_title_ends_in_an_ellipsis(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib, size=(892, 700))
    long = "Spring launch for the northern region, second wave, with the retail partners"
    window.filter_bar.set_scope_title(long, "Campaign of Acme Studio")
    title = window.filter_bar.title
    assert title.shown_text().endswith("…") and title.toolTip() == long


def test_an_empty_search_has_a_hint_and_a_button_that_clears_it(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    window.filter_bar.search.setText("zzz-nothing")
    qtbot.waitUntil(lambda: window.model.loaded and window.model.rowCount() == 0, timeout=5_000)
    assert window.grid.empty_title == "No assets match “zzz-nothing”"
    qtbot.waitUntil(lambda: window.grid.empty_button.isVisible())
    assert window.grid.empty_button.text() == "Clear Filters"
    window.grid.empty_button.click()
    wait_for_names(qtbot, window, set(PLAN))
    assert window.filter_bar.search.text() == "" and not window.grid.empty_button.isVisible()


def test_rename_and_delete_are_disabled_with_nothing_selected(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    actions = window.actions_by_name
    window.grid.clearSelection()
    window.grid.setFocus()
    qtbot.waitUntil(lambda: not actions["rename"].isEnabled() and not actions["delete"].isEnabled())
    _select(window, ["hero-banner.jpg"])
    assert actions["rename"].isEnabled() and actions["delete"].isEnabled()
    _select(window, ["hero-banner.jpg", "moodboard.jpg"])
    assert not actions["rename"].isEnabled() and actions["delete"].isEnabled()


def test_help_has_about_and_keyboard_shortcuts(qtbot, showcase, make_window, shot_dir) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    menu_titles = [a.text() for a in window.menuBar().actions()]
    assert menu_titles[-1] == "&Help"
    window.actions_by_name["about"].trigger()
    about = window.help_dialog
    assert isinstance(about, MessageDialog) and about.isVisible()
    texts = " ".join(label.text() for label in about.findChildren(type(about.text)))
    from app import __version__

    assert __version__ in texts and str(lib.data_dir) in texts and "Log folder:" in texts
    window.actions_by_name["shortcuts"].trigger()
    shortcuts = window.help_dialog
    assert isinstance(shortcuts, MessageDialog)
    assert "F2" in shortcuts.text.text() and "Space" in shortcuts.text.text() and "K " in shortcuts.text.text()
    shortcuts.grab().save(str(shot_dir / "shortcuts.png"))


def test_the_rename_dialog_is_wide_titled_and_selects_the_stem(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = TextDialog(None, "Rename Asset", "New name for “hero-banner.jpg”:", "hero-banner.jpg")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.width() >= 440 and dialog.windowTitle() == "Rename Asset"
    assert dialog.field.selectedText() == "hero-banner"
    plain = TextDialog(None, "Rename Client", "New name:", "Acme Studio")
    qtbot.addWidget(plain)
    assert plain.field.selectedText() == "Acme Studio"


def test_dialogs_carry_no_stock_icons(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    prompts = Prompts(QSettings())
    prompts.error(window, "Import failed", "Nothing was imported")
    assert isinstance(prompts.last_dialog, MessageDialog)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    prompts.last_dialog.close()


def test_the_import_dialog_starts_in_pictures_or_home_then_the_last_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    first = import_start_folder(settings)
    assert first != os.getcwd() or first == str(Path.home())
    assert Path(first).is_dir() and (first == str(Path.home()) or "Pictures" in first or Path(first).parent == Path.home())
    remember_import_folder(settings, str(tmp_path / "a.png"))
    assert import_start_folder(settings) == str(tmp_path)


def test_show_in_file_manager_opens_the_folder_without_d_bus(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
    if desktop.has_file_manager_service():
        pytest.skip("a file manager answers on this bus")
    target = tmp_path / "Hero.png"
    target.write_bytes(b"x")
    desktop.show_in_file_manager(target)
    assert desktop.last_opened_folder == tmp_path


def test_transparent_images_sit_on_a_checkerboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.gui import theme

    theme.apply(QApplication.instance(), dark=True)  # type: ignore[arg-type]
    widget = FittedImage()
    qtbot.addWidget(widget)
    widget.resize(200, 200)
    clear = QImage(100, 100, QImage.Format.Format_ARGB32)
    clear.fill(QColor(0, 0, 0, 0))
    widget.set_image(clear)
    shot = widget.grab().toImage()
    colours = {shot.pixelColor(x, y).name() for x in range(60, 140, 3) for y in range(60, 140, 3)}
    assert len(colours) >= 2 and "#ffffff" not in colours  # squares, and no white box in dark mode
    theme.apply(QApplication.instance(), dark=False)  # type: ignore[arg-type]


def test_a_missing_file_says_so_in_the_preview_and_quick_look(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    record = lib.get_asset(made.assets["hero-banner.jpg"])
    path = lib.file_path(record)
    os.chmod(path, 0o644)
    path.unlink()
    _select(window, ["hero-banner.jpg"])
    window.commands.quick_look()
    dialog = window.commands.quick_look_dialog
    assert dialog is not None
    assert dialog.preview.currentWidget() is dialog.preview.message
    assert "missing" in dialog.preview.message.text()
    dialog.close()


def test_space_closes_quick_look_for_a_video_and_k_plays(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    _select(window, ["sunset-loop.mp4"])
    window.commands.quick_look()
    dialog = window.commands.quick_look_dialog
    assert dialog is not None and dialog.isVisible()
    media = dialog.preview.media
    assert media.play_button.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert media.play_key.key().toString() == "K"
    assert media.picture.upscale  # the poster fills the player, as the video will
    qtbot.keyClick(dialog, Qt.Key.Key_Space)
    assert not dialog.isVisible()


def test_disconnect_forgets_the_server(qtbot, showcase, make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    SyncStore(lib).add_remote("origin", "http://127.0.0.1:9", "atelier", "me", "token")
    window = make_window(lib)
    bar = window.sync_bar  # type: ignore[attr-defined]
    window.sync.refresh_status()
    qtbot.waitUntil(lambda: bar.disconnect_action.isEnabled(), timeout=10_000)
    assert bar.disconnect_action.text() == "Disconnect"
    bar.disconnect_action.trigger()
    assert prompts.asked[-1][0] == "Disconnect"
    qtbot.waitUntil(lambda: SyncStore(lib).list_remotes() == [], timeout=10_000)
    qtbot.waitUntil(lambda: bar.sync_button.text() == "Connect…", timeout=10_000)
    assert not bar.disconnect_action.isEnabled()


def test_quitting_while_serving_asks_first(qtbot, showcase, make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    with qtbot.waitSignal(window.server.server_started, timeout=60_000):
        window.server.start()
    prompts.confirm_answer = False
    window.close()
    assert window.isVisible() and prompts.asked[-1][0] == "Quit Atelier"
    prompts.confirm_answer = True
    with qtbot.waitSignal(window.server.server_stopped, timeout=15_000):
        window.close()
    assert not window.isVisible()
    assert grid_names  # the grid helper stays importable for the other tests


def test_qt_and_ffmpeg_chatter_goes_to_the_log_not_the_terminal(showcase, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    lib, made = showcase
    video = lib.file_path(lib.get_asset(made.assets["sunset-loop.mp4"]))
    script = f"""
import logging
from app.gui import logs
logs.route_qt_messages()
logs.setup(__import__("pathlib").Path({str(tmp_path / "logs")!r}))
from PySide6.QtWidgets import QApplication
from PySide6.QtCore import QUrl, QTimer
from PySide6.QtMultimedia import QMediaPlayer
app = QApplication([])
player = QMediaPlayer()
player.setSource(QUrl.fromLocalFile({str(video)!r}))
QTimer.singleShot(1500, app.quit)
app.exec()
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Input #0" not in done.stderr and "pipewire" not in done.stderr
    logged = (tmp_path / "logs" / "atelier.log").read_text()
    assert "Input #0" in logged


def test_a_transparent_png_tile_in_the_grid_is_on_a_checkerboard(qtbot, showcase) -> None:  # type: ignore[no-untyped-def]
    from app.gui import theme
    from app.gui.thumbnails import transparent_tile

    lib, made = showcase
    theme.apply(QApplication.instance(), dark=True)  # type: ignore[arg-type]
    try:
        logo = lib.get_asset(made.assets["logo-mark.png"])
        tile = transparent_tile(lib, logo, 256)
        assert tile is not None and not tile.hasAlphaChannel()
        corner = {tile.pixelColor(x, y).name() for x in range(0, 16) for y in range(0, 16)}
        assert corner == {"#3a3a40", "#2c2c31"}  # the dark squares, no white box
        photo = lib.get_asset(made.assets["hero-banner.jpg"])
        assert transparent_tile(lib, photo, 256) is None  # opaque formats keep the JPEG thumbnail
    finally:
        theme.apply(QApplication.instance(), dark=False)  # type: ignore[arg-type]


def test_the_details_pane_scrolls_as_one_with_its_bar_at_the_edge(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QScrollArea

    from tests.gui.test_window import select_row

    lib, _ = showcase
    window = make_window(lib, size=(892, 700))
    select_row(window, "hero-banner.jpg")
    details = window.details
    qtbot.waitUntil(lambda: details.record is not None)
    areas = details.findChildren(QScrollArea)
    assert len(areas) == 1  # no small box of fields of its own under a fixed preview
    area = areas[0]
    assert area.widget().isAncestorOf(details.preview) and area.widget().isAncestorOf(details.name_edit)
    bar = area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.isVisible() and bar.maximum() > 0)  # 700 px is too short for it all
    right = bar.mapTo(details, QPoint(bar.width(), 0)).x()
    assert right == details.width()  # at the pane's edge, not against the fields
    field_right = details.name_edit.mapTo(details, QPoint(details.name_edit.width(), 0)).x()
    assert field_right <= bar.mapTo(details, QPoint(0, 0)).x() - 8
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: bar.maximum() == 0)  # everything fits: nothing scrolls
