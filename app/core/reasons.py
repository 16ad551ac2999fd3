"""Atelier's own one-line reasons for what ffmpeg, Pillow, pypdf and PDFium say about a bad file."""

from __future__ import annotations

import logging
import re
from typing import Final

log = logging.getLogger("atelier.media")

PASSWORD: Final[str] = "it is protected by a password"
TOO_LARGE: Final[str] = "it is too large to process safely"
TRUNCATED: Final[str] = "the file is truncated"
DAMAGED: Final[str] = "the file is damaged or incomplete"

# First match wins. The decoders' wording is theirs (and changes between versions); the
# user sees only these, and the log keeps the original line for whoever debugs it.
_TABLE: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern, re.IGNORECASE), reason)
    for pattern, reason in (
        (r"password|not been decrypted|encrypt", PASSWORD),
        (r"decompression bomb|exceeds limit of \d+ pixels", TOO_LARGE),
        (r"truncat|end of (the )?(file|stream|data)|\beof\b|premature end", TRUNCATED),
        (r"no (video|audio) stream|does not contain any stream|matches no streams", "it has no playable stream"),
        (r"codec not (currently )?supported|unsupported codec|decoder .* not found", "its codec is not supported"),
    )
)


def explain(detail: str, source: str = "decoder") -> str:
    """The Atelier reason for a decoder's message; the message itself goes to the log."""
    detail = " ".join(detail.split())
    log.info("%s said: %s", source, detail or "(nothing)")
    for pattern, reason in _TABLE:
        if pattern.search(detail):
            return reason
    return DAMAGED
