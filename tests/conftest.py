"""Shared fixtures: offscreen Qt, a real library on a temporary folder, generated media."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the user's real library.
os.environ.pop("ATELIER_DATA_DIR", None)
# ... nor its log file (app.core.logs); commands run by the tests inherit this one.
os.environ.setdefault(
    "ATELIER_LOG_FILE", os.path.join(tempfile.gettempdir(), f"atelier-tests-{os.getpid()}.log")
)

from app.library.service import LibraryService  # noqa: E402
from tests.browser import browser, browser_downloads  # noqa: E402,F401


@pytest.fixture
def library(tmp_path: Path) -> Iterator[LibraryService]:
    lib = LibraryService(tmp_path / "library", workers=2)
    try:
        yield lib
    finally:
        lib.close()


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    path = tmp_path / "media"
    path.mkdir()
    return path
