"""Opening untrusted images with Pillow behind a pixel limit, without decoding them."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PIL import GifImagePlugin, Image, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from app.core import reasons
from app.core.errors import UnreadableFile

# Pillow's own default, used if something in the process has switched the guard off
# (Image.MAX_IMAGE_PIXELS = None): the core keeps its limit whatever others do.
_FALLBACK_MAX_PIXELS: Final[int] = int(1024 * 1024 * 1024 // 4 // 3)

# The format is already known from libmagic, so only that decoder gets to see the bytes.
_OPENERS: Final[dict[str, type[ImageFile.ImageFile]]] = {
    "jpg": JpegImagePlugin.JpegImageFile,
    "png": PngImagePlugin.PngImageFile,
    "gif": GifImagePlugin.GifImageFile,
    "webp": WebPImagePlugin.WebPImageFile,
}

_ORIENTATION_TAG: Final[int] = 0x0112
# EXIF orientations 5-8 are transposes: the picture is shown with width and height swapped.
_SWAPPING_ORIENTATIONS: Final[frozenset[int]] = frozenset({5, 6, 7, 8})


def max_pixels() -> int:
    """The largest width x height the core agrees to decode."""
    return Image.MAX_IMAGE_PIXELS or _FALLBACK_MAX_PIXELS


def open_image(path: Path, format: str) -> ImageFile.ImageFile:
    """Read an image's header (no pixels); raise UnreadableFile if it is broken or too big.

    The caller closes the returned image.
    """
    opener = _OPENERS.get(format)
    if opener is None:
        raise UnreadableFile(f"Unsupported image format: {format}")
    try:
        # Calling the plugin directly skips Image.open's bomb check, which only warns up
        # to twice the limit and reports no dimensions; the stricter check below does both.
        im = opener(str(path))
    except Exception as exc:  # Pillow raises many types on malformed headers
        raise UnreadableFile(f"Cannot read image: {describe(exc)}") from None
    width, height = im.size
    if width <= 0 or height <= 0:
        im.close()
        raise UnreadableFile(f"Image has no pixels ({width}x{height})")
    if width * height > max_pixels():
        im.close()
        raise UnreadableFile(
            f"Image is too large to process safely ({width}x{height} pixels)"
        )
    return im


def orientation(im: Image.Image) -> int:
    """The EXIF orientation (1-8), 1 when absent or nonsense."""
    try:
        value = im.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block must not sink an otherwise fine picture
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def displayed_size(im: Image.Image) -> tuple[int, int]:
    """Width and height as the picture is shown, i.e. after its EXIF orientation."""
    width, height = im.size
    if orientation(im) in _SWAPPING_ORIENTATIONS:
        return height, width
    return width, height


def describe(exc: BaseException) -> str:
    """Atelier's one-line reason for a parser's exception (its own text goes to the log)."""
    return reasons.explain(str(exc) or type(exc).__name__, type(exc).__module__.split(".")[0])
