"""The find features as a designer meets them: the sort button during a ranked search, smart
folder recounts spaced out under a stream of changes, keyboard access (real library)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QScrollArea, QWidget

from app.gui import menus, rating_keys
from app.gui.smart_dialog import SmartFolderDialog
from app.library.find import parse_rule
from app.library.service import LibraryService
from tests.gui.conftest import wait_for_names
from tests.gui.test_find_window import smart_count
from tests.gui.test_window import ALL, select_row


def _pictures(tmp: Path) -> list[Path]:
    out = []
    for name, rgb in (("red", (220, 20, 20)), ("blue", (20, 40, 220)), ("green", (30, 170, 60))):
        im = Image.new("RGB", (320, 240), rgb)
        ImageDraw.Draw(im).ellipse([60, 40, 260, 200], fill=(245, 245, 240))
        out.append(tmp / f"{name}.png")
        im.save(out[-1])
    return out


def test_the_sort_button_says_nearest_while_a_colour_or_similar_search_ranks(qtbot, tmp_path, make_window) -> None:  # type: ignore[no-untyped-def]
    lib = LibraryService(tmp_path / "lib", workers=1)
    try:
        lib.import_paths(_pictures(tmp_path), workers=1)
        window = make_window(lib)
        wait_for_names(qtbot, window, {"red.png", "blue.png", "green.png"})
        sort = window.filter_bar.sort_button
        assert sort.text() == "Newest" and sort.isEnabled()
        window.search_colour("#dc1414")
        qtbot.waitUntil(lambda: window.filters.colour is not None)
        assert sort.text() == "Nearest" and not sort.isEnabled()
        assert "nearest" in sort.toolTip().lower()
        window.search_colour(None)
        assert sort.text() == "Newest" and sort.isEnabled()
        # Likeness ranks too; the sort picked meanwhile comes back afterwards.
        window.filter_bar.sort_actions["name"].trigger()
        assert sort.text() == "Name"
        select_row(window, "red.png")
        window.find_similar(window.selected_records()[0])
        assert sort.text() == "Nearest" and not sort.isEnabled()
        qtbot.mouseClick(window.filter_bar.similar_chip, Qt.MouseButton.LeftButton)
        assert sort.text() == "Name" and sort.isEnabled() and window.filters.sort == "name"
    finally:
        lib.close()


def test_smart_counts_are_spaced_out_under_a_stream_of_changes_and_right_after(qtbot, showcase, make_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    uid = lib.local_user_id
    lib.find.add_smart("Top rated", ["rating>=4"], user_id=uid)
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)
    qtbot.waitUntil(lambda: smart_count(window, "Top rated") == 0, timeout=10_000)
    qtbot.wait(1500)  # the opening loads have landed
    folders = len(window.sidebar.smart_entries())
    calls: list[int] = []
    real = lib.count_assets

    def counting(query, *args, **kwargs):  # type: ignore[no-untyped-def]
        if query.rules:  # a smart folder's count (the grid and the type pills carry none)
            calls.append(1)
        return real(query, *args, **kwargs)

    monkeypatch.setattr(lib, "count_assets", counting)
    names = sorted(made.assets)[:12]
    for i, name in enumerate(names):
        if i % 2:  # another process rates
            lib.find.set_rating([made.assets[name]], 5, uid)
        else:  # the window's own rating keys
            select_row(window, name)
            rating_keys.rate(window, 5)
        qtbot.wait(120)
    # Right within a couple of seconds of the last change.
    qtbot.waitUntil(lambda: smart_count(window, "Top rated") == len(names), timeout=3_000)
    qtbot.wait(1500)
    assert smart_count(window, "Top rated") == len(names)
    recounts = len(calls) / folders
    assert recounts <= len(names) / 2, f"{recounts} recounts for {len(names)} changes"  # 3 here, 10 before
    # Nothing changed since: a refresh for nothing (a sidebar click, a theme change) counts nothing.
    calls.clear()
    window.refresh()
    qtbot.wait(800)
    assert calls == []


def test_the_rule_editor_shows_no_stale_value_widgets(qtbot) -> None:  # type: ignore[no-untyped-def]
    # Built inside a modal loop, replaced value widgets were only scheduled for deletion and
    # stayed drawn over the field boxes until that loop ended (the whole time it was open).
    rules = [parse_rule(t) for t in ("rating>=4", "campaign=Summer sale", "color=#ecd096")]
    dialog = SmartFolderDialog(None, name="Best of summer", rules=rules, names={"campaign": ["Summer sale"]})
    qtbot.addWidget(dialog)
    for row in dialog.rows:
        stray = [c for c in row.findChildren(QWidget) if c.parent() is row and row.row.indexOf(c) < 0
                 and not c.isHidden()]
        assert stray == [], [type(c).__name__ for c in stray]
    assert dialog.rule_texts() == ["rating>=4", "campaign=Summer sale", "color=#ecd096"]


def test_keyword_suggestions_wrap_at_the_minimum_width(qtbot, tmp_path, make_window) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.test_find_shots import beach_photo

    photo = tmp_path / "beach-lemonade.jpg"
    beach_photo(photo)
    lib = LibraryService(tmp_path / "lib", workers=1)
    try:
        lib.import_paths([photo], workers=1)
        window = make_window(lib, size=(892, 860))
        wait_for_names(qtbot, window, {"beach-lemonade.jpg"})
        select_row(window, "beach-lemonade.jpg")
        section = window.details.metadata
        qtbot.waitUntil(lambda: section.suggested == ["beach", "summer", "lemonade"], timeout=10_000)
        qtbot.wait(300)
        scroll = window.details.findChild(QScrollArea)
        assert scroll is not None
        # The pane's content fits its width (nothing hidden to the right, no sideways scroll)...
        assert scroll.widget().width() <= scroll.viewport().width()
        # ...and every chip is whole inside it.
        right = scroll.viewport().mapToGlobal(scroll.viewport().rect().topRight()).x()
        for button in [*section.suggestion_buttons, section.add_all_button]:
            assert button.isVisibleTo(window)
            assert button.mapToGlobal(button.rect().topRight()).x() <= right, button.text()
    finally:
        lib.close()


def test_an_empty_smart_folder_says_what_it_looks_for(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _made = showcase
    uid = lib.local_user_id
    lib.find.add_smart("Five-star videos", ["rating>=5", "type=video"], user_id=uid)
    window = make_window(lib, size=(892, 860))
    wait_for_names(qtbot, window, ALL)
    entry = next(e for e in window.sidebar.smart_entries() if e.name == "Five-star videos")
    window.sidebar.select_scope("smart", entry.id)
    qtbot.waitUntil(lambda: window.model.loaded and window.model.rowCount() == 0, timeout=10_000)
    grid = window.grid
    qtbot.waitUntil(lambda: grid.empty_button.isVisible(), timeout=5_000)
    # Its own picture and its rules in words, not the import drop target's.
    assert grid.empty_icon == "smart"
    assert "Rating at least ★★★★★ and Type is Video" in grid.empty_hint
    # The button sits under the hint, not over it.
    hint_bottom = grid.viewport().rect().center().y() + 68
    assert grid.empty_button.y() >= hint_bottom
    # A search with no results shows a search picture.
    window.sidebar.select_scope("all", None)
    window.filter_bar.search.setText("no such thing anywhere")
    qtbot.waitUntil(lambda: grid.empty_title.startswith("No assets match"), timeout=10_000)
    assert grid.empty_icon == "search"


def test_colour_search_and_find_similar_have_keys_listed_in_help(qtbot, tmp_path, make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    lib = LibraryService(tmp_path / "lib", workers=1)
    try:
        lib.import_paths(_pictures(tmp_path), workers=1)
        window = make_window(lib)
        wait_for_names(qtbot, window, {"red.png", "blue.png", "green.png"})
        actions = window.actions_by_name
        colour, similar = actions["search_colour"], actions["find_similar"]
        assert colour.shortcut().toString() == "Ctrl+Shift+C"
        assert similar.shortcut().toString() == "Ctrl+Shift+F"
        rows = dict(menus.shortcut_rows(window))
        assert rows[colour.shortcut().toString(QKeySequence.SequenceFormat.NativeText)] == "Search by Colour"
        assert rows[similar.shortcut().toString(QKeySequence.SequenceFormat.NativeText)] == "Find Similar"
        # Find Similar applies to one image or video: off with nothing selected.
        window.grid.clearSelection()
        menus.update_actions(window)
        assert not similar.isEnabled()
        select_row(window, "red.png")
        qtbot.waitUntil(similar.isEnabled, timeout=2_000)
        window.grid.setFocus()
        qtbot.keyClick(window.grid, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: window.filters.similar is not None, timeout=2_000)
        assert window.filters.similar[1] == "red.png"
        # The colour picker answers through the prompts (a person picks blue).
        prompts.colour_answer = "#1428dc"
        qtbot.keyClick(window.grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: window.filters.colour == "#1428dc", timeout=2_000)
    finally:
        lib.close()
