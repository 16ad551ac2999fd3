"""The window's sync controls against a real server: connect, status, Sync with progress and Cancel, offline."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402

from app.client import ApiClient  # noqa: E402
from app.gui.main_window import MainWindow  # noqa: E402
from app.gui.prompts import Prompts  # noqa: E402
from app.sync import ClientOptions  # noqa: E402
from tests import media  # noqa: E402
from tests.sync.conftest import PASSWORD, jpegs, open_library, server_state  # noqa: E402
from tests.sync.faults import Fault, FaultProxy  # noqa: E402

pytestmark = pytest.mark.gui


class Answers(Prompts):
    def __init__(self) -> None:
        self.asked: list[str] = []

    def confirm(self, parent: QWidget, title: str, text: str, action: str) -> bool:
        self.asked.append(text)
        return True


def test_sync_from_the_window(qtbot, server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lib = open_library(tmp_path / "desk")
    # More files than uploads in flight, so that a cancel leaves some for the next sync.
    lib.import_paths(jpegs(tmp_path / "m", 8))
    with ApiClient(server.base_url, server.token) as api:
        api.upload(media.make_png(tmp_path, 70, 50, name="from-elsewhere.png").path)
    gate = threading.Event()
    port = urlsplit(server.base_url).port
    assert port is not None
    proxy = FaultProxy(port, lambda n: Fault("hook", 0, b"POST /api/v2/upload-asset"))
    proxy.hook = gate.wait  # holds the uploads back until the test lets them go
    window = MainWindow(
        lib, settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat), prompts=Answers()
    )
    qtbot.addWidget(window)
    window.show()
    bar = window.sync_bar
    try:
        qtbot.waitUntil(lambda: bar.status.text() == "Not connected")
        assert bar.sync_button.text() == "Connect…"

        # Connect to server: address, user, password.
        qtbot.mouseClick(bar.sync_button, Qt.MouseButton.LeftButton)
        dialog = bar.dialog
        assert dialog is not None and dialog.isVisible()
        dialog.address.setText(proxy.url)
        dialog.user.setText(server.user)
        dialog.password.setText("wrong")
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Wrong user name or password" in dialog.message.text(), timeout=10_000)
        dialog.password.setText(PASSWORD)
        qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
        qtbot.waitUntil(lambda: bar.status.text() == "8 to upload · 1 to download", timeout=10_000)
        assert bar.last.text() == "Never synced" and bar.sync_button.text() == "Sync"

        # Sync, and cancel while the uploads in flight are held back: the rest waits for next time.
        qtbot.mouseClick(bar.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bar.progress.isVisible() and bar.cancel_button.isVisible())
        qtbot.waitUntil(lambda: bar.status.text().startswith("Uploading"), timeout=10_000)
        qtbot.mouseClick(bar.cancel_button, Qt.MouseButton.LeftButton)
        gate.set()
        qtbot.waitUntil(lambda: not window.sync.running, timeout=20_000)
        qtbot.waitUntil(lambda: bar.status.text() == "Cancelled; the next sync resumes")
        assert not bar.progress.isVisible()
        uploaded = len(server_state(server))
        # One came from elsewhere; the held ones (those in flight) may have landed, no more.
        assert 1 <= uploaded <= 1 + ClientOptions().parallel_uploads < 1 + 8

        # Sync again: everything arrives, the grid shows the download, thumbnails on disk.
        qtbot.mouseClick(bar.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bar.status.text() == "In sync", timeout=30_000)
        assert bar.last.text().startswith("Last sync ")
        assert len(server_state(server)) == 9 and lib.count_assets() == 9
        qtbot.waitUntil(lambda: window.model.rowCount() == 9, timeout=10_000)
        downloaded = next(a for a in lib.iter_assets() if a.name == "from-elsewhere.png")
        assert lib.thumb_path(downloaded).exists()
        # A smart folder is not an asset, yet it waits to be sent: never "In sync" meanwhile.
        lib.find.add_smart("Portraits", ["orientation=portrait"], "all", lib.local_user_id)
        window.sync.refresh_status()
        qtbot.waitUntil(lambda: bar.status.text() == "1 other edit to send", timeout=30_000)

        # The server goes away: the indicator says offline, local work goes on.
        proxy.close()
        window.sync.refresh_status()
        qtbot.waitUntil(lambda: bar.status.text().startswith("Offline"), timeout=30_000)
        lib.import_paths(jpegs(tmp_path / "later", 1, start=50))
        window.sync.refresh_status()
        qtbot.waitUntil(lambda: bar.status.text() == "Offline · 1 waiting here", timeout=30_000)
        # A rating, and a smart folder, made offline wait too.
        lib.find.set_rating([downloaded.id], 5)
        lib.find.add_smart("Best", ["rating>=5"], "all", lib.local_user_id)
        window.sync.refresh_status()
        qtbot.waitUntil(lambda: bar.status.text() == "Offline · 3 waiting here", timeout=30_000)
    finally:
        gate.set()
        proxy.close()
        window.close()
        lib.close()
