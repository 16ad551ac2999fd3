"""Finding the MPEG audio behind ID3v2 tags, where libmagic only describes the tag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

# libmagic looks for the first MPEG frame exactly where the tag's size says it ends; a
# footer, padding after the tag or a tag bigger than the sniffed bytes hide it, and the
# MIME is then application/octet-stream although ffmpeg plays the file.
HEADER: Final[int] = 10
# How far after the tag(s) the first frame may start (padding, junk a tagger left).
SEARCH: Final[int] = 16 * 1024
# Bytes of audio libmagic is shown once a frame sync is found.
AUDIO_SNIFF: Final[int] = 8 * 1024
# Tags bigger than this (cover art is rarely over a few MB) are not waited for.
MAX_TAGS: Final[int] = 16 * 1024 * 1024
_MAX_TRIES: Final[int] = 32


def tags_end(head: bytes) -> int | None:
    """Where the ID3v2 tag(s) at the start of head end, or None if head does not start with one."""
    pos = 0
    while len(head) >= pos + HEADER and head[pos : pos + 3] == b"ID3":
        major, revision, flags = head[pos + 3], head[pos + 4], head[pos + 5]
        size_bytes = head[pos + 6 : pos + 10]
        if not 2 <= major <= 4 or revision == 0xFF or any(b & 0x80 for b in size_bytes):
            break
        size = 0
        for b in size_bytes:
            size = (size << 7) | b
        footer = HEADER if major == 4 and flags & 0x10 else 0
        pos += HEADER + size + footer
    return pos or None


def bytes_needed(head: bytes) -> int:
    """How many bytes of the file decide whether MPEG audio follows its tags (0: no tags)."""
    end = tags_end(head)
    if end is None or end > MAX_TAGS:
        return 0
    return end + SEARCH + AUDIO_SNIFF


def audio_after_tags(head: bytes, mime_of: Callable[[bytes], str]) -> bool:
    """True when an MPEG audio frame that libmagic (mime_of) recognises follows the tags."""
    end = tags_end(head)
    if end is None:
        return False
    tries = 0
    pos = end
    limit = min(len(head) - 4, end + SEARCH)
    while pos < limit and tries < _MAX_TRIES:
        pos = head.find(b"\xff", pos, limit)
        if pos < 0:
            return False
        if _frame_header(head[pos : pos + 4]):
            tries += 1
            if mime_of(head[pos : pos + AUDIO_SNIFF]) == "audio/mpeg":
                return True
        pos += 1
    return False


def _frame_header(b: bytes) -> bool:
    # 11 sync bits, a real version and layer, a bitrate other than free/bad, a real rate.
    return (
        len(b) == 4
        and b[1] & 0xE0 == 0xE0
        and (b[1] >> 3) & 3 != 1
        and (b[1] >> 1) & 3 != 0
        and b[2] >> 4 not in (0, 15)
        and (b[2] >> 2) & 3 != 3
    )
