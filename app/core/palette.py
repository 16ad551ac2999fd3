"""A thumbnail's few dominant colours with their shares, and CIELAB for perceptual distance."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from PIL import Image

COLOURS: Final[int] = 5
_SAMPLE: Final[int] = 96  # quantizing a 96 px copy costs about a millisecond
_MIN_SHARE: Final[float] = 0.02
_OPAQUE: Final[int] = 128  # alpha from which a pixel counts as the picture's colour
_SAME: Final[float] = 12.0  # ΔE below which two swatches are one colour
# Quantizing into as many colours as swatches shown averages a small bright area into
# its surroundings (a sun into the dusk around it). Pillow's fast octree into 16, then
# merging those a person sees as one colour, keeps it: on the window's showcase media and
# a dusk test picture it found every ink that median cut (5 or 16 boxes) blended, at about
# two thirds of median cut's time into 16.
_BOXES: Final[int] = 16
# A quantizer's cost grows with the distinct colours it sorts, and a photo's grain makes
# nearly every pixel distinct: rounding each channel to the centre of a 5-bit step first
# (at most ΔE 2 away) cut median cut on a 96 px photo from 4.7 ms to 0.9 ms, which was
# most of the palette's share of an import (python -m tests.bench --jobs 1).
_STEP_CENTRES: Final[list[int]] = [(v & 0xF8) | 4 for v in range(256)] * 3


@dataclass(frozen=True, slots=True)
class Swatch:
    """One palette colour: sRGB, its share of the picture (0-1) and its CIELAB coordinates."""

    rgb: tuple[int, int, int]
    share: float
    lab: tuple[float, float, float]

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


def palette(picture: Image.Image, colours: int = COLOURS) -> list[Swatch]:
    """Up to `colours` swatches, largest share first (Pillow's quantizer on a small copy).

    Transparent pixels are no colour: a logo on a transparent ground is its ink, not the
    white (or black) its transparent pixels happen to hold.
    """
    if _has_alpha(picture):
        small = _opaque(picture)  # sampled already: its pixels in a row, not a picture
        if small is None:
            return []
    else:
        small = picture.convert("RGB")
        small.thumbnail((_SAMPLE, _SAMPLE), Image.Resampling.BILINEAR)
    boxes = max(colours, _BOXES)
    quantized = small.point(_STEP_CENTRES).quantize(colors=boxes, method=Image.Quantize.FASTOCTREE)
    flat: list[int] = list(quantized.getpalette() or [])
    counts = quantized.getcolors(boxes) or []
    total = sum(count for count, _ in counts) or 1
    merged: list[tuple[tuple[int, int, int], float, tuple[float, float, float]]] = []
    for count, index in sorted(counts, reverse=True):
        i = int(index)  # type: ignore[call-overload]  # P-mode colours are palette indices
        rgb = (flat[i * 3], flat[i * 3 + 1], flat[i * 3 + 2])
        lab = srgb_to_lab(rgb)
        # Median cut splits a flat area along its noise or a gradient; a person sees one colour.
        near = next((i for i, m in enumerate(merged) if delta_e(m[2], lab) < _SAME), None)
        if near is None:
            merged.append((rgb, count / total, lab))
        else:
            first = merged[near]
            merged[near] = (first[0], first[1] + count / total, first[2])
    kept = [m for m in merged[:colours] if m[1] >= _MIN_SHARE]  # merged is largest first
    shares = [m[1] for m in kept]
    for _rgb, share, lab in (m for m in merged if not any(m is k for k in kept)):
        # A sliver (mostly the blend along an edge) or a colour past the few shown: its
        # pixels count towards the nearest colour shown, so the shares add up.
        nearest = min(range(len(kept)), key=lambda k: delta_e(kept[k][2], lab))
        shares[nearest] += share
    order = sorted(range(len(kept)), key=lambda k: -shares[k])
    return [Swatch(kept[k][0], round(shares[k], 3), kept[k][2]) for k in order]


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in picture.info


def _opaque(picture: Image.Image) -> Image.Image | None:
    """The picture's mostly opaque pixels, in a row of their own; None when there are none."""
    rgba = picture.convert("RGBA")
    rgba.thumbnail((_SAMPLE, _SAMPLE), Image.Resampling.BILINEAR)
    alpha = rgba.getchannel("A").tobytes()
    rgb = rgba.convert("RGB").tobytes()
    kept = b"".join(rgb[i * 3:i * 3 + 3] for i, a in enumerate(alpha) if a >= _OPAQUE)
    if not kept:
        return None
    return Image.frombytes("RGB", (len(kept) // 3, 1), kept)


def parse_colour(text: str) -> tuple[int, int, int]:
    """'#ff0000', 'ff0000', '#f00' or 'red'-style CSS names Pillow knows; ValueError otherwise."""
    from PIL import ImageColor

    value = text.strip()
    if value and all(c in "0123456789abcdefABCDEF" for c in value) and len(value) in (3, 6):
        value = "#" + value
    try:
        rgb = ImageColor.getrgb(value)
    except ValueError:
        raise ValueError(f"Not a colour: {text!r} (use #rrggbb or a colour name)") from None
    return rgb[0], rgb[1], rgb[2]


def srgb_to_lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour; Euclidean distance there is ΔE*76."""
    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return round(116 * fy - 16, 2), round(500 * (fx - fy), 2), round(200 * (fy - fz), 2)


def delta_e(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    # math.dist is the same Euclidean distance in C: a fifteenth of a generator's time, which
    # counted when an import compared each new picture's palette with its look-alikes'.
    return math.dist(a, b)
