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
