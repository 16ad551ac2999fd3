"""The whitelist of formats, decided from a file's bytes."""

from __future__ import annotations

from typing import Final, Literal

from app.core.errors import InvalidFileType

AssetType = Literal["image", "video", "audio", "document"]
ASSET_TYPES: Final[tuple[AssetType, ...]] = ("image", "video", "audio", "document")

DEFAULT_MAX_BYTES: Final[int] = 50 * 1024 * 1024

# libmagic's names for each allowed format; several spellings exist across libmagic versions.
_MIME_TABLE: Final[dict[str, tuple[AssetType, str]]] = {
    "image/jpeg": ("image", "jpg"),
    "image/pjpeg": ("image", "jpg"),
    "image/png": ("image", "png"),
    "image/gif": ("image", "gif"),
    "image/webp": ("image", "webp"),
    "video/mp4": ("video", "mp4"),
    "video/quicktime": ("video", "mov"),
    "audio/mpeg": ("audio", "mp3"),
    "audio/mp3": ("audio", "mp3"),
    "audio/x-wav": ("audio", "wav"),
    "audio/wav": ("audio", "wav"),
    "audio/vnd.wave": ("audio", "wav"),
    "application/pdf": ("document", "pdf"),
}

FORMAT_MIME: Final[dict[str, str]] = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pdf": "application/pdf",
}
FORMATS: Final[frozenset[str]] = frozenset(FORMAT_MIME)


def classify(mime: str) -> tuple[AssetType, str]:
    """Return (asset type, format) for a detected MIME type, or raise InvalidFileType."""
    try:
        return _MIME_TABLE[mime.lower()]
    except KeyError:
        raise InvalidFileType(mime) from None
