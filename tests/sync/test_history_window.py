"""The window's Sync history: the last syncs with the values they replaced, and Restore."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from app.gui.main_window import MainWindow  # noqa: E402
from app.library.records import AssetChanges  # noqa: E402
from tests.server.live import REPO_ROOT  # noqa: E402
from tests.sync.conftest import connect, jpegs, local_state, server_state, sync  # noqa: E402
from tests.sync.test_findings import _next_millisecond, _one  # noqa: E402

pytestmark = pytest.mark.gui
SCREENSHOT = REPO_ROOT / "resources" / "screenshots" / "sync-history.png"


def test_history_shows_the_replaced_value_and_restores_it(qtbot, server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    connect(a, server.base_url, server.token, name="studio")
    connect(b, server.base_url, server.token, name="studio")
    a.import_paths(jpegs(tmp_path / "m", 2))
    sync(a)
    sync(b)
    a.update_asset(_one(a, "pic0.jpg").id, AssetChanges(name="Hero, A's take", tags=["hero"]))
    _next_millisecond()
    b.update_asset(_one(b, "pic0.jpg").id, AssetChanges(name="Hero, final"))
    client = b.create_client("Northwind")
    spring = b.create_campaign(client.id, "Spring launch")
    b.update_asset(_one(b, "pic1.jpg").id, AssetChanges(campaign_id=spring.id))
    sync(b)  # B's later name reaches the server first
    sync(a)  # A's own name loses the conflict here; its tags go out
    window = MainWindow(a, settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    try:
        bar = window.sync_bar
        assert bar.history_action.text() == "Sync history…"
        bar.history_action.trigger()
        dialog = bar.history
        assert dialog is not None and dialog.isVisible()
        rows = {}
        for i in range(dialog.tree.topLevelItemCount()):
            top = dialog.tree.topLevelItem(i)
            for j in range(top.childCount()):
                item = top.child(j)
                rows[(item.text(1), item.text(2))] = item
        lost = rows[("name", "Here · lost a conflict")]
        assert (lost.text(0), lost.text(3), lost.text(5)) == (
            "Hero, A's take", "Hero, A's take", "Hero, final"
        )
        assert lost.text(4) < lost.text(6) and lost.text(4) != "—"  # both edit times, in order
        sent = rows[("tags", "On the server")]
        assert (sent.text(3), sent.text(5)) == ("(no tags)", "hero")
        filed = rows[("filing", "Here")]
        assert (filed.text(0), filed.text(3), filed.text(5)) == (
            "pic1.jpg", "(unfiled)", "Northwind / Spring launch"
        )
        assert not dialog.restore_button.isEnabled()
        dialog.tree.setCurrentItem(lost)
        dialog.resize(1040, 420)
        if os.environ.get("ATELIER_SCREENSHOTS"):
            qtbot.wait(200)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            assert dialog.grab().save(str(SCREENSHOT))
        assert dialog.restore_button.isEnabled()
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
        assert dialog.message.text() == (
            "Restored “Hero, A's take” as the name of Hero, A's take; the next sync sends it."
        )
        assert _one(a, "Hero, A's take").tags == ["hero"]
    finally:
        window.close()
    # The restored value is the newest edit: it goes out and wins everywhere.
    sync(a)
    sync(b)
    assert sorted(r[1] for r in local_state(b)) == ["Hero, A's take", "pic1.jpg"]
    assert local_state(a) == local_state(b) == server_state(server)
