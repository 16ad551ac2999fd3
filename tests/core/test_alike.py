"""The look-alike rule: band probes find every hash within 11 bits; palettes tell colours apart."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.alike import (
    NEAR_DUPLICATE_DE,
    TRIES,
    band_probes,
    keep_alike,
    nearest_alike,
    palette_distance,
    probe_radius,
)
from app.core.phash import bands, to_signed

hashes = st.integers(0, 2**64 - 1).map(to_signed)


@given(hashes, st.sets(st.integers(0, 63), max_size=11))
def test_every_hash_within_eleven_bits_shares_a_probed_band(value: int, flipped: set[int]) -> None:
    other = to_signed((value & (2**64 - 1)) ^ sum(1 << b for b in flipped))
    probes = band_probes(value, 11)
    assert any(band in probe for band, probe in zip(bands(other), probes, strict=True))


@given(hashes, st.integers(0, 64))
def test_probes_hold_the_own_band_and_no_more_than_radius_two(value: int, bits: int) -> None:
    probes = band_probes(value, bits)
    radius = probe_radius(bits)
    assert radius == (0 if bits <= 3 else 1 if bits <= 7 else 2)
    for band, probe in zip(bands(value), probes, strict=True):
        assert band in probe
        assert all((band ^ p).bit_count() <= radius for p in probe)
        assert len(probe) == {0: 1, 1: 17, 2: 137}[radius]


WHITE, RED, BLUE = (95.0, 0.0, 0.0), (53.24, 80.09, 67.2), (32.3, 79.19, -107.86)


def test_palettes_tell_a_recolouring_apart() -> None:
    logo = [(WHITE, 0.7), (RED, 0.3)]
    recoloured = [(WHITE, 0.7), (BLUE, 0.3)]
    assert palette_distance(logo, logo) == 0.0
    assert palette_distance(logo, recoloured) == palette_distance(recoloured, logo) > NEAR_DUPLICATE_DE
    assert palette_distance(logo, []) == 0.0  # no palette: the hash alone decides
    near = {"same": 0, "recoloured": 0, "unknown": 2}
    kept = keep_alike(near, logo, {"same": logo, "recoloured": recoloured}, 3)
    assert kept == {"same": 0, "unknown": 2}


def test_the_nearest_hash_with_a_close_palette_wins_within_the_tries() -> None:
    logo = [(WHITE, 0.7), (RED, 0.3)]
    recoloured = [(WHITE, 0.7), (BLUE, 0.3)]
    near = {"blue-0": 0, "red-2": 2, "red-1": 1}
    found = {"blue-0": recoloured, "red-2": logo, "red-1": logo}
    assert nearest_alike(near, logo, found, 10) == "red-1"
    # Past the TRIES nearest hashes, nothing is compared.
    crowd = {f"blue-{i:02d}": 0 for i in range(TRIES)}
    assert nearest_alike({**crowd, "red": 1}, logo, {**dict.fromkeys(crowd, recoloured), "red": logo}, 10) is None
