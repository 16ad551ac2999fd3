"""When two pictures look alike: hashes within so many bits, palettes close, and the band probes that find them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Final

from app.core.palette import delta_e
from app.core.phash import BANDS, NEAR_DUPLICATE, bands

# A palette as stored: (CIELAB, share) per swatch.
Palette = Sequence[tuple[tuple[float, float, float], float]]

# The hash is grey gradients only: a flat red and a flat blue picture hash the same (0 bits
# apart), and so do a poster and its recolouring. Two pictures look alike only when their
# palettes are close as well. Measured on 30 generated photos: a resized and recompressed
# copy is within ΔE 8 of its original, a copy cropped by up to 5 % a side within ΔE 17, a
# greyscale copy 31 to 75 away, unrelated photos 34 to 49, a flat red and blue 149.
NEAR_DUPLICATE_DE: Final[float] = 20.0
SIMILAR_DE: Final[float] = 40.0
# Largest radius a band is probed within: every hash within 4 * 2 + 3 = 11 bits of another
# shares a band within 2 bits of it (4 bands, so one differs by at most a quarter). Radius 2
# is 137 values a band, under a millisecond of index probes on 100,000 hashes; radius 3 is
# 697 and eight times the time.
_MAX_RADIUS: Final[int] = 2
_FLIPS: Final[list[list[int]]] = [
    [sum(1 << b for b in bits) for n in range(r + 1) for bits in combinations(range(16), n)]
    for r in range(_MAX_RADIUS + 1)
]


def probe_radius(bits: int) -> int:
    """Bits each band is probed within so that every hash within `bits` shares a probed value."""
    return min(_MAX_RADIUS, max(0, -(-(bits - (BANDS - 1)) // BANDS)))


def flips(bits: int) -> list[int]:
    """The masks a band is XORed with to probe it for a search of `bits` (each distinct)."""
    return _FLIPS[probe_radius(bits)]


def band_probes(value: int, bits: int) -> list[list[int]]:
    """Per band, the values a hash within `bits` of value may hold in it (all, up to 11 bits)."""
    masks = flips(bits)
    return [[band ^ f for f in masks] for band in bands(value)]


def palette_distance(p: Palette, q: Palette) -> float:
    """How far apart two palettes are (ΔE): each swatch to the other's nearest, by share, the worse way.

    0.0 when either is empty (a picture with no palette is judged by its hash alone).
    """
    if not p or not q:
        return 0.0

    def one_way(a: Palette, b: Palette) -> float:
        total = sum(share for _, share in a) or 1.0
        return sum(share * min(delta_e(lab, other) for other, _ in b) for lab, share in a) / total

    return max(one_way(p, q), one_way(q, p))


def palette_limit(bits: int) -> float:
    """The palette distance two pictures may have at a search of `bits`."""
    return NEAR_DUPLICATE_DE if bits <= NEAR_DUPLICATE else SIMILAR_DE


def keep_alike(near: dict[str, int], own: Palette, palettes: dict[str, Palette], bits: int) -> dict[str, int]:
    """The candidates (id -> bits) whose palette is close enough to own's for a search of `bits`."""
    limit = palette_limit(bits)
    return {i: d for i, d in near.items() if palette_distance(own, palettes.get(i, ())) <= limit}


# Palettes an import compares for one picture, nearest hash first. Gradient photos of a few
# shapes in many tints (the bench's 200) share hashes by the dozen; comparing every earlier
# one's palette took 0.5 s of CPU in the import's main process, which the workers wait on.
TRIES: Final[int] = 8


def nearest_first(near: Mapping[str, int], most: int | None = None) -> list[str]:
    """Candidate ids (id -> bits) by fewest differing bits, then id; at most `most` of them."""
    return sorted(near, key=lambda i: (near[i], i))[:most]


def nearest_alike(near: dict[str, int], own: Palette, palettes: dict[str, Palette], bits: int) -> str | None:
    """Of the TRIES candidates nearest_first, the first whose palette is close enough;
    None when none of them is."""
    limit = palette_limit(bits)
    for other in nearest_first(near, TRIES):
        if palette_distance(own, palettes.get(other, ())) <= limit:
            return other
    return None
