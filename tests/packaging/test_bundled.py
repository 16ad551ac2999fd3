"""app.core.bundled: a frozen build finds its own ffmpeg and magic database first."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from app.core import avtools, bundled


def _fake_bundle(root: Path) -> Path:
    suffix = ".exe" if sys.platform == "win32" else ""
    (root / "bin").mkdir(parents=True)
    for name in ("ffmpeg", "ffprobe"):
        (root / "bin" / (name + suffix)).write_bytes(b"")
    (root / "libmagic").mkdir()
    (root / "libmagic" / "magic.mgc").write_bytes(b"")
    return root


def test_from_source_the_tools_come_from_path() -> None:
    assert bundled.bundle_root() is None  # the test suite does not run frozen
    assert bundled.tool_path("ffmpeg") == "ffmpeg"
    assert avtools.FFMPEG == "ffmpeg" and avtools.FFPROBE == "ffprobe"
    assert bundled.magic_database() is None


def test_a_bundle_uses_its_own_tools(tmp_path: Path) -> None:
    root = _fake_bundle(tmp_path / "bundle")
    found = Path(bundled.tool_path("ffprobe", root))
    assert found.parent == root / "bin" and found.stem == "ffprobe"


def test_a_bundle_without_the_tool_falls_back_to_path(tmp_path: Path) -> None:
    assert bundled.tool_path("ffmpeg", tmp_path) == "ffmpeg"


def test_the_bundled_magic_database_is_put_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Set first, so that monkeypatch restores the variable however the code under test changes it.
    monkeypatch.setenv(bundled.MAGIC_ENV, "/the/machine's/magic.mgc")
    root = _fake_bundle(tmp_path / "bundle")
    assert bundled.use_bundled_magic_database(root) == root / "libmagic" / "magic.mgc"
    assert os.environ[bundled.MAGIC_ENV] == str(root / "libmagic" / "magic.mgc")


def test_no_database_leaves_the_environment_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(bundled.MAGIC_ENV, "/the/machine's/magic.mgc")
    assert bundled.use_bundled_magic_database(tmp_path) is None
    assert os.environ[bundled.MAGIC_ENV] == "/the/machine's/magic.mgc"
