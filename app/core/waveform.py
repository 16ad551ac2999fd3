"""A waveform picture of an audio file, decoded by ffmpeg and drawn with Pillow."""

from __future__ import annotations

import sys
from array import array
from pathlib import Path
from typing import Final, cast

from PIL import Image, ImageDraw

from app.core import avtools
from app.core.errors import UnreadableFile

WIDTH: Final[int] = 1024
HEIGHT: Final[int] = 256
BACKGROUND: Final[tuple[int, int, int]] = (24, 26, 33)
AXIS: Final[tuple[int, int, int]] = (52, 56, 70)
WAVE: Final[tuple[int, int, int]] = (94, 196, 255)
_PADDING: Final[int] = 12
# Below this peak (of 32767) a file is silence for the eye; drawing it amplified would
# turn hiss into a loud-looking waveform.
_SILENCE: Final[int] = 64
# Enough samples for a few hundred per column (short clips keep their full rate, so
# peaks are not lost between samples) without holding an hour of PCM in memory; never
# below 1 kHz, where voices would flatten out.
_SAMPLE_BUDGET: Final[int] = 2_000_000
_MAX_RATE: Final[int] = 44100
_MIN_RATE: Final[int] = 1000


def draw_waveform(src: Path, format: str, duration: int | None, timeout: float) -> Image.Image:
    """Decode src to mono PCM and draw its min/max envelope, WIDTH x HEIGHT, RGB."""
    samples = _decode(src, format, _sample_rate(duration), timeout)
    if not samples:
        raise UnreadableFile("Audio has no decodable samples")
    return _draw(_envelope(samples, WIDTH))


def _sample_rate(duration: int | None) -> int:
    if not duration or duration <= 0:
        return _MAX_RATE
    return max(_MIN_RATE, min(_MAX_RATE, _SAMPLE_BUDGET // duration))


def _decode(src: Path, format: str, rate: int, timeout: float) -> array[int]:
    stream = avtools.input_stream(src, format)["a:0"].output(
        "pipe:", format="s16le", acodec="pcm_s16le", ac=1, ar=rate
    )
    try:
        pcm = avtools.run_ffmpeg(stream, timeout, src)
    except UnreadableFile as exc:
        raise UnreadableFile(f"Cannot decode audio: {exc}") from None
    samples = array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if sys.byteorder == "big":
        samples.byteswap()  # ffmpeg was asked for little-endian
    return samples


def _envelope(samples: array[int], columns: int) -> list[tuple[int, int]]:
    """(min, max) per column.

    Pillow finds each column's extremes in C; min() and max() on array slices made a
    Python int of every sample, a tenth of a second for half a minute of sound. Each
    column is read through a view of the samples, so nothing is copied whole.
    """
    count = len(samples)
    view = memoryview(samples)
    result: list[tuple[int, int]] = []
    for column in range(columns):
        start = column * count // columns
        stop = max(start + 1, (column + 1) * count // columns)
        if start >= count:
            result.append((0, 0))
            continue
        # A row of 32-bit pixels, one per sample (native-endian signed 16-bit in).
        strip = Image.frombytes("I", (stop - start, 1), view[start:stop], "raw", "I;16NS")
        # A single-band image: the extrema are one (low, high) pair of ints.
        low, high = cast(tuple[int, int], strip.getextrema())
        result.append((int(low), int(high)))
    return result


def _draw(envelope: list[tuple[int, int]]) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    middle = HEIGHT // 2
    draw.line([(0, middle), (WIDTH - 1, middle)], fill=AXIS)
    peak = max(max(-low, high) for low, high in envelope)
    if peak < _SILENCE:
        return image
    # Scaled to the loudest moment, so quiet recordings still show their shape.
    half = middle - _PADDING
    for x, (low, high) in enumerate(envelope):
        top = middle - round(high / peak * half)
        bottom = middle - round(low / peak * half)
        draw.line([(x, min(top, middle)), (x, max(bottom, middle))], fill=WAVE)
    return image
