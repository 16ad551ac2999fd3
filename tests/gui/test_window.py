"""The window on a real library: what it shows, how the sidebar, type filters and search narrow it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.gui.main_window import MainWindow
from app.gui.scope import Scope
from app.library.records import AssetQuery
from tests.gui.conftest import grid_names, has_ink, wait_for_names
from tests.gui.showcase import PLAN

pytestmark = pytest.mark.gui

ALL = set(PLAN)


def in_campaign(campaign: str) -> set[str]:
    return {n for n, p in PLAN.items() if p is not None and p[1] == campaign}


def in_client(client: str) -> set[str]:
    return {n for n, p in PLAN.items() if p is not None and p[0] == client}


def pick(window: MainWindow, kind: str, item_id: str | None) -> None:
    assert window.sidebar.select_scope(kind, item_id)


def visible_ids(window: MainWindow) -> list[str]:
    area = window.grid.viewport().rect()
    rows = range(window.model.rowCount())
    return [
        window.model.asset_id(r) or ""
        for r in rows
        if window.grid.visualRect(window.model.index(r, 0)).intersects(area)
    ]


def select_row(window: MainWindow, name: str) -> None:
    names = grid_names(window)
    index = window.model.index(names.index(name), 0)
    window.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_window_shows_every_type_sidebar_counts_and_details(qtbot, showcase, make_window, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)

    model = window.sidebar.sidebar_model
    tops = [model.entry(model.index(r, 0)) for r in range(model.rowCount())]
    rows = {e.name: e.count for e in tops if e is not None}
    assert rows["All assets"] == 10
    assert rows["Unassigned"] == 1
    assert rows["Acme Studio"] == 6 and rows["Northwind"] == 3
    acme = model.find("client", made.clients["Acme Studio"])
    kids = [model.entry(model.index(r, 0, acme)) for r in range(model.rowCount(acme))]
    campaigns = {k.name: k.count for k in kids if k is not None}
    assert campaigns == {"Spring launch": 3, "Summer sale": 3}

    qtbot.waitUntil(lambda: window.filter_bar.type_buttons["image"].text().endswith("5"))
    pills = {k: b.text().split()[-1] for k, b in window.filter_bar.type_buttons.items()}
    assert pills == {None: "10", "image": "5", "video": "2", "audio": "2", "document": "1"}

    # Every tile on screen gets its thumbnail from the worker threads (and only those load).
    visible = visible_ids(window)
    assert 0 < len(visible) <= 10
    qtbot.waitUntil(lambda: all(window.thumbnails._pixmaps.get(i) for i in visible), timeout=10_000)

    select_row(window, "sunset-loop.mp4")
    qtbot.waitUntil(lambda: window.details.record is not None and window.details.record.name == "sunset-loop.mp4")
    values = {k: v.text() for k, v in window.details.info_values.items()}
    assert values["Type"] == "Video" and values["Dimensions"] == "640 × 360"
    assert values["Duration"] == "0:03"
    assert window.details.client_box.currentText() == "Acme Studio"
    assert window.details.campaign_box.currentText() == "Spring launch"
    media = window.details.preview.media
    assert window.details.preview.currentWidget() is media
    qtbot.waitUntil(media.picture.has_image)  # the poster frame until it plays
    qtbot.waitUntil(lambda: media.player.duration() > 0, timeout=10_000)  # QtMultimedia opened it

    select_row(window, "hero-banner.jpg")
    qtbot.waitUntil(window.details.preview.image.has_image)
    assert window.details.tags_edit.text() == "hero, spring, web"
    window.grab().save(str(shot_dir / "main-window.png"))


def test_sidebar_and_type_filters_show_exactly_the_matching_assets(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)

    pick(window, "client", made.clients["Acme Studio"])
    wait_for_names(qtbot, window, in_client("Acme Studio"))
    pick(window, "campaign", made.campaigns["Summer sale"])
    wait_for_names(qtbot, window, in_campaign("Summer sale"))
    pick(window, "client", made.clients["Northwind"])
    wait_for_names(qtbot, window, in_client("Northwind"))
    pick(window, "unassigned", None)
    wait_for_names(qtbot, window, {"moodboard.jpg"})

    pick(window, "all", None)
    qtbot.mouseClick(window.filter_bar.type_buttons["video"], Qt.MouseButton.LeftButton)
    wait_for_names(qtbot, window, {"sunset-loop.mp4", "product-teaser.mov"})
    pick(window, "campaign", made.campaigns["Spring launch"])
    wait_for_names(qtbot, window, {"sunset-loop.mp4"})
    qtbot.mouseClick(window.filter_bar.type_buttons["image"], Qt.MouseButton.LeftButton)
    wait_for_names(qtbot, window, {"hero-banner.jpg", "logo-mark.png"})
    qtbot.mouseClick(window.filter_bar.type_buttons["document"], Qt.MouseButton.LeftButton)
    wait_for_names(qtbot, window, set())
    assert window.grid.empty_title.startswith("No assets match")
    qtbot.mouseClick(window.filter_bar.type_buttons[None], Qt.MouseButton.LeftButton)
    wait_for_names(qtbot, window, in_campaign("Spring launch"))

    # The grid agrees with the library for the same query, in the same order.
    expected = [r.name for r in lib.list_assets(window.model.query, limit=100)]
    assert grid_names(window) == expected


def test_search_narrows_and_purpose_filters(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.filter_bar.search.hasFocus()
    qtbot.keyClicks(window.filter_bar.search, "sun")
    wait_for_names(qtbot, window, {"sunset-loop.mp4"})
    window.filter_bar.search.setText("spring")  # a tag, not a name
    wait_for_names(qtbot, window, {"hero-banner.jpg"})
    window.filter_bar.search.clear()
    wait_for_names(qtbot, window, ALL)

    window.filter_bar.purpose_actions["face"].trigger()
    wait_for_names(qtbot, window, {"logo-mark.png"})
    window.filter_bar.purpose_actions["template"].trigger()
    wait_for_names(qtbot, window, {"poster.webp"})
    window.filter_bar.purpose_actions[None].trigger()
    wait_for_names(qtbot, window, ALL)


def test_sort_menu_orders_the_grid(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)
    window.filter_bar.sort_actions["name"].trigger()
    wait_for_names(qtbot, window, sorted(ALL))
    window.filter_bar.sort_actions["size"].trigger()
    by_size = [r.name for r in lib.list_assets(AssetQuery(sort="size"), limit=100)]
    wait_for_names(qtbot, window, by_size)
    assert window.filter_bar.sort_button.text() == "Largest"


def test_details_pane_edits_name_tags_purpose_and_campaign(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)
    select_row(window, "moodboard.jpg")
    details = window.details
    qtbot.waitUntil(lambda: details.record is not None and details.record.name == "moodboard.jpg")
    asset_id = made.assets["moodboard.jpg"]

    details.name_edit.setText("Moodboard v2")
    details.name_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: lib.get_asset(asset_id).name == "Moodboard v2")
    details.tags_edit.setText("colour, mood ,  ")
    details.tags_edit.editingFinished.emit()
    qtbot.waitUntil(lambda: lib.get_asset(asset_id).tags == ["colour", "mood"])
    details.select_purpose("template")
    details.purpose_box.activated.emit(details.purpose_box.currentIndex())
    qtbot.waitUntil(lambda: lib.get_asset(asset_id).purpose == "template")
    qtbot.waitUntil(lambda: "Moodboard v2" in grid_names(window))

    details.select_client(made.clients["Northwind"])
    details.client_box.activated.emit(details.client_box.currentIndex())
    qtbot.waitUntil(lambda: lib.get_asset(asset_id).client_id == made.clients["Northwind"])
    qtbot.waitUntil(lambda: details.campaign_box.isEnabled() and details.campaign_box.count() == 2)
    details.select_campaign(made.campaigns["Rebrand"])
    details.campaign_box.activated.emit(details.campaign_box.currentIndex())
    qtbot.waitUntil(lambda: lib.get_asset(asset_id).campaign_id == made.campaigns["Rebrand"])
    # It left "Unassigned": the sidebar's counts follow.
    qtbot.waitUntil(lambda: window.sidebar.count_for(Scope("unassigned")) == 0)
    qtbot.waitUntil(lambda: window.sidebar.count_for(Scope("campaign", made.campaigns["Rebrand"])) == 3)


def test_models_pass_the_model_tester(qtbot, qtmodeltester, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)
    qtmodeltester.check(window.model)
    qtmodeltester.check(window.sidebar.sidebar_model)
    # ... and still when the model changes under the tester.
    window.filter_bar.type_buttons["audio"].click()
    wait_for_names(qtbot, window, {"jingle.mp3", "voiceover.wav"})
    qtmodeltester.check(window.model)


def test_preview_kinds_quick_look_and_zoom_keys(qtbot, showcase, make_window, settings, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)
    preview = window.details.preview
    for name, widget in (
        ("brand-guidelines.pdf", lambda: preview.pdf),
        ("jingle.mp3", lambda: preview.media),
        ("hero-banner.jpg", lambda: preview.image),
    ):
        select_row(window, name)
        qtbot.waitUntil(lambda w=widget: preview.currentWidget() is w())
    qtbot.waitUntil(preview.image.has_image)
    select_row(window, "brand-guidelines.pdf")
    qtbot.waitUntil(lambda: preview.currentWidget() is preview.pdf)
    assert preview.pdf.document.pageCount() == 4
    preview.pdf.next_button.click()
    assert preview.pdf.page_label.text() == "Page 2 of 4"

    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    dialog = window.commands.quick_look_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "brand-guidelines.pdf"
    qtbot.waitUntil(lambda: has_ink(dialog.preview.pdf.view), timeout=10_000)  # the page is drawn
    dialog.grab().save(str(shot_dir / "quick-look.png"))
    qtbot.keyClick(dialog, Qt.Key.Key_Space)
    assert not dialog.isVisible()

    window.activateWindow()  # keys go to the active window, as they do for a person
    qtbot.waitUntil(window.isActiveWindow)
    before = window.grid.edge
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.grid.edge > before
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.grid.edge < before
    zoom = window.grid.edge
    window.close()
    assert int(settings.value("grid/zoom")) == zoom


def test_window_remembers_zoom_and_splitter(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    first = make_window(lib)
    first.filter_bar.zoom.setValue(240)
    first.splitter.setSizes([300, 700, 360])
    sizes = first.splitter.sizes()
    first.close()
    second = make_window(lib)
    assert second.grid.edge == 240
    assert second.splitter.sizes() == sizes


def test_appearance_follows_the_os_to_dark(qtbot, showcase, make_window, monkeypatch, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib, dark=False)
    pick(window, "client", made.clients["Acme Studio"])
    wait_for_names(qtbot, window, in_client("Acme Studio"))
    button = window.sidebar_panel.new_client_button
    light_icon = button.icon().pixmap(16, 16).toImage()
    assert window.palette().window().color().lightness() > 200

    # What the OS does when the user turns on dark mode (the variable stands in for the OS's
    # answer, which an offscreen test machine cannot give).
    monkeypatch.setenv("ATELIER_APPEARANCE", "dark")
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert QApplication.palette().window().color().lightness() < 80
    assert button.icon().pixmap(16, 16).toImage() != light_icon  # icons were redrawn light

    visible = visible_ids(window)
    qtbot.waitUntil(lambda: all(window.thumbnails._pixmaps.get(i) for i in visible), timeout=10_000)
    select_row(window, "poster.webp")
    qtbot.waitUntil(window.details.preview.image.has_image)
    window.grab().save(str(shot_dir / "main-window-dark.png"))
