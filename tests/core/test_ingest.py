"""ingest_path / analyze: the whole pipeline, the bad corpus, and process pools."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from app.core.errors import (
    EmptyFile,
    FileTooLarge,
    InvalidFileType,
    RejectedFile,
    UnreadableFile,
)
from app.core.ingest import Ingested, analyze, ingest_path
from app.core.names import safe_display_name
from app.core.staging import stage_file
from app.core.tempfiles import TEMP_GLOBS, is_temp_name
from tests.media import Sample, awkward_names

EXPECTED_BAD = {
    "picture.bmp", "vector.svg", "page.png", "program.jpg", "setup.jpg", "archive.png",
    "empty.jpg", "huge.jpg", "truncated.jpg", "bomb.png", "corrupt.pdf", "garbage.mp4",
    "garbage.wav", "locked.pdf", "audio-only.mp4",
}  # fmt: skip


def test_bad_corpus_is_complete(bad_files: list[tuple[Path, str]]) -> None:
    assert {path.name for path, _ in bad_files} == EXPECTED_BAD


def test_every_bad_file_is_rejected_and_nothing_is_kept(
    bad_files: list[tuple[Path, str]], tmp_path: Path
) -> None:
    for path, expected in bad_files:
        work = tmp_path / path.name
        with pytest.raises(RejectedFile) as caught:
            ingest_path(path, work)
        message = str(caught.value)
        assert expected in message, (path.name, message)
        assert "\n" not in message and str(work) not in message, message
        assert not work.exists() or list(work.iterdir()) == [], path.name


def test_rejections_have_the_spec_messages(
    bad_files: list[tuple[Path, str]], work_dir: Path
) -> None:
    by_name = {path.name: path for path, _ in bad_files}
    with pytest.raises(InvalidFileType) as invalid:
        ingest_path(by_name["page.png"], work_dir)
    assert str(invalid.value) == (
        "Invalid file type: text/html. Allowed: images (jpg, png, gif, webp), "
        "videos (mp4, mov), audio (mp3, wav), documents (pdf)"
    )
    assert invalid.value.mime == "text/html"
    with pytest.raises(FileTooLarge, match=r"^File too large\. Maximum size is 50\.0MB$"):
        ingest_path(by_name["huge.jpg"], work_dir)
    with pytest.raises(EmptyFile):
        ingest_path(by_name["empty.jpg"], work_dir)
    with pytest.raises(UnreadableFile):
        ingest_path(by_name["truncated.jpg"], work_dir)


@pytest.mark.parametrize("label", ["jpg", "gif", "mov", "mp3", "pdf"])
def test_ingest_keeps_file_and_thumbnail_side_by_side(
    samples: dict[str, Sample], label: str, work_dir: Path
) -> None:
    sample = samples[label]
    result = ingest_path(sample.path, work_dir)
    assert result.staged.path.read_bytes() == sample.path.read_bytes()
    assert result.thumb_path.parent == work_dir
    assert result.thumb_path.name.startswith(".thumb-") and result.thumb_path.suffix == ".jpg"
    assert result.thumb_path.read_bytes()[:3] == b"\xff\xd8\xff"
    assert (result.info.width, result.info.height, result.info.duration) == (
        sample.width,
        sample.height,
        sample.duration,
    )
    assert result.info.page_count == sample.page_count
    assert sorted(p.name for p in work_dir.iterdir()) == sorted(
        [result.staged.path.name, result.thumb_path.name]
    )
    assert all(is_temp_name(p.name) for p in work_dir.iterdir())
    assert {p for g in TEMP_GLOBS for p in work_dir.glob(g)} == set(work_dir.iterdir())
    result.discard()
    result.discard()  # idempotent
    assert list(work_dir.iterdir()) == []


def test_analyze_removes_the_staged_file_on_failure(
    bad_files: list[tuple[Path, str]], work_dir: Path
) -> None:
    garbage = next(path for path, _ in bad_files if path.name == "garbage.mp4")
    staged = stage_file(garbage, work_dir)  # passes libmagic
    assert staged.path.exists()
    with pytest.raises(UnreadableFile):
        analyze(staged)
    assert list(work_dir.iterdir()) == []


def test_errors_survive_pickling() -> None:
    errors = (InvalidFileType("text/html"), FileTooLarge(1024), EmptyFile(), UnreadableFile("x"))
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert copy.__dict__ == error.__dict__


def test_runs_in_a_process_pool(
    samples: dict[str, Sample], bad_files: list[tuple[Path, str]], work_dir: Path
) -> None:
    html = next(path for path, _ in bad_files if path.name == "page.png")
    with ProcessPoolExecutor(max_workers=1) as pool:
        good = pool.submit(ingest_path, samples["wav"].path, work_dir).result(timeout=60)
        bad = pool.submit(ingest_path, html, work_dir)
        with pytest.raises(InvalidFileType) as caught:
            bad.result(timeout=60)
    assert isinstance(good, Ingested) and good.info.duration == samples["wav"].duration
    assert good.thumb_path.exists() and good.staged.path.exists()
    assert caught.value.mime == "text/html"


def test_awkward_names_ingest_and_display(tmp_path: Path) -> None:
    cases = awkward_names(tmp_path / "names")
    assert any(len(reported) == 1000 for _, reported in cases)
    for path, reported in cases:
        result = ingest_path(path, tmp_path / "work")
        assert result.info.width == 32
        result.discard()
        shown = safe_display_name(reported)
        assert shown and len(shown) <= 255 and shown.endswith(".jpg")
        assert not any(c in shown for c in "/\\\x00\x07\x1b\t\n")
    assert list((tmp_path / "work").iterdir()) == []
