"""The filter bar's review-status filter narrows the grid to the clients' decisions."""

from __future__ import annotations

import pytest

from app.library.shares import ShareService
from tests.gui.conftest import wait_for_names
from tests.gui.showcase import PLAN

pytestmark = pytest.mark.gui


def test_grid_filtered_by_review_status(qtbot, showcase, make_window, shot_dir) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    shares = ShareService(lib)
    link, _ = shares.create_link(lib.local_user_id, client_id=made.clients["Acme Studio"])
    shares.add_review(link.id, made.assets["hero-banner.jpg"], "Dana", "approved", None)
    shares.add_review(link.id, made.assets["poster.webp"], "Dana", "changes_requested", "Bolder")
    shares.add_review(link.id, made.assets["sticker.gif"], "Dana", None, "Which font?")
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    bar = window.filter_bar
    bar.review_actions["changes_requested"].trigger()
    wait_for_names(qtbot, window, {"poster.webp"})
    assert bar.review_button.text() == "Changes"
    qtbot.waitUntil(lambda: bar.type_buttons[None].text().split()[-1] == "1", timeout=5000)  # counts too
    assert window.grid.empty_title.startswith("No assets match")
    window.grab().save(str(shot_dir / "review-filter.png"))
    bar.review_actions["approved"].trigger()
    wait_for_names(qtbot, window, {"hero-banner.jpg"})
    bar.set_review("commented")
    wait_for_names(qtbot, window, {"sticker.gif"})
    bar.review_actions[None].trigger()
    wait_for_names(qtbot, window, set(PLAN))
    assert bar.review_button.text() == "Review"


def test_new_feedback_notice_filters_to_what_arrived(qtbot, showcase, make_window, shot_dir) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from app.gui.feedback_notice import NOTICE
    from app.gui.review_badges import reviews_arrived

    lib, made = showcase
    shares = ShareService(lib)
    link, _ = shares.create_link(lib.local_user_id, client_id=made.clients["Acme Studio"])
    shares.add_review(link.id, made.assets["hero-banner.jpg"], "Dana", "approved", None)  # seen before
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    # As a sync stores them: two new reviews on two assets.
    shares.add_review(link.id, made.assets["poster.webp"], "Dana", "changes_requested", "Bolder")
    shares.add_review(link.id, made.assets["sticker.gif"], "Dana", None, "Which font?")
    reviews_arrived(window, 2)
    notice = window.statusBar().findChild(QPushButton, NOTICE)
    assert notice is not None and notice.isVisible() and notice.text() == "2 new client reviews: show"
    window.grab().save(str(shot_dir / "feedback-notice.png"))
    qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)
    wait_for_names(qtbot, window, {"poster.webp", "sticker.gif"})
    assert not notice.isVisible() and window.filter_bar.review_button.text() == "New feedback"
    window.filter_bar.review_actions[None].trigger()  # any review status: the notice's filter goes too
    wait_for_names(qtbot, window, set(PLAN))
