"""Request files… on a campaign and Share for Review… on a selection, in the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog

from app.gui import menus
from app.gui.request_dialog import MB, RequestFilesDialog, request_files
from app.gui.scope import Scope
from app.gui.share_dialog import NO_SERVER, ShareDialog, share_selection
from app.sync import SyncStore
from tests import media
from tests.gui.conftest import wait_for_names
from tests.gui.showcase import PLAN
from tests.server.live import live_server
from tests.server.sharing import Visitor

pytestmark = pytest.mark.gui


class AcceptingRequest(RequestFilesDialog):
    def exec(self) -> int:  # type: ignore[override]
        return QDialog.DialogCode.Accepted


class AcceptingShare(ShareDialog):
    def exec(self) -> int:  # type: ignore[override]
        return QDialog.DialogCode.Accepted


def _texts(menu) -> list[str]:  # type: ignore[no-untyped-def]
    return [a.text() for a in menu.actions()]


def test_request_files_and_share_a_selection(qtbot, showcase, make_window, prompts, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    spring = Scope("campaign", made.campaigns["Spring launch"], made.clients["Acme Studio"], "Spring launch")
    acme = Scope("client", made.clients["Acme Studio"], name="Acme Studio")
    window = make_window(lib)
    wait_for_names(qtbot, window, set(PLAN))
    assert "Request Files…" in _texts(menus.sidebar_menu(window, spring))
    assert "Request Files…" not in _texts(menus.sidebar_menu(window, acme))
    assert "share_selection" in window.actions_by_name and "request_files" in window.actions_by_name
    chosen = [made.assets["hero-banner.jpg"], made.assets["poster.webp"]]
    window.grid.select_ids(chosen)
    grid_menu = menus.grid_menu(window, window.grid.rect().center())
    assert grid_menu is not None and "Share for Review…" in _texts(grid_menu)

    dialog = AcceptingRequest("Spring launch")
    dialog.files.setValue(2)
    dialog.megabytes.setValue(5)
    options = dialog.options()
    assert (options.kind, options.quota_files, options.quota_bytes) == ("upload", 2, 5 * MB)
    dialog.files.setValue(0)
    assert dialog.options().quota_files is None  # "No limit"
    dialog.files.setValue(2)
    request_files(window, spring, dialog)
    assert prompts.errors == [NO_SERVER]
    prompts.errors.clear()

    with live_server(tmp_path / "server") as live:
        token = live.user("studio")
        SyncStore(lib).add_remote("studio server", live.base_url, "v2", "studio", token)
        window.sync.refresh_status()
        request_files(window, spring, dialog)
        qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Link copied"), timeout=60_000)
        url = QGuiApplication.clipboard().text()
        v = Visitor(live.base_url, url.rsplit("/", 1)[1])
        (tmp_path / "sent").mkdir()
        sent = [media.make_jpeg(tmp_path / "sent", 64, 48, name=f"sent-{i}.jpg").path for i in range(3)]
        assert [v.upload(p).status_code for p in sent[:2]] == [201, 201]
        assert "at most 2 files" in v.upload(sent[2]).text  # the quota from the dialog

        window.statusBar().clearMessage()
        share_selection(window, window.grid.selected_ids(), AcceptingShare("2 assets", quoted=False))
        qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Link copied"), timeout=60_000)
        page = Visitor(live.base_url, QGuiApplication.clipboard().text().rsplit("/", 1)[1]).get().text
        assert "hero-banner" in page and "poster" in page and "logo-mark" not in page
    assert prompts.errors == []
