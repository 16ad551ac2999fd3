"""Media shared by the core tests, generated once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.media import (
    Sample,
    bad_corpus,
    make_gif,
    make_jpeg,
    make_mov,
    make_mp3,
    make_mp4,
    make_pdf,
    make_png,
    make_wav,
    make_webp,
)


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sample]:
    """One good file per format (plus a few variants), keyed by a short label."""
    d = tmp_path_factory.mktemp("media")
    return {
        "jpg": make_jpeg(d, 64, 48),
        "jpg-rotated": make_jpeg(d, 64, 48, name="rotated.jpg", exif_orientation=6),
        "png": make_png(d, 64, 48),
        "gif": make_gif(d, 40, 30, frames=3),
        "webp": make_webp(d, 50, 40),
        "mp4": make_mp4(d, 160, 120, seconds=3.0),
        "mov": make_mov(d, 128, 96, seconds=2.0),
        "mp4-short": make_mp4(d, 96, 64, seconds=0.4, name="short.mp4", audio=True),
        "mp4-rotated": make_mp4(d, 160, 96, seconds=1.0, name="portrait.mp4", rotated=True),
        "mp3": make_mp3(d, seconds=2.0),
        "mp3-short": make_mp3(d, seconds=0.4, name="blip.mp3"),
        "wav": make_wav(d, seconds=3.0),
        "pdf": make_pdf(d, pages=3),
        "pdf-landscape": make_pdf(d, pages=1, page_size=(842, 595), name="landscape.pdf"),
    }


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, str]]:
    return bad_corpus(tmp_path_factory.mktemp("bad"))


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    """A fresh, empty folder standing in for the library's assets/ folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder
