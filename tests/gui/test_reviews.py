"""The details pane shows clients' review decisions and comments, as plain text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.library.shares import ShareService
from tests.browser import SHOTS
from tests.gui.conftest import wait_for_names
from tests.gui.showcase import PLAN
from tests.gui.test_window import select_row

pytestmark = pytest.mark.gui


def test_details_pane_shows_reviews(qtbot, showcase, make_window, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    shares = ShareService(lib)
    link, _ = shares.create_link(lib.local_user_id, campaign_id=made.campaigns["Spring launch"])
    hero, logo = made.assets["hero-banner.jpg"], made.assets["logo-mark.png"]
    shares.add_review(link.id, hero, "Dana Whitfield", "changes_requested", "Warmer sunset, please")
    shares.add_review(link.id, hero, "Dana Whitfield", "approved", "Perfect now <b>thanks</b>")
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))

    select_row(window, "hero-banner.jpg")
    pane = window.details.reviews
    qtbot.waitUntil(lambda: pane.isVisible(), timeout=5000)
    assert pane.status.text() == "Approved · 2 comments"
    notes = [n.text() for n in pane.notes]
    assert notes[0].startswith("Dana Whitfield") and notes[0].endswith("Perfect now <b>thanks</b>")
    assert all(n.textFormat().name == "PlainText" for n in pane.notes)  # a comment's markup is text
    qtbot.wait(300)  # let the wrapped labels settle before the picture
    window.details.grab().save(str(shot_dir / "details-reviews.png"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot_dir / "details-reviews.png", SHOTS / "details-reviews.png")

    select_row(window, "logo-mark.png")
    qtbot.waitUntil(lambda: window.details.record is not None and window.details.record.id == logo, timeout=5000)
    assert not pane.isVisible() and not window.details.reviews_title.isVisible()


def test_tiles_carry_review_badges(qtbot, showcase, make_window, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    shares = ShareService(lib)
    link, _ = shares.create_link(lib.local_user_id, campaign_id=made.campaigns["Spring launch"])
    hero, logo, loop = (made.assets[n] for n in ("hero-banner.jpg", "logo-mark.png", "sunset-loop.mp4"))
    shares.add_review(link.id, hero, "Dana", "approved", None)
    shares.add_review(link.id, logo, "Dana", "changes_requested", "Bolder")
    shares.add_review(link.id, loop, "Dana", None, "Love the ending")
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    badges = window.grid.asset_delegate.reviews
    assert badges is not None
    qtbot.waitUntil(lambda: all(badges.status(a) for a in (hero, logo, loop)), timeout=5000)
    assert badges.status(hero) == ("approved", 0)
    assert badges.status(logo) == ("changes_requested", 1)
    assert badges.status(loop) == ("commented", 1)
    assert badges.status(made.assets["poster.webp"]) is None
    # The badge is painted: the tile's top-left corner takes the approval's green.
    from PySide6.QtGui import QColor

    from app.gui.review_badges import COLORS

    row = window.model.row_of(hero)
    assert row is not None
    rect = window.grid.visualRect(window.model.index(row, 0))
    qtbot.wait(200)
    image = window.grid.viewport().grab().toImage()
    green = QColor(COLORS["approved"])
    spot = image.pixelColor(rect.x() + 14 + 10, rect.y() + 14 + 9)
    assert abs(spot.red() - green.red()) + abs(spot.green() - green.green()) + abs(spot.blue() - green.blue()) < 60, spot.name()
    window.grab().save(str(shot_dir / "grid-review-badges.png"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot_dir / "grid-review-badges.png", SHOTS / "grid-review-badges.png")


def test_new_reviews_refresh_badges_and_show_a_notice(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    from app.gui.review_badges import reviews_arrived

    lib, made = showcase
    hero = made.assets["hero-banner.jpg"]
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    select_row(window, "hero-banner.jpg")
    badges = window.grid.asset_delegate.reviews
    qtbot.waitUntil(lambda: hero in badges._known and window.details.record is not None, timeout=5000)
    assert badges.status(hero) is None and not window.details.reviews.isVisible()
    shares = ShareService(lib)  # as a sync would have stored it
    link, _ = shares.create_link(lib.local_user_id, campaign_id=made.campaigns["Spring launch"])
    shares.add_review(link.id, hero, "Dana", "approved", "Ship it")
    reviews_arrived(window, 1)
    assert window.statusBar().currentMessage() == "1 new client review arrived"
    qtbot.waitUntil(lambda: badges.status(hero) == ("approved", 1), timeout=5000)
    assert window.details.reviews.isVisible() and window.details.reviews.status.text() == "Approved · 1 comment"
    assert window.details.reviews_title.isVisible()
