"""View > Colour Palettes on Tiles: each picture's palette as a band along its tile's bottom edge."""

from __future__ import annotations

from PySide6.QtGui import QColor

from app.gui.delegate import PAD
from app.gui.find_badges import BAND
from tests.gui.conftest import wait_for_names
from tests.gui.showcase import PLAN


def _band_colours(window, name: str) -> list[QColor]:  # type: ignore[no-untyped-def]
    """The colours painted along the named tile's bottom edge, a pixel above it."""
    model = window.model
    row = next(r for r in range(model.rowCount()) if model.record(r).name == name)
    rect = window.grid.visualRect(model.index(row, 0))
    delegate = window.grid.asset_delegate
    image = window.grid.viewport().grab().toImage()
    y = rect.y() + PAD + delegate.box_height() - BAND // 2 - 1
    left = rect.x() + PAD + 12  # clear of the rounded corners
    return [image.pixelColor(x, y) for x in range(left, rect.x() + PAD + delegate.edge - 12, 4)]


def _near(colour: QColor, hex_: str) -> bool:
    other = QColor(hex_)
    return max(abs(colour.red() - other.red()), abs(colour.green() - other.green()), abs(colour.blue() - other.blue())) <= 6


def test_palettes_show_on_tiles_when_asked_and_the_choice_is_kept(qtbot, showcase, make_window, settings) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    action = window.actions_by_name["tile_palettes"]
    assert action.isCheckable() and not action.isChecked()
    swatches = [s["hex"] for s in lib.find.metadata(made.assets["logo-mark.png"])["palette"]]
    assert swatches
    # Off: the bottom edge of the logo's tile is its transparent checkerboard, no swatch.
    assert not all(any(_near(c, h) for h in swatches) for c in _band_colours(window, "logo-mark.png"))

    action.trigger()
    badges = window.grid.asset_delegate.find_badges
    logo = made.assets["logo-mark.png"]
    qtbot.waitUntil(lambda: (state := badges.state(logo)) is not None and bool(state.palette))
    qtbot.waitUntil(lambda: all(any(_near(c, h) for h in swatches) for c in _band_colours(window, "logo-mark.png")))
    # Each colour as wide as its share: the largest one takes most of the band.
    colours = _band_colours(window, "logo-mark.png")
    assert sum(_near(c, swatches[0]) for c in colours) > len(colours) / 2
    # Audio has no palette: its tile gets no band.
    assert lib.find.tile_states([made.assets["jingle.mp3"]], palettes=True)[made.assets["jingle.mp3"]].palette == ()
    assert settings.value("view/tilePalettes", False, type=bool) is True
    window.close()

    again = make_window(lib)
    assert again.actions_by_name["tile_palettes"].isChecked()
    again.actions_by_name["tile_palettes"].trigger()
    assert settings.value("view/tilePalettes", True, type=bool) is False
