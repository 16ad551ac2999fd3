"""Domain errors raised by the core; their text is the one-line reason a user sees."""

from __future__ import annotations

from typing import Any


class AtelierError(Exception):
    """Base of every error Atelier reports to a user; str(error) is the reason."""


class RejectedFile(AtelierError):
    """A file that cannot become an asset."""


class InvalidFileType(RejectedFile):
    """The bytes are not one of the whitelisted formats."""

    def __init__(self, mime: str) -> None:
        super().__init__(
            f"Invalid file type: {mime}. Allowed: images (jpg, png, gif, webp), "
            "videos (mp4, mov), audio (mp3, wav), documents (pdf)"
        )
        self.mime = mime

    # Exceptions pickle as (class, args), and args holds the message, not the mime; process
    # pools (ingest_path) need them to round-trip.
    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.mime,))


class FileTooLarge(RejectedFile):
    """The file is over the configured size limit."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"File too large. Maximum size is {max_bytes / 1024 / 1024:.1f}MB")
        self.max_bytes = max_bytes

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.max_bytes,))


class EmptyFile(RejectedFile):
    """Zero bytes."""

    def __init__(self) -> None:
        super().__init__("File is empty")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), ())


class UnreadableFile(RejectedFile):
    """The bytes look like an allowed format but cannot be parsed."""
