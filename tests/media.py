"""Real test media (Pillow, ffmpeg, pypdf) with the ground truth a probe should report."""

from __future__ import annotations

import io
import math
import os
import random
import struct
import subprocess
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pypdf
from PIL import Image, ImageDraw

from app.core.formats import DEFAULT_MAX_BYTES, AssetType

RED: Final[tuple[int, int, int]] = (220, 30, 30)
GREEN: Final[tuple[int, int, int]] = (30, 200, 60)
BLUE: Final[tuple[int, int, int]] = (30, 60, 220)
GIF_FRAME_COLORS: Final[tuple[tuple[int, int, int], ...]] = (RED, GREEN, BLUE)

# What libmagic 5.44 calls the files these generators write.
MIME: Final[dict[str, str]] = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "mp3": "audio/mpeg",
    "wav": "audio/x-wav",
    "pdf": "application/pdf",
}
_TYPES: Final[dict[str, AssetType]] = {
    "jpg": "image", "png": "image", "gif": "image", "webp": "image",
    "mp4": "video", "mov": "video", "mp3": "audio", "wav": "audio", "pdf": "document",
}  # fmt: skip


@dataclass(frozen=True)
class Sample:
    """A generated file and what a correct probe says about it."""

    path: Path
    format: str
    width: int | None = None
    height: int | None = None
    duration: int | None = None  # whole seconds, as MediaInfo reports them
    page_count: int | None = None
    seconds: float | None = None  # the exact length asked of ffmpeg

    @property
    def asset_type(self) -> AssetType:
        return _TYPES[self.format]

    @property
    def mime(self) -> str:
        return MIME[self.format]


def expected_seconds(seconds: float) -> int:
    """Whole seconds as the core rounds them: half up, at least 1 for anything audible."""
    return max(1, math.floor(seconds + 0.5))


def ffmpeg(*args: str) -> None:
    """Run ffmpeg quietly, raising if it fails."""
    subprocess.run(
        ["ffmpeg", "-y", "-nostdin", "-loglevel", "error", *args],
        check=True,
        capture_output=True,
        timeout=60,
    )


# --- images ---------------------------------------------------------------------------


def _marked(width: int, height: int) -> Image.Image:
    """Blue with a red top-left quarter, so tests can tell how a picture was turned."""
    im = Image.new("RGB", (width, height), BLUE)
    ImageDraw.Draw(im).rectangle([0, 0, width // 2 - 1, height // 2 - 1], fill=RED)
    return im


def make_jpeg(
    folder: Path,
    width: int = 64,
    height: int = 48,
    name: str = "photo.jpg",
    exif_orientation: int | None = None,
    quality: int = 90,
) -> Sample:
    """A JPEG stored width x height; with orientation 5-8 it displays height x width."""
    path = folder / name
    im = _marked(width, height)
    exif = Image.Exif()
    if exif_orientation is not None:
        exif[0x0112] = exif_orientation
    im.save(path, "JPEG", quality=quality, exif=exif.tobytes())
    if exif_orientation in (5, 6, 7, 8):
        width, height = height, width
    return Sample(path, "jpg", width=width, height=height)


def make_png(
    folder: Path, width: int = 64, height: int = 48, alpha: bool = True, name: str = "logo.png"
) -> Sample:
    """A PNG; with alpha, a blue disc on a fully transparent ground."""
    path = folder / name
    if alpha:
        im = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        ImageDraw.Draw(im).ellipse(
            [width // 4, height // 4, width * 3 // 4, height * 3 // 4], fill=(*BLUE, 255)
        )
    else:
        im = _marked(width, height)
    im.save(path, "PNG")
    return Sample(path, "png", width=width, height=height)


def make_gif(
    folder: Path, width: int = 64, height: int = 48, frames: int = 3, name: str = "anim.gif"
) -> Sample:
    """An animated GIF whose frames are solid GIF_FRAME_COLORS in turn (first is red)."""
    path = folder / name
    images = [
        Image.new("RGB", (width, height), GIF_FRAME_COLORS[i % len(GIF_FRAME_COLORS)])
        for i in range(frames)
    ]
    images[0].save(path, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return Sample(path, "gif", width=width, height=height)


def make_webp(folder: Path, width: int = 64, height: int = 48, name: str = "image.webp") -> Sample:
    """A lossy WebP."""
    path = folder / name
    _marked(width, height).save(path, "WEBP", quality=80)
    return Sample(path, "webp", width=width, height=height)


# --- video and audio --------------------------------------------------------------------


def _rotate_quarter_turn(path: Path) -> None:
    """Give the first track a 90-degree display matrix, as phones do for portrait clips.

    This ffmpeg ignores "-metadata:s:v rotate=", so the tkhd box is patched in place.
    """
    data = bytearray(path.read_bytes())
    at = data.index(b"tkhd") + 4
    # version, flags, then times/ids/duration (20 or 32 bytes), reserved, layer..volume
    matrix = at + 4 + (32 if data[at] == 1 else 20) + 8 + 8
    data[matrix : matrix + 36] = struct.pack(">9i", 0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 1 << 30)
    path.write_bytes(bytes(data))


def _make_video(
    path: Path, fmt: str, width: int, height: int, seconds: float, audio: bool, rotated: bool
) -> Sample:
    if width % 2 or height % 2:
        raise ValueError("H.264 in yuv420p needs even dimensions")
    args = ["-f", "lavfi", "-i", f"testsrc=size={width}x{height}:rate=10:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", fmt]
    ffmpeg(*args, str(path))
    if rotated:
        _rotate_quarter_turn(path)
        width, height = height, width
    return Sample(
        path,
        "mov" if fmt == "mov" else "mp4",
        width=width,
        height=height,
        duration=expected_seconds(seconds),
        seconds=seconds,
    )


def make_mp4(
    folder: Path,
    width: int = 160,
    height: int = 120,
    seconds: float = 2.0,
    name: str = "clip.mp4",
    audio: bool = False,
    rotated: bool = False,
) -> Sample:
    """An H.264 MP4 of ffmpeg's test pattern; rotated: stored landscape, shown portrait."""
    return _make_video(folder / name, "mp4", width, height, seconds, audio, rotated)


def make_mov(
    folder: Path,
    width: int = 160,
    height: int = 120,
    seconds: float = 2.0,
    name: str = "clip.mov",
    audio: bool = False,
    rotated: bool = False,
) -> Sample:
    """An H.264 QuickTime movie of ffmpeg's test pattern."""
    return _make_video(folder / name, "mov", width, height, seconds, audio, rotated)


def make_mp3(folder: Path, seconds: float = 2.0, name: str = "tone.mp3") -> Sample:
    """A 440 Hz sine MP3 (LAME adds a few ms of padding, well under rounding)."""
    path = folder / name
    ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}:sample_rate=22050",
        "-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3", str(path),
    )  # fmt: skip
    return Sample(path, "mp3", duration=expected_seconds(seconds), seconds=seconds)


def make_wav(folder: Path, seconds: float = 2.0, name: str = "tone.wav") -> Sample:
    """A 16-bit mono PCM WAV of a 440 Hz sine."""
    path = folder / name
    ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}:sample_rate=22050",
        "-c:a", "pcm_s16le", "-f", "wav", str(path),
    )  # fmt: skip
    return Sample(path, "wav", duration=expected_seconds(seconds), seconds=seconds)


