"""The window stays current: an import by another process shows within two seconds."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.gui.showcase import PLAN

pytestmark = pytest.mark.gui


def test_a_cli_import_shows_in_the_open_window_with_counts_and_new_client(qtbot, showcase, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    before = window.model.rowCount()
    from PIL import Image

    source = tmp_path / "fresh.png"
    Image.new("RGB", (64, 48), (12, 200, 90)).save(source)
    subprocess.run(
        [sys.executable, "-m", "app", "import", str(source), "--client", "Live", "--campaign", "CLI import",
         "--data-dir", str(lib.data_dir)],
        check=True, capture_output=True, timeout=60,
    )
    start = time.monotonic()
    qtbot.waitUntil(lambda: window.model.rowCount() == before + 1, timeout=2_000)
    qtbot.waitUntil(lambda: any(c.name == "Live" for c, _ in window.known_clients()), timeout=2_000)
    assert time.monotonic() - start < 2.0
    assert before == len(PLAN)


def _upload(address: str, token: str, path, name: str) -> int:  # type: ignore[no-untyped-def]
    import urllib.request
    import uuid

    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
        "Content-Type: image/png\r\n\r\n"
    ).encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        f"{address}/api/v2/upload-asset", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.status)


def test_an_api_upload_to_the_windows_server_shows_with_counts(qtbot, showcase, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A real `atelier serve` child on the same library; the upload goes over HTTP."""
    lib, _ = showcase
    window = make_window(lib)
    before = window.model.rowCount()
    images_before = window.filter_bar.type_buttons["image"].text()
    with qtbot.waitSignal(window.server.server_started, timeout=60_000) as started:
        window.server.start()
    address, token = started.args
    from PIL import Image

    source = tmp_path / "uploaded.png"
    Image.new("RGB", (40, 30), (200, 20, 90)).save(source)
    try:
        assert _upload(address, token, source, "Uploaded over HTTP") == 201
        start = time.monotonic()
        qtbot.waitUntil(lambda: window.model.rowCount() == before + 1, timeout=2_000)
        qtbot.waitUntil(lambda: window.filter_bar.type_buttons["image"].text() != images_before, timeout=2_000)
        assert time.monotonic() - start < 2.0
        all_label = window.filter_bar.type_buttons[None].text()
        assert all_label.split()[-1] == str(before + 1)
    finally:
        with qtbot.waitSignal(window.server.server_stopped, timeout=15_000):
            window.server.stop()
