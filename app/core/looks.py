"""What an asset looks like, from its thumbnail: palette and perceptual hash (images, video posters)."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

from app.core.palette import Swatch, palette
from app.core.phash import dhash

# Audio waveforms and PDF first pages are drawings Atelier made or mostly white paper:
# a palette of them finds nothing a designer searches for by colour.
LOOKED_AT = frozenset({"image", "video"})


@dataclass(frozen=True, slots=True)
class Looks:
    swatches: list[Swatch] = field(default_factory=list)
    phash: int | None = None


def looks(picture: Image.Image, asset_type: str) -> Looks:
    """Palette and hash of a thumbnail picture; an empty Looks for types that have none."""
    if asset_type not in LOOKED_AT:
        return Looks()
    return Looks(palette(picture), dhash(picture))
