"""make_thumbnail(): valid JPEGs, right orientation and content, atomic output."""

from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageChops, ImageStat

from app.core.errors import UnreadableFile
from app.core.probe import MediaInfo, probe
from app.core.thumbnails import THUMB_MAX, make_thumbnail
from app.core.waveform import BACKGROUND, WAVE
from tests.media import BLUE, GIF_FRAME_COLORS, RED, Sample, make_jpeg


def _info(sample: Sample) -> MediaInfo:
    return probe(sample.path, sample.asset_type, sample.format, sample.mime)


def _thumb(sample: Sample, dest: Path) -> Image.Image:
    make_thumbnail(sample.path, _info(sample), dest)
    with Image.open(dest) as im:
        assert im.format == "JPEG"
        im.load()  # a truncated or corrupt JPEG fails here
        return im.copy()


def _close(
    im: Image.Image, xy: tuple[int, int], color: tuple[int, int, int], slack: int = 40
) -> bool:
    pixel = im.getpixel(xy)
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= slack for a, b in zip(pixel[:3], color, strict=True))


@pytest.mark.parametrize(
    "label",
    [
        "jpg", "jpg-rotated", "png", "gif", "webp", "mp4", "mov", "mp4-short",
        "mp4-rotated", "mp3", "mp3-short", "wav", "pdf", "pdf-landscape",
    ],
)  # fmt: skip
def test_every_type_gets_a_valid_jpeg(
    samples: dict[str, Sample], label: str, tmp_path: Path
) -> None:
    sample = samples[label]
    thumb = _thumb(sample, tmp_path / "thumb.jpg")
    assert thumb.mode == "RGB"
    assert 0 < max(thumb.size) <= THUMB_MAX
    if sample.width and sample.height:
        # Same shape as the media (small images are not enlarged).
        assert abs(thumb.width / thumb.height - sample.width / sample.height) < 0.05
        assert max(thumb.size) == min(THUMB_MAX, max(sample.width, sample.height))
    assert [p.name for p in tmp_path.iterdir()] == ["thumb.jpg"]


def test_large_jpeg_is_shrunk_to_the_limit(tmp_path: Path) -> None:
    sample = make_jpeg(tmp_path, 4000, 3000, name="big.jpg")
    start = time.perf_counter()
    thumb = _thumb(sample, tmp_path / "t.jpg")
    elapsed = time.perf_counter() - start
    assert thumb.size == (512, 384)
    assert elapsed < 5  # draft mode; a full 12 MP decode would still pass, but not a hang


def test_exif_rotated_jpeg_is_portrait_and_turned_the_right_way(
    samples: dict[str, Sample], tmp_path: Path
) -> None:
    thumb = _thumb(samples["jpg-rotated"], tmp_path / "t.jpg")
    assert thumb.height > thumb.width
    # Stored red top-left; orientation 6 is a quarter turn clockwise, so red is top-right.
    assert _close(thumb, (thumb.width - 3, 2), RED)
    assert _close(thumb, (2, 2), BLUE)


def test_png_alpha_is_flattened_onto_white(samples: dict[str, Sample], tmp_path: Path) -> None:
    thumb = _thumb(samples["png"], tmp_path / "t.jpg")
    assert _close(thumb, (0, 0), (255, 255, 255), slack=8)
    assert _close(thumb, (thumb.width // 2, thumb.height // 2), BLUE)


def test_animated_gif_uses_its_first_frame(samples: dict[str, Sample], tmp_path: Path) -> None:
    thumb = _thumb(samples["gif"], tmp_path / "t.jpg")
    assert _close(thumb, (thumb.width // 2, thumb.height // 2), GIF_FRAME_COLORS[0])


def _frame_at(path: Path, seconds: float, size: tuple[int, int]) -> Image.Image:
    png = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", str(seconds), "-i", str(path), "-frames:v", "1",
         "-f", "image2pipe", "-c:v", "png", "pipe:"],
        check=True, capture_output=True, timeout=60,
    ).stdout  # fmt: skip
    return Image.open(io.BytesIO(png)).convert("RGB").resize(size)


def _difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def test_video_thumbnail_is_the_frame_at_one_second(
    samples: dict[str, Sample], tmp_path: Path
) -> None:
    sample = samples["mp4"]
    thumb = _thumb(sample, tmp_path / "t.jpg")
    at_one = _frame_at(sample.path, 1.0, thumb.size)
    at_zero = _frame_at(sample.path, 0.0, thumb.size)
    assert _difference(thumb, at_one) < _difference(thumb, at_zero)


def test_rotated_video_thumbnail_is_portrait(samples: dict[str, Sample], tmp_path: Path) -> None:
    thumb = _thumb(samples["mp4-rotated"], tmp_path / "t.jpg")
    assert thumb.height > thumb.width


@pytest.mark.parametrize("label", ["mp3", "wav"])
def test_waveform_picture(samples: dict[str, Sample], label: str, tmp_path: Path) -> None:
    thumb = _thumb(samples[label], tmp_path / "t.jpg")
    assert thumb.size == (THUMB_MAX, THUMB_MAX // 4)
    assert _close(thumb, (1, 1), BACKGROUND, slack=16)
    # A steady sine fills the band around the middle with the accent colour.
    y = thumb.height // 2 - 10
    assert all(_close(thumb, (x, y), WAVE, slack=60) for x in range(20, 490, 10))


def test_huge_pdf_page_renders_at_thumbnail_size(tmp_path: Path) -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=14400, height=7200)  # 200 x 100 inches, PDF's maximum
    poster = tmp_path / "poster.pdf"
    with poster.open("wb") as f:
        writer.write(f)
    info = probe(poster, "document", "pdf", "application/pdf")
    start = time.perf_counter()
    make_thumbnail(poster, info, tmp_path / "t.jpg")
    assert time.perf_counter() - start < 5
    with Image.open(tmp_path / "t.jpg") as im:
        assert im.size == (512, 256)


def test_failure_leaves_no_file_and_keeps_an_existing_one(
    bad_files: list[tuple[Path, str]], tmp_path: Path
) -> None:
    truncated = next(path for path, _ in bad_files if path.name == "truncated.jpg")
    info = probe(truncated, "image", "jpg", "image/jpeg")  # the header alone is fine
    dest = tmp_path / "t.jpg"
    with pytest.raises(UnreadableFile, match="^Cannot read image: .*truncated"):
        make_thumbnail(truncated, info, dest)
    assert list(tmp_path.iterdir()) == []
    dest.write_bytes(b"previous")
    with pytest.raises(UnreadableFile):
        make_thumbnail(truncated, info, dest)
    assert dest.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["t.jpg"]


def test_video_without_frames_is_unreadable(samples: dict[str, Sample], tmp_path: Path) -> None:
    # An audio-only MP4 passes libmagic; claimed as video it must fail with a reason.
    sample = samples["mp4-short"]
    info = MediaInfo("video", "mp4", "video/mp4", width=96, height=64, duration=1)
    silent = tmp_path / "silent.mp4"
    subprocess.run(
        ["ffmpeg", "-y", "-v", "error", "-i", str(sample.path), "-vn", "-c:a", "copy", str(silent)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    with pytest.raises(UnreadableFile, match="^Cannot decode video: "):
        make_thumbnail(silent, info, tmp_path / "t.jpg")
    assert not (tmp_path / "t.jpg").exists()
