"""Share for Review… in the window: options, the sync, the link on the clipboard, and offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog

from app.gui.scope import Scope
from app.gui.share_dialog import NO_SERVER, OFFLINE, ShareDialog, share_for_review
from app.sync import SyncStore
from tests.gui.conftest import wait_for_names
from tests.gui.showcase import PLAN
from tests.server.live import live_server
from tests.server.sharing import Visitor

pytestmark = pytest.mark.gui


class Accepting(ShareDialog):
    def exec(self) -> int:  # type: ignore[override]
        return QDialog.DialogCode.Accepted


def test_share_for_review_makes_a_link_and_copies_it(qtbot, showcase, make_window, prompts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    spring = Scope("campaign", made.campaigns["Spring launch"], made.clients["Acme Studio"], "Spring launch")
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    share_for_review(window, spring, Accepting("Spring launch"))
    assert prompts.errors == [NO_SERVER]

    with live_server(tmp_path / "server") as live:
        token = live.user("studio")
        store = SyncStore(lib)
        store.add_remote("studio server", live.base_url, "v2", "studio", token)
        window.sync.refresh_status()
        dialog = Accepting("Spring launch")
        dialog.password.setText("blue whale 42")
        dialog.download.setChecked(False)
        options = dialog.options()
        assert options.expires_at is not None and options.password == "blue whale 42" and not options.allow_download
        share_for_review(window, spring, dialog)
        qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Link copied"), timeout=60_000)
        url = QGuiApplication.clipboard().text()
        assert url.startswith(f"{live.base_url}/s/") and url in window.statusBar().currentMessage()
        v = Visitor(live.base_url, url.rsplit("/", 1)[1])
        assert v.unlock("blue whale 42").status_code == 303
        page = v.get().text
        assert all(name.rsplit(".", 1)[0] in page for name, where in PLAN.items()
                   if where and where[1] == "Spring launch")
    # The server is gone now: one line says why there is no link.
    prompts.errors.clear()
    share_for_review(window, spring, Accepting("Spring launch"))
    qtbot.waitUntil(lambda: bool(prompts.errors), timeout=60_000)
    assert prompts.errors == [OFFLINE]
