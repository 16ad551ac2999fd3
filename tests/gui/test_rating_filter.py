"""The Rating filter above the grid: at least N stars and/or a colour label, with every other filter."""

from __future__ import annotations

from tests.gui.conftest import grid_names, wait_for_names
from tests.gui.showcase import PLAN


def test_the_rating_filter_narrows_by_stars_and_label(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    a = made.assets
    lib.find.set_rating([a["hero-banner.jpg"], a["poster.webp"]], 4)
    lib.find.set_rating([a["sticker.gif"]], 2)
    lib.find.set_label([a["poster.webp"], a["jingle.mp3"]], "red")
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    fb = window.filter_bar
    assert fb.rating_button.text() == "Rating"

    fb.rating_actions[3].trigger()
    wait_for_names(qtbot, window, {"hero-banner.jpg", "poster.webp"})
    assert fb.rating_button.text() == "★3+" and window.filters.rating == 3
    fb.label_actions["red"].trigger()  # both: at least three stars and red
    wait_for_names(qtbot, window, {"poster.webp"})
    assert fb.rating_button.text() == "★3+ · Red"
    fb.rating_actions[None].trigger()
    wait_for_names(qtbot, window, {"poster.webp", "jingle.mp3"})
    # With the type pills too: red images only.
    fb.type_buttons["image"].click()
    wait_for_names(qtbot, window, {"poster.webp"})
    fb.type_buttons[None].click()
    fb.label_actions["none"].trigger()
    wait_for_names(qtbot, window, set(PLAN) - {"poster.webp", "jingle.mp3"})
    fb.label_actions[None].trigger()
    wait_for_names(qtbot, window, set(PLAN))
    assert fb.rating_button.text() == "Rating" and not window.filters.narrowed
    assert set(grid_names(window)) == set(PLAN)
