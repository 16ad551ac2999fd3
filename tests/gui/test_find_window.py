"""Finding things in the window: smart folders, colour and similar search, tile badges, the
expired-rights warning and embedded keywords offered as tags (real library, real media)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QDialog

from app.gui import menus, smart_folders
from app.gui.find_badges import RIGHTS_COLOURS, STAR
from app.gui.main_window import MainWindow
from app.gui.scope import Scope
from app.gui.share_dialog import NO_SERVER, share_for_review, share_selection
from app.gui.sidebar import SidebarEntry
from app.gui.smart_dialog import SmartFolderDialog, rule_summary
from app.library.records import AssetQuery
from app.library.service import LibraryService
from tests.gui.conftest import grid_names, wait_for_names
from tests.gui.test_window import ALL, select_row
from tests.library.test_find import XMP, _scene

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


class Accepting(SmartFolderDialog):
    """The editor as a person fills it in, then Create / Save without a modal loop."""

    def exec(self) -> int:  # type: ignore[override]
        self.accept()
        return int(self.result())


def smart_entry(window: MainWindow, name: str) -> SidebarEntry | None:
    return next((e for e in window.sidebar.smart_entries() if e.name == name), None)


def smart_count(window: MainWindow, name: str) -> int | None:
    entry = smart_entry(window, name)
    return entry.count if entry is not None else None


def pick_smart(qtbot, window: MainWindow, name: str) -> None:  # type: ignore[no-untyped-def]
    entry = smart_entry(window, name)
    assert entry is not None, [e.name for e in window.sidebar.smart_entries()]
    window.sidebar.select_scope("smart", entry.id)
    qtbot.waitUntil(lambda: window.filters.scope.name == name and window.model.loaded, timeout=10_000)


def _colours(tmp: Path) -> dict[str, Path]:
    """Flat pictures with known palettes: two reds (one nearer pure red), a blue, a green."""
    out = {}
    for name, rgb in (("red-pure", (220, 20, 20)), ("red-dull", (200, 35, 30)),
                      ("blue", (20, 40, 220)), ("green", (30, 170, 60))):
        im = Image.new("RGB", (320, 240), rgb)
        ImageDraw.Draw(im).rectangle([0, 200, 320, 240], fill=(245, 245, 240))
        out[name] = tmp / f"{name}.png"
        im.save(out[name])
    return out


# --- smart folders ----------------------------------------------------------------------------


def test_smart_folders_list_live_counts_equal_to_their_grid(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    lib.find.clock = lambda: NOW  # rights expiry on an injected clock
    uid = lib.local_user_id
    lib.find.add_smart("Top rated", ["rating>=4"], user_id=uid)
    lib.find.add_smart("Videos or red", ["type=video", "label=red"], "any", user_id=uid)
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)
    names = [e.name for e in window.sidebar.smart_entries()]
    assert names == ["Top rated", "Videos or red", "Rights expiring soon", "Rights expired"]
    assert smart_count(window, "Top rated") == 0
    assert smart_count(window, "Videos or red") == 2

    # Another process rates, labels and licenses assets: the counts follow within a poll or two.
    lib.find.set_rating([made.assets["hero-banner.jpg"], made.assets["poster.webp"]], 5)
    lib.find.set_label([made.assets["moodboard.jpg"]], "red")
    lib.find.set_rights(asset_id=made.assets["logo-mark.png"], licence="RM", valid_until="2026-05-01")
    lib.find.set_rights(asset_id=made.assets["sticker.gif"], licence="RF", valid_until="2026-06-20")
    qtbot.waitUntil(lambda: smart_count(window, "Top rated") == 2, timeout=10_000)
    qtbot.waitUntil(lambda: smart_count(window, "Videos or red") == 3, timeout=10_000)
    qtbot.waitUntil(lambda: smart_count(window, "Rights expired") == 1, timeout=10_000)
    assert smart_count(window, "Rights expiring soon") == 1

    expected = {
        "Top rated": {"hero-banner.jpg", "poster.webp"},
        "Videos or red": {"sunset-loop.mp4", "product-teaser.mov", "moodboard.jpg"},
        "Rights expiring soon": {"sticker.gif"},
        "Rights expired": {"logo-mark.png"},
    }
    for name, shown in expected.items():
        pick_smart(qtbot, window, name)
        wait_for_names(qtbot, window, shown)
        entry = smart_entry(window, name)
        assert entry is not None
        # The count beside the folder is the same query's result, in the grid and the library.
        query = AssetQuery(user_id=uid, rules=entry.rules, match=entry.match)
        assert entry.count == len(grid_names(window)) == lib.count_assets(query) == len(shown)
        assert window.filter_bar.subtitle.text().startswith("Smart folder")


def test_smart_folders_are_made_edited_and_deleted(qtbot, showcase, make_window, prompts, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    uid = lib.local_user_id
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)

    dialog = Accepting(window)
    dialog.name_edit.setText("Spring images")
    row = dialog.rows[0]
    row.field_box.setCurrentIndex(_field_index("type"))
    row.value.setCurrentIndex(0)  # type: ignore[attr-defined]  # Image
    second = dialog.add_rule()
    second.field_box.setCurrentIndex(_field_index("campaign"))
    second.value.setCurrentText("Spring launch")  # type: ignore[attr-defined]
    assert dialog.rule_texts() == ["type=image", "campaign=Spring launch"]
    smart_folders.new_smart(window, dialog=dialog)
    qtbot.waitUntil(lambda: smart_count(window, "Spring images") == 2, timeout=10_000)
    # The new folder is selected and its assets shown.
    qtbot.waitUntil(lambda: window.filters.scope.name == "Spring images", timeout=10_000)
    wait_for_names(qtbot, window, {"hero-banner.jpg", "logo-mark.png"})

    entry = smart_entry(window, "Spring images")
    assert entry is not None and window.filters.scope.id == entry.id
    scope = entry.scope
    assert scope is not None
    edit = Accepting(window, name=scope.name, rules=[_rule(t) for t in scope.rules], match=scope.match,
                     editing=True)
    assert edit.rule_texts() == ["type=image", "campaign=Spring launch"]  # loaded back as saved
    edit.name_edit.setText("Spring, all kinds")
    edit._remove(edit.rows[0])
    smart_folders.edit_smart(window, scope, dialog=edit)
    qtbot.waitUntil(lambda: smart_count(window, "Spring, all kinds") == 3, timeout=10_000)
    wait_for_names(qtbot, window, {"hero-banner.jpg", "logo-mark.png", "sunset-loop.mp4"})
    assert [f.name for f in lib.find.smart_folders(uid)] == ["Spring, all kinds"]

    renamed = smart_entry(window, "Spring, all kinds")
    assert renamed is not None and renamed.scope is not None
    prompts.confirm_answer = False
    smart_folders.delete_smart(window, renamed.scope)
    assert "Spring, all kinds" in prompts.asked[-1][1] and "no asset is deleted" in prompts.asked[-1][1]
    assert lib.find.smart_folders(uid)
    prompts.confirm_answer = True
    smart_folders.delete_smart(window, renamed.scope)
    qtbot.waitUntil(lambda: smart_entry(window, "Spring, all kinds") is None, timeout=10_000)
    assert lib.find.smart_folders(uid) == [] and lib.count_assets(AssetQuery(user_id=uid)) == 10
    # The section header's "+" asks for a new one; Delete on a selected folder asks to delete it.
    header = window.sidebar.sidebar_model.find("header", "smart")
    plus = window.sidebar.plus_rect(window.sidebar.visualRect(header)).center()
    opened: list[str] = []
    # The editor a person would see, closed at once (no modal loop in a test).
    monkeypatch.setattr(SmartFolderDialog, "exec", lambda self: opened.append(self.windowTitle()) or 0)
    with qtbot.waitSignal(window.sidebar.new_smart_requested, timeout=2000):
        qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=plus)
    assert opened == ["New Smart Folder"]
    lib.find.add_smart("Logos", ["tag=logo"], user_id=uid)
    qtbot.waitUntil(lambda: smart_count(window, "Logos") == 1, timeout=10_000)
    pick_smart(qtbot, window, "Logos")
    prompts.confirm_answer = False
    window.sidebar.setFocus()
    qtbot.keyClick(window.sidebar, Qt.Key.Key_Delete)
    assert "“Logos”" in prompts.asked[-1][1]
    # The built-in rights folders stay, and cannot be deleted or edited.
    builtin = smart_entry(window, "Rights expired")
    assert builtin is not None and builtin.builtin and builtin.scope is not None
    asked = len(prompts.asked)
    smart_folders.delete_smart(window, builtin.scope)
    assert len(prompts.asked) == asked
    menu = menus.sidebar_menu(window, builtin.scope)
    assert [a.text() for a in menu.actions() if a.text()] == ["New Smart Folder…"]


def _field_index(field: str) -> int:
    from app.gui.smart_dialog import FIELDS

    return [s.field for s in FIELDS].index(field)


def _rule(text: str):  # type: ignore[no-untyped-def]
    from app.library.find import parse_rule

    return parse_rule(text)


def test_the_rule_editor_covers_every_field_and_refuses_bad_rules(qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.gui.smart_dialog import FIELDS

    dialog = SmartFolderDialog(names={"client": ["Acme Studio"], "campaign": ["Spring launch"]})
    qtbot.addWidget(dialog)
    wanted = {"type", "format", "client", "campaign", "text", "tag", "rating", "label", "color",
              "width", "height", "orientation", "duration", "pages", "size", "added", "taken",
              "creator", "rights", "review"}
    assert wanted <= {s.field for s in FIELDS}
    row = dialog.rows[0]
    for spec in FIELDS:  # every field's default rule is one the library accepts
        row.field_box.setCurrentIndex(_field_index(spec.field))
        dialog.name_edit.setText("x")
        if spec.field in ("format", "name", "tag", "text", "creator", "camera", "licence"):
            row.value.setText("jpg")  # type: ignore[attr-defined]
        if spec.field == "size":
            row.value.setText("5M")  # type: ignore[attr-defined]
        assert dialog.problem() is None, (spec.field, dialog.rule_texts())
    row.field_box.setCurrentIndex(_field_index("size"))
    row.value.setText("huge")  # type: ignore[attr-defined]
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error.isVisibleTo(dialog) and "Not a size" in dialog.error.text()
    dialog.name_edit.setText("")
    assert dialog.problem() == "A smart folder needs a name"
    assert rule_summary(("rating>=4", "type=video"), "all") == "Rating at least ★★★★☆ and Type is Video"
    assert rule_summary(("rights=expired",), "any") == "Usage rights is Expired"


# --- colour search ------------------------------------------------------------------------------


def test_a_palette_swatch_searches_by_colour_nearest_first(qtbot, tmp_path, make_window) -> None:  # type: ignore[no-untyped-def]
    files = _colours(tmp_path)
    lib = LibraryService(tmp_path / "lib", workers=1)
    try:
        report = lib.import_paths(list(files.values()), workers=1)
        ids = {r.name: r.id for r in report.imported}
        window = make_window(lib)
        wait_for_names(qtbot, window, {f"{n}.png" for n in files})
        select_row(window, "red-pure.png")
        section = window.details.metadata
        qtbot.waitUntil(lambda: bool(getattr(section, "swatches", None)), timeout=10_000)
        red = next(b for b in section.swatches if QColor(b.toolTip().split()[0]).red() > 200)
        qtbot.mouseClick(red, Qt.MouseButton.LeftButton)
        # Both reds, the pure one first; not the blue, not the green.
        wait_for_names(qtbot, window, ["red-pure.png", "red-dull.png"])
        fb = window.filter_bar
        assert window.filters.colour is not None
        assert fb.chips.isVisibleTo(fb) and fb.colour_chip.text().startswith("Colour  #")
        # Combined with another filter: a search box text narrows the colour result.
        fb.search.setText("dull")
        wait_for_names(qtbot, window, ["red-dull.png"])
        fb.search.setText("")
        wait_for_names(qtbot, window, ["red-pure.png", "red-dull.png"])
        # Any colour (the picker's answer): blue finds the blue one only.
        window.search_colour("#1530d0")
        wait_for_names(qtbot, window, ["blue.png"])
        assert lib.count_assets(window.model.query) == 1 and ids["blue.png"]
        # The chip takes the colour search off.
        qtbot.mouseClick(fb.colour_chip, Qt.MouseButton.LeftButton)
        wait_for_names(qtbot, window, {f"{n}.png" for n in files})
        assert not fb.chips.isVisibleTo(fb) and window.filters.colour is None
    finally:
        lib.close()


def test_find_similar_from_the_tiles_menu(qtbot, tmp_path, make_window) -> None:  # type: ignore[no-untyped-def]
    original = tmp_path / "scene.jpg"
    _scene(1).save(original, "JPEG", quality=92)
    copy = tmp_path / "scene-small.jpg"
    _scene(1).resize((200, 150)).save(copy, "JPEG", quality=60)
    other = tmp_path / "other.jpg"
    _scene(4).save(other, "JPEG")
    lib = LibraryService(tmp_path / "lib", workers=1)
    try:
        lib.import_paths([original, copy, other], workers=1)
        window = make_window(lib)
        wait_for_names(qtbot, window, {"scene.jpg", "scene-small.jpg", "other.jpg"})
        # Rows read again while the import settles may move the selection: select until it holds.
        def picked() -> bool:
            if [r.name for r in window.selected_records()] != ["scene.jpg"]:
                select_row(window, "scene.jpg")
                return False
            return True

        qtbot.waitUntil(picked)
        menu = menus.grid_menu(window, QPoint(10, 10))
        assert menu is not None
        action = next(a for a in menu.actions() if a.text().split("\t")[0] == "Find Similar")
        assert action.isEnabled()
        action.trigger()
        wait_for_names(qtbot, window, ["scene-small.jpg"])
        chip = window.filter_bar.similar_chip
        assert chip.isVisibleTo(window.filter_bar) and "scene.jpg" in chip.text()
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
        wait_for_names(qtbot, window, {"scene.jpg", "scene-small.jpg", "other.jpg"})
    finally:
        lib.close()


# --- tile badges --------------------------------------------------------------------------------


def _near(image, rect, colour: str, tolerance: int = 40) -> int:  # type: ignore[no-untyped-def]
    """Pixels of the image inside rect within tolerance of colour (each channel)."""
    want = QColor(colour)
    hits = 0
    for y in range(rect.top(), rect.bottom(), 1):
        for x in range(rect.left(), rect.right(), 1):
            c = image.pixelColor(x, y)
            if (abs(c.red() - want.red()) < tolerance and abs(c.green() - want.green()) < tolerance
                    and abs(c.blue() - want.blue()) < tolerance):
                hits += 1
    return hits


@pytest.mark.parametrize("dark", [False, True])
def test_tiles_show_stars_label_and_rights_badges(qtbot, showcase, make_window, shot_dir, dark) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    lib.find.clock = lambda: NOW
    hero, poster = made.assets["hero-banner.jpg"], made.assets["poster.webp"]
    lib.find.set_rating([hero], 4)
    lib.find.set_label([hero], "blue")
    lib.find.set_rights(asset_id=poster, licence="RM", valid_until="2026-01-01")
    window = make_window(lib, dark=dark)
    wait_for_names(qtbot, window, ALL)
    badges = window.grid.asset_delegate.find_badges
    assert badges is not None
    qtbot.waitUntil(lambda: (badges.state(hero) or badges.state(poster)) is not None
                    and badges.state(poster) is not None, timeout=10_000)
    state = badges.state(hero)
    assert state is not None and state.rating == 4 and state.label == "blue"
    assert badges.state(poster).rights == "expired"  # type: ignore[union-attr]

    def tile(asset_id: str):  # type: ignore[no-untyped-def]
        row = window.model.row_of(asset_id)
        assert row is not None
        return window.grid.visualRect(window.model.index(row, 0))

    def painted() -> bool:
        image = window.grid.viewport().grab().toImage()
        dpr = image.devicePixelRatio()
        scaled = image.scaled(round(image.width() / dpr), round(image.height() / dpr))
        top = tile(hero)
        band = top.adjusted(top.width() // 2, 0, 0, -top.height() + 40)  # the top-right corner
        left = tile(poster)
        left_band = left.adjusted(0, 0, -left.width() // 2, -left.height() + 40)
        return _near(scaled, band, STAR) > 8 and _near(scaled, left_band, RIGHTS_COLOURS["expired"], 30) > 30

    qtbot.waitUntil(painted, timeout=10_000)
    window.grid.viewport().grab().save(str(shot_dir / f"tile-badges{'-dark' if dark else ''}.png"))

    # A new rating shows on the tile without reopening anything.
    lib.find.set_rating([made.assets["logo-mark.png"]], 2)
    qtbot.waitUntil(lambda: (badges.state(made.assets["logo-mark.png"]) or state).rating == 2, timeout=10_000)


# --- the expired-rights warning -----------------------------------------------------------------


def _has_urls() -> bool:
    mime = QGuiApplication.clipboard().mimeData()
    return mime is not None and mime.hasUrls()


def test_copying_dragging_and_sharing_an_expired_asset_asks_first(qtbot, showcase, make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    lib.find.clock = lambda: NOW  # the licence below ran out a month before "now"
    poster, logo = made.assets["poster.webp"], made.assets["logo-mark.png"]
    lib.find.set_rights(asset_id=poster, licence="RM", valid_until="2026-05-01")
    lib.find.set_rights(asset_id=logo, licence="RF", valid_until="2027-01-01")  # still valid
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()

    valid = [window.model.cached_record(logo) or lib.get_asset(logo)]
    window.commands.copy(valid)
    assert prompts.asked == []  # nothing expired: no question
    assert _has_urls()

    clipboard.clear()
    prompts.confirm_answer = False
    window.commands.copy([lib.get_asset(poster)])
    title, text = prompts.asked[-1]
    assert "expired" in title and "“poster.webp”" in text and "1 May 2026" in text
    assert not _has_urls()  # declined: nothing copied
    prompts.confirm_answer = True
    window.commands.copy([lib.get_asset(poster)])
    assert _has_urls()

    # Two at once: the warning names each with its end date.
    lib.find.set_rights(asset_id=made.assets["sticker.gif"], valid_until="2026-02-03")
    prompts.confirm_answer = False
    window.commands.copy([lib.get_asset(poster), lib.get_asset(made.assets["sticker.gif"])])
    text = prompts.asked[-1][1]
    assert "2 assets" in text and "poster.webp (expired 1 May 2026)" in text
    assert "sticker.gif (expired 3 Feb 2026)" in text

    # Dragging out: asked once; once allowed, the next drag goes.
    asked = len(prompts.asked)
    assert window._drag_allowed([poster]) is False
    assert len(prompts.asked) == asked + 1
    prompts.confirm_answer = True
    assert window._drag_allowed([poster]) is False  # allowed now; the person drags again
    assert window._drag_allowed([poster]) is True
    assert window._drag_allowed([logo]) is True

    # Sharing: declined stops before anything else; accepted goes on (here: no server yet).
    prompts.confirm_answer = False
    share_selection(window, [poster])
    assert prompts.errors == []
    prompts.confirm_answer = True
    share_selection(window, [poster])
    assert prompts.errors == [NO_SERVER]
    # A campaign's link carries its expired assets: asked about them by name first.
    prompts.confirm_answer = False
    asked = len(prompts.asked)
    summer = Scope("campaign", made.campaigns["Summer sale"], made.clients["Acme Studio"], "Summer sale")
    share_for_review(window, summer)
    assert len(prompts.asked) == asked + 1 and "poster.webp" in prompts.asked[-1][1]
    assert prompts.errors == [NO_SERVER]  # stopped before the server was needed


# --- embedded keywords as tags ----------------------------------------------------------------


def test_embedded_keywords_are_offered_as_tags(qtbot, tmp_path, make_window) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bottle.jpg"
    Image.new("RGB", (320, 240), (200, 40, 40)).save(path, "JPEG", xmp=XMP)
    lib = LibraryService(tmp_path / "lib", workers=1)
    try:
        record = lib.import_paths([path], workers=1).imported[0]
        window = make_window(lib)
        wait_for_names(qtbot, window, ["bottle.jpg"])
        select_row(window, "bottle.jpg")
        section = window.details.metadata
        qtbot.waitUntil(lambda: section.suggested == ["beach", "bottle"], timeout=10_000)
        assert section.suggestions.isVisibleTo(window.details)
        assert [b.text() for b in section.suggestion_buttons] == ["+ beach", "+ bottle"]
        section.suggestion_buttons[1].click()
        qtbot.waitUntil(lambda: lib.get_asset(record.id).tags == ["bottle"], timeout=10_000)
        qtbot.waitUntil(lambda: section.suggested == ["beach"], timeout=10_000)
        assert not section.add_all_button.isVisibleTo(window.details)  # one left: no "add all"
        lib.update_asset(record.id, _changes(tags=None))
        qtbot.waitUntil(lambda: section.suggested == ["beach", "bottle"], timeout=10_000)
        section.add_all_button.click()
        qtbot.waitUntil(lambda: lib.get_asset(record.id).tags == ["beach", "bottle"], timeout=10_000)
        qtbot.waitUntil(lambda: not section.suggestions.isVisibleTo(window.details), timeout=10_000)
    finally:
        lib.close()


def _changes(**kw):  # type: ignore[no-untyped-def]
    from app.library.records import AssetChanges

    return AssetChanges(**kw)


def test_the_chips_keep_the_minimum_width(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib, size=(892, 700))
    wait_for_names(qtbot, window, ALL)
    window.search_colour("#dc1414")
    window.find_similar(lib.get_asset(made.assets["hero-banner.jpg"]))
    qtbot.waitUntil(lambda: window.filter_bar.chips.isVisibleTo(window), timeout=5000)
    assert window.width() == 892
    for chip in (window.filter_bar.colour_chip, window.filter_bar.similar_chip):
        assert chip.geometry().right() <= window.filter_bar.width()


def test_a_new_smart_folder_can_start_from_the_search_shown(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)
    window.sidebar.select_scope("campaign", made.campaigns["Spring launch"])
    window.filter_bar.search.setText("hero")
    window.search_colour("#FF6B6B")
    qtbot.waitUntil(lambda: window.filters.text == "hero" and window.filters.colour == "#ff6b6b", timeout=5000)
    rules = smart_folders.current_search_rules(window)
    assert rules == [f"campaign={made.campaigns['Spring launch']}", "text~hero", "color=#ff6b6b"]
    f = lib.find.where(rules, base=AssetQuery(user_id=lib.local_user_id))
    # The same assets as the grid shows for those filters.
    assert lib.find.count(f) == lib.count_assets(window.model.query)
