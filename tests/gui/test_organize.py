"""Organizing from the window: delete, refile by dragging, clients and campaigns, the right-click menu."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication

from app.gui import menus
from app.gui.asset_model import ASSET_IDS_MIME
from app.gui.main_window import MainWindow
from app.gui.scope import Scope
from tests.gui.conftest import grid_names, wait_for_names
from tests.gui.showcase import PLAN

pytestmark = pytest.mark.gui


def select_names(window: MainWindow, names: list[str]) -> None:
    rows = grid_names(window)
    selection = QItemSelection()
    for name in names:
        index = window.model.index(rows.index(name), 0)
        selection.select(index, index)
    window.grid.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    window.grid.selectionModel().setCurrentIndex(
        window.model.index(rows.index(names[0]), 0), QItemSelectionModel.SelectionFlag.NoUpdate
    )


def test_deleting_a_campaign_removes_its_assets_from_grid_and_disk(qtbot, showcase, make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    campaign = made.campaigns["Spring launch"]
    doomed = [lib.get_asset(made.assets[n]) for n, p in PLAN.items() if p and p[1] == "Spring launch"]
    files = [lib.file_path(r) for r in doomed] + [lib.thumb_path(r) for r in doomed]
    assert len(doomed) == 3 and all(f.is_file() for f in files)
    window.sidebar.select_scope("campaign", campaign)
    wait_for_names(qtbot, window, {r.name for r in doomed})

    window.commands.delete_scope(window.sidebar.current_scope())
    title, question = prompts.asked[-1]
    assert title == "Delete campaign" and "3 assets" in question and "Spring launch" in question
    # The scope is gone: the window falls back to everything, without the deleted assets.
    rest = set(PLAN) - {r.name for r in doomed}
    wait_for_names(qtbot, window, rest)
    assert window.filters.scope.kind == "all"
    assert not window.sidebar.sidebar_model.find("campaign", campaign).isValid()
    assert not any(f.exists() for f in files)
    assert lib.count_assets() == len(rest)


def test_declining_the_question_deletes_nothing(qtbot, showcase, make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    prompts.confirm_answer = False
    window.sidebar.select_scope("client", made.clients["Acme Studio"])
    window.sidebar.setFocus()
    qtbot.keyClick(window.sidebar, Qt.Key.Key_Delete)
    assert prompts.asked[-1][0] == "Delete client" and "6 assets" in prompts.asked[-1][1]
    window.tasks.wait()
    assert lib.count_assets() == len(PLAN)


def test_delete_key_deletes_the_selected_assets_and_their_files(qtbot, showcase, make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    names = ["poster.webp", "jingle.mp3"]
    select_names(window, names)
    records = [lib.get_asset(made.assets[n]) for n in names]
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Delete)
    assert prompts.asked[-1][0] == "Delete assets" and "2 assets" in prompts.asked[-1][1]
    wait_for_names(qtbot, window, set(PLAN) - set(names))
    for r in records:
        assert not lib.file_path(r).exists() and not lib.thumb_path(r).exists()


def test_dragging_assets_onto_a_campaign_refiles_them(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    select_names(window, ["moodboard.jpg", "voiceover.wav"])
    mime = window.model.mimeData(window.grid.selectionModel().selectedIndexes())
    # What other applications get: the real files, under the assets' own names.
    urls = {Path(u.toLocalFile()).name for u in mime.urls()}
    assert urls == {"moodboard.jpg", "voiceover.wav"}
    assert all(Path(u.toLocalFile()).is_file() for u in mime.urls())
    record = lib.get_asset(made.assets["moodboard.jpg"])
    dragged = next(Path(u.toLocalFile()) for u in mime.urls() if u.toLocalFile().endswith(".jpg"))
    assert dragged.samefile(lib.file_path(record)) and lib.file_path(record).name.startswith(record.id)
    assert mime.hasFormat(ASSET_IDS_MIME)

    target = made.campaigns["Summer sale"]
    index = window.sidebar.sidebar_model.find("campaign", target)
    # Enter and move events are declared with a QPoint, the drop event with a QPointF.
    point = window.sidebar.visualRect(index).center()
    viewport = window.sidebar.viewport()
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, QDragEnterEvent(point, *args))
    QApplication.sendEvent(viewport, QDragMoveEvent(point, *args))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(point), *args))

    for name in ("moodboard.jpg", "voiceover.wav"):
        qtbot.waitUntil(lambda n=name: lib.get_asset(made.assets[n]).campaign_id == target)
        assert lib.get_asset(made.assets[name]).client_id == made.clients["Acme Studio"]
    qtbot.waitUntil(lambda: window.sidebar.count_for(Scope("campaign", target)) == 5)
    # Dropped on "All assets", assets stay where they are.
    all_index = window.sidebar.sidebar_model.find("all", None)
    move = QDragMoveEvent(window.sidebar.visualRect(all_index).center(), *args)
    QApplication.sendEvent(viewport, move)
    assert not move.isAccepted()


def test_clients_and_campaigns_are_made_renamed_and_deleted_from_the_sidebar(qtbot, showcase, make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    prompts.text_answers = ["Globex"]
    window.commands.new_client()
    qtbot.waitUntil(lambda: window.filters.scope.kind == "client" and window.filters.scope.name == "Globex")
    globex = window.filters.scope.id
    assert globex and lib.find_client("Globex") is not None
    assert window.grid.empty_title == "Nothing in Globex yet"

    prompts.text_answers = ["Autumn"]
    window.commands.new_campaign_here()
    qtbot.waitUntil(lambda: window.filters.scope.kind == "campaign" and window.filters.scope.name == "Autumn")
    autumn = window.filters.scope.id
    assert window.sidebar.sidebar_model.find("campaign", autumn).parent() == window.sidebar.sidebar_model.find("client", globex)

    prompts.text_answers = ["Autumn sale"]
    window.commands.rename_scope(window.filters.scope)
    sidebar = window.sidebar.sidebar_model
    qtbot.waitUntil(lambda: sidebar.entry(sidebar.find("campaign", autumn)).name == "Autumn sale")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: window.filter_bar.title.text() == "Autumn sale")

    prompts.text_answers = ["Acme Studio"]  # taken: said so, nothing changes
    window.commands.rename_scope(Scope("client", globex, name="Globex"))
    qtbot.waitUntil(lambda: bool(prompts.errors))
    assert "already exists" in prompts.errors[-1]

    window.commands.delete_scope(Scope("client", globex, name="Globex"))
    assert "0 assets" in prompts.asked[-1][1]
    qtbot.waitUntil(lambda: not window.sidebar.sidebar_model.find("client", globex).isValid())


def test_right_click_menu_offers_the_asset_actions(qtbot, showcase, make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    select_names(window, ["hero-banner.jpg"])
    menu = menus.grid_menu(window, window.grid.rect().center())
    assert menu is not None
    labels = [a.text().split("\t") for a in menu.actions() if a.text()]
    texts = [label[0] for label in labels]
    assert texts == ["Open", "Quick Look", "Show in File Manager", "Copy", "Find Similar", "Rename…", "Move to", "Share for Review…", "Delete…"]
    # Each entry the keyboard also reaches shows its key, as the menu bar writes it.
    keys = {label[0]: label[1] for label in labels if len(label) == 2}
    native = QKeySequence.SequenceFormat.NativeText
    assert keys == {
        "Open": QKeySequence("Return").toString(native),
        "Quick Look": "Space",
        "Copy": QKeySequence(QKeySequence.StandardKey.Copy).toString(native),
        "Find Similar": window.actions_by_name["find_similar"].shortcut().toString(native),
        "Rename…": "F2",
        "Delete…": QKeySequence("Del").toString(native),
    }
    move = next(a for a in menu.actions() if a.text() == "Move to").menu()
    assert [a.text() for a in move.actions() if a.text()] == ["Unassigned", "Acme Studio", "Northwind"]

    next(a for a in menu.actions() if a.text().startswith("Copy\t")).trigger()
    clip = QGuiApplication.clipboard().mimeData()
    record = lib.get_asset(made.assets["hero-banner.jpg"])
    copied = [Path(u.toLocalFile()) for u in clip.urls()]
    assert [p.name for p in copied] == ["hero-banner.jpg"] and copied[0].samefile(lib.file_path(record))
    gnome = bytes(clip.data("x-special/gnome-copied-files").data()).decode()
    assert gnome.splitlines() == ["copy", copied[0].as_uri()]

    prompts.text_answers = ["Hero"]
    next(a for a in menu.actions() if a.text().startswith("Rename…\t")).trigger()
    qtbot.waitUntil(lambda: lib.get_asset(record.id).name == "Hero")
    qtbot.waitUntil(lambda: "Hero" in grid_names(window))

    unassigned = next(a for a in move.actions() if a.text() == "Unassigned")
    unassigned.trigger()
    qtbot.waitUntil(lambda: lib.get_asset(record.id).campaign_id is None)
    assert lib.get_asset(record.id).client_id is None


def test_copy_key_in_the_grid_copies_the_selected_files(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    QGuiApplication.clipboard().clear()
    select_names(window, ["hero-banner.jpg"])
    window.grid.setFocus()
    copy = QKeySequence(QKeySequence.StandardKey.Copy)[0]
    qtbot.keyClick(window.grid, copy.key(), copy.keyboardModifiers())
    record = lib.get_asset(made.assets["hero-banner.jpg"])
    copied = [Path(u.toLocalFile()) for u in QGuiApplication.clipboard().mimeData().urls()]
    assert [p.name for p in copied] == ["hero-banner.jpg"] and copied[0].samefile(lib.file_path(record))