# --- documents --------------------------------------------------------------------------


def make_pdf(
    folder: Path,
    pages: int = 3,
    page_size: tuple[int, int] = (612, 792),
    name: str = "brief.pdf",
) -> Sample:
    """A PDF of `pages` pages of page_size points, each with a dark bar (not blank)."""
    path = folder / name
    width, height = page_size
    images = []
    for number in range(pages):
        im = Image.new("RGB", (width, height), "white")
        ImageDraw.Draw(im).rectangle(
            [width // 8, height // 8, width * 7 // 8, height // 8 + 20 + 10 * number],
            fill=(20, 20, 20),
        )
        images.append(im)
    # At 72 dpi one pixel is one point, so the page is exactly page_size.
    images[0].save(path, "PDF", resolution=72.0, save_all=True, append_images=images[1:])
    return Sample(path, "pdf", page_count=pages)


# --- files that must be rejected ---------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + _png_chunk(b"IEND", b"")
    )


_ELF_HEADER: Final[bytes] = (
    b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + bytes(232)
)
_MZ_HEADER: Final[bytes] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(498)
_FTYP: Final[bytes] = struct.pack(">I", 32) + b"ftypisom" + struct.pack(">I", 0x200) + (
    b"isomiso2avc1mp41"
)
_INVALID = "Invalid file type: "


