"""Starting the window as a user does: `atelier` with no command, with and without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.library.service import LibraryService
from tests import media

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def run_atelier(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="these systems always have a display")
def test_without_a_display_atelier_points_to_the_server_and_cli(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = run_atelier(env, "--data-dir", str(tmp_path / "lib"))
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "no display" in lines[0] and "atelier serve" in lines[0]
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_atelier_without_a_command_opens_the_window_on_the_given_library(tmp_path: Path, media_dir: Path) -> None:
    with LibraryService(tmp_path / "lib", workers=1) as lib:
        lib.import_paths([media.make_jpeg(media_dir).path, media.make_pdf(media_dir, 1).path])
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ATELIER_SMOKE_TEST="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))  # fmt: skip
    out = run_atelier(env, "--data-dir", str(tmp_path / "lib"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "atelier: window ok (2 assets)"
    assert "Traceback" not in out.stderr
    # It remembered its layout in the user's settings (here: the test's config folder).
    assert list((tmp_path / "config").rglob("*.conf"))
