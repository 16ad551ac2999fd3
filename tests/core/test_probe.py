"""probe(): metadata against the generators' ground truth, and one-line failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
import pytest

from app.core.avtools import last_error_line
from app.core.errors import UnreadableFile
from app.core.probe import MediaInfo, probe, whole_seconds
from tests.media import Sample, make_jpeg, make_pdf


def _probe(sample: Sample, timeout: float = 30.0) -> MediaInfo:
    return probe(sample.path, sample.asset_type, sample.format, sample.mime, timeout)


@pytest.mark.parametrize(
    "label",
    [
        "jpg", "jpg-rotated", "png", "gif", "webp",
        "mp4", "mov", "mp4-short", "mp4-rotated",
        "mp3", "mp3-short", "wav", "pdf", "pdf-landscape",
    ],
)  # fmt: skip
def test_metadata_matches_ground_truth(samples: dict[str, Sample], label: str) -> None:
    sample = samples[label]
    info = _probe(sample)
    assert info == MediaInfo(
        asset_type=sample.asset_type,
        format=sample.format,
        mime=sample.mime,
        width=sample.width,
        height=sample.height,
        duration=sample.duration,
        page_count=sample.page_count,
    )


def test_rotated_samples_really_are_rotated(samples: dict[str, Sample]) -> None:
    # Guards the ground truth itself: both are stored landscape and shown portrait.
    for label in ("jpg-rotated", "mp4-rotated"):
        sample = samples[label]
        assert sample.width is not None and sample.height is not None
        assert sample.height > sample.width


@pytest.mark.parametrize(("orientation", "swapped"), [(1, False), (3, False), (5, True), (8, True)])
def test_exif_orientations(tmp_path: Path, orientation: int, swapped: bool) -> None:
    sample = make_jpeg(tmp_path, 80, 20, exif_orientation=orientation)
    info = _probe(sample)
    assert (info.width, info.height) == ((20, 80) if swapped else (80, 20))


@pytest.mark.parametrize(
    ("seconds", "whole"),
    [(0.0, 0), (-1.0, 0), (float("nan"), 0), (0.01, 1), (0.4, 1), (1.49, 1), (1.5, 2),
     (2.5, 3), (2.49, 2), (59.999, 60)],
)  # fmt: skip
def test_whole_seconds_rounds_half_up(seconds: float, whole: int) -> None:
    assert whole_seconds(seconds) == whole


def test_pdf_pages_and_owner_only_password(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path, pages=5, page_size=(200, 300))
    writer = pypdf.PdfWriter(clone_from=plain.path)
    # Only an owner password: anyone may open it, so it must be accepted.
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "restricted.pdf"
    with locked.open("wb") as f:
        writer.write(f)
    assert probe(locked, "document", "pdf", "application/pdf").page_count == 5


def test_ffprobe_timeout_is_enforced(samples: dict[str, Sample]) -> None:
    with pytest.raises(UnreadableFile, match="Timed out"):
        _probe(samples["mp4"], timeout=0.001)


def test_wrong_format_is_not_guessed_by_ffmpeg(samples: dict[str, Sample]) -> None:
    # An MP3 handed over as an MP4 must fail: the demuxer is forced, never sniffed.
    mp3 = samples["mp3"]
    with pytest.raises(UnreadableFile, match="^Cannot read video: "):
        probe(mp3.path, "video", "mp4", "video/mp4")


def test_colon_in_path_is_not_a_protocol(samples: dict[str, Sample], tmp_path: Path) -> None:
    odd = tmp_path / "concat:clip.mp4"
    shutil.copy(samples["mp4"].path, odd)
    assert probe(odd, "video", "mp4", "video/mp4").width == samples["mp4"].width


def test_error_messages_are_one_line_without_the_path(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x20ftypisom" + bytes(100))
    with pytest.raises(UnreadableFile) as caught:
        probe(broken, "video", "mp4", "video/mp4")
    message = str(caught.value)
    assert "\n" not in message and str(tmp_path) not in message
    assert message.startswith("Cannot read video: ")


def test_last_error_line_prefers_the_specific_reason() -> None:
    url = "file:/tmp/x/.incoming-abc.part"
    stderr = (
        b"[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55a0b60b6280] moov atom not found\n"
        + url.encode()
        + b": Invalid data found when processing input\n"
    )
    assert last_error_line(stderr, url) == "moov atom not found"
    only_summary = url.encode() + b": Invalid data found when processing input\n"
    assert last_error_line(only_summary, url) == "Invalid data found when processing input"
    assert last_error_line(b"", url) == ""
