"""One window per library: a second real launch hands its files to the first and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.gui.opener import FileOpener
from app.gui.single import InstanceServer, hand_over, server_name
from tests.gui.conftest import grid_names

pytestmark = pytest.mark.gui


def test_names_differ_per_library_and_agree_for_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    (tmp_path / "link").symlink_to(a)
    assert server_name(a) == server_name(tmp_path / "link") != server_name(b)


def test_nobody_listening_means_no_hand_over(qapp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert not hand_over(server_name(tmp_path), [])


def test_a_second_launch_with_a_file_hands_it_to_the_open_window(qtbot, showcase, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    before = window.model.rowCount()
    opener = FileOpener(window)
    listener = InstanceServer(server_name(lib.data_dir), window)
    assert listener.listening
    listener.files_received.connect(opener.open)
    from PIL import Image

    source = tmp_path / "handed over.png"
    Image.new("RGB", (32, 32), (10, 10, 240)).save(source)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ATELIER_LOG_DIR": str(tmp_path / "logs")}
    second = subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(lib.data_dir), str(source)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=30_000)
    assert second.returncode == 0, second.stderr.read() if second.stderr else ""
    qtbot.waitUntil(lambda: window.model.rowCount() == before + 1, timeout=10_000)
    qtbot.waitUntil(lambda: "handed over.png" in grid_names(window), timeout=5_000)
    listener.close()


def test_a_stale_socket_from_a_crashed_window_is_taken_over(qapp, tmp_path) -> None:  # type: ignore[no-untyped-def]
    name = server_name(tmp_path)
    first = InstanceServer(name)
    assert first.listening
    # A crashed window leaves its socket file; the next one must still listen.
    path = Path(first.server.fullServerName())
    first.server.close()
    if sys.platform != "win32" and not path.exists():
        path.touch()
    second = InstanceServer(name)
    try:
        assert second.listening
    finally:
        second.close()
