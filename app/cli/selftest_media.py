"""Small real files for `atelier --self-test`, made with what the program itself carries.

Pillow draws the image and the PDF; the ffmpeg that Atelier uses (the bundled one in a
frozen build) makes the video and the audio, with encoders every ffmpeg build has.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from app.core import avtools

SECONDS = 2


@dataclass(frozen=True, slots=True)
class Media:
    image: Path
    video: Path
    audio: Path
    document: Path
    upload: Path  # a further image, sent through the server

    @property
    def imported(self) -> list[Path]:
        return [self.image, self.video, self.audio, self.document]


def make_all(folder: Path) -> Media:
    folder.mkdir(parents=True, exist_ok=True)
    return Media(
        image=make_image(folder / "photo.jpg", (640, 480), "JPEG"),
        video=make_video(folder / "clip.mp4"),
        audio=make_audio(folder / "tone.wav"),
        document=make_pdf(folder / "brief.pdf", pages=2),
        upload=make_image(folder / "upload.png", (320, 200), "PNG", hue=1),
    )


def _picture(size: tuple[int, int], hue: int = 0) -> Image.Image:
    width, height = size
    image = Image.new("RGB", size, (240, 238, 250))
    draw = ImageDraw.Draw(image)
    for x in range(0, width, 8):
        shade = int(255 * x / max(1, width - 1))
        color = (shade, 90, 255 - shade) if hue == 0 else (60, shade, 120)
        draw.rectangle((x, 0, x + 7, height // 2), fill=color)
    draw.ellipse((width // 4, height // 2, width // 2, height - 10), fill=(250, 200, 60))
    draw.rectangle((width // 2 + 20, height // 2 + 20, width - 20, height - 20), fill=(40, 40, 60))
    return image


def make_image(path: Path, size: tuple[int, int], fmt: str, hue: int = 0) -> Path:
    _picture(size, hue).save(path, fmt)
    return path


def make_pdf(path: Path, pages: int) -> Path:
    sheets = [_picture((595, 842), hue=page % 2) for page in range(pages)]
    sheets[0].save(path, "PDF", save_all=True, append_images=sheets[1:], resolution=72.0)
    return path


def make_video(path: Path) -> Path:
    # mpeg4 is ffmpeg's own encoder, present in every build (libx264 is not).
    return _ffmpeg(
        path,
        "-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={SECONDS}",
        "-c:v", "mpeg4", "-q:v", "5", "-pix_fmt", "yuv420p", "-f", "mp4",
    )  # fmt: skip


def make_audio(path: Path) -> Path:
    return _ffmpeg(
        path,
        "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=44100:duration={SECONDS}",
        "-c:a", "pcm_s16le", "-f", "wav",
    )  # fmt: skip


def _ffmpeg(path: Path, *args: str) -> Path:
    command = [avtools.FFMPEG, "-y", "-nostdin", "-hide_banner", "-loglevel", "error", *args, str(path)]
    try:
        result = subprocess.run(command, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuntimeError(f"Cannot run {avtools.FFMPEG}: {exc}") from None
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"ffmpeg could not make {path.name}: {reason[-1] if reason else result.returncode}")
    return path