def bad_corpus(folder: Path, limit: int = DEFAULT_MAX_BYTES) -> list[tuple[Path, str]]:
    """Files that must be rejected, each with a substring of the expected error."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20240611)  # fixed, so a failure reproduces
    cases: list[tuple[Path, str]] = []

    def add(name: str, data: bytes, expected: str) -> None:
        (folder / name).write_bytes(data)
        cases.append((folder / name, expected))

    bmp = io.BytesIO()
    Image.new("RGB", (8, 8), RED).save(bmp, "BMP")
    add("picture.bmp", bmp.getvalue(), _INVALID + "image/bmp")
    add(
        "vector.svg",
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
        b'height="10"><rect width="10" height="10"/></svg>\n',
        _INVALID + "image/svg+xml",
    )
    add(
        "page.png",
        b"<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)"
        b"</script></body></html>\n",
        _INVALID + "text/html",
    )
    add("program.jpg", _ELF_HEADER, _INVALID + "application/x-executable")
    add("setup.jpg", _MZ_HEADER, _INVALID + "application/x-dosexec")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "not a picture")
    add("archive.png", archive.getvalue(), _INVALID + "application/zip")
    add("empty.jpg", b"", "File is empty")

    huge = folder / "huge.jpg"
    jpeg = io.BytesIO()
    _marked(16, 16).save(jpeg, "JPEG")
    with huge.open("wb") as f:
        f.write(jpeg.getvalue())
        f.truncate(limit + 1)  # sparse: one byte over, without writing 50 MB
    cases.append((huge, f"File too large. Maximum size is {limit / 1024 / 1024:.1f}MB"))

    noisy = io.BytesIO()
    Image.effect_noise((256, 256), 60).convert("RGB").save(noisy, "JPEG", quality=90)
    add("truncated.jpg", noisy.getvalue()[: len(noisy.getvalue()) // 2], "truncated")
    add(
        "bomb.png",
        _png_claiming(100_000, 100_000),
        "Image is too large to process safely (100000x100000 pixels)",
    )
    add("corrupt.pdf", b"%PDF-1.7\n" + rng.randbytes(4096), "Cannot read PDF")
    add("garbage.mp4", _FTYP + rng.randbytes(8192), "Cannot read video")
    add(
        "garbage.wav",
        b"RIFF" + struct.pack("<I", 8196) + b"WAVEfmt " + rng.randbytes(8188),
        "Cannot read audio",
    )

    locked = folder / "locked.pdf"
    make_pdf(folder, pages=1, name="plain-for-lock.pdf")
    writer = pypdf.PdfWriter(clone_from=folder / "plain-for-lock.pdf")
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with locked.open("wb") as f:
        writer.write(f)
    (folder / "plain-for-lock.pdf").unlink()
    cases.append((locked, "password"))

    silent_video = folder / "audio-only.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", "-f", "mp4", str(silent_video)
    )  # fmt: skip
    cases.append((silent_video, "no readable video stream"))
    return cases


# --- awkward names ------------------------------------------------------------------------


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def _fit_bytes(name: str, limit: int, suffix: str = ".jpg") -> str:
    stem = name[: -len(suffix)] if name.endswith(suffix) else name
    while len((stem + suffix).encode("utf-8")) > limit:
        stem = stem[:-1]
    return stem + suffix


def awkward_names(folder: Path) -> list[tuple[Path, str]]:
    """Valid JPEGs under hostile names: (file on disk, the name the user's system reported).

    The reported name can be longer than any file system allows (1000 characters); its
    file on disk then carries the longest prefix that fits.
    """
    folder.mkdir(parents=True, exist_ok=True)
    long_name = ("Ünïcødé-" * 200)[:996] + ".jpg"
    reported = [
        "Café – Ünïcødé 日本.jpg",
        "Cafe\u0301 decomposed.jpg",
        long_name,
        "\x07bell\x1b.jpg",
        "..\\..\\windows-style.jpg",
        "  .. dotted .. .jpg",
        "tab\tnew\nline.jpg",
    ]
    result: list[tuple[Path, str]] = []
    for index, name in enumerate(reported):
        on_disk = _fit_bytes(name, _name_max(folder))
        try:
            sample = make_jpeg(folder, 32, 24, name=on_disk)
        except OSError:  # a file system that refuses control characters
            sample = make_jpeg(folder, 32, 24, name=f"awkward-{index}.jpg")
        result.append((sample.path, name))
    return result


# --- MP3s as taggers and cut-off downloads leave them ------------------------------------


def _synchsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def id3v24_tag(*, extended: bool = True, footer: bool = False, padding: int = 0,
               size_counts_extended: bool = True) -> bytes:
    """An ID3v2.4 tag with a title frame, optionally an extended header and a footer.

    size_counts_extended=False writes the size a known tagger mistake writes (without the
    extended header), which ffmpeg reads past and libmagic does not.
    """
    text = b"\x03Atelier test tone"
    frame = b"TIT2" + _synchsafe(len(text)) + b"\x00\x00" + text
    ext = _synchsafe(6) + b"\x01\x00" if extended else b""
    body = ext + frame + bytes(padding)
    flags = (0x40 if extended else 0) | (0x10 if footer else 0)
    size = len(body) if size_counts_extended else len(body) - len(ext)
    tag = b"ID3\x04\x00" + bytes([flags]) + _synchsafe(size) + body
    if footer:
        tag += b"3DI\x04\x00" + bytes([flags]) + _synchsafe(size)
    return tag


def make_tagged_mp3(folder: Path, tag: bytes, seconds: float = 3.0, name: str = "tagged.mp3") -> Sample:
    """Real MP3 frames from ffmpeg (no tag of its own) behind the given ID3 tag bytes."""
    bare = folder / f"bare-{name}"
    ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}:sample_rate=44100",
        "-c:a", "libmp3lame", "-b:a", "128k", "-id3v2_version", "0", "-f", "mp3", str(bare),
    )  # fmt: skip
    path = folder / name
    path.write_bytes(tag + bare.read_bytes())
    bare.unlink()
    return Sample(path, "mp3", duration=expected_seconds(seconds), seconds=seconds)
