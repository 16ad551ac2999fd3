"""Turning a user's file name into a safe display name."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

FALLBACK_NAME: Final[str] = "untitled"
# An extension longer than this is more likely part of the name than a real suffix.
_MAX_EXT_LEN: Final[int] = 16
_SEPARATORS: Final[re.Pattern[str]] = re.compile(r"[/\\]")
_EDGES: Final[re.Pattern[str]] = re.compile(r"^[\s.]+|[\s.]+$")
# Bidi overrides and isolates can make "photo\u202egpj.exe" display as "photoexe.jpg".
_BIDI_CONTROLS: Final[frozenset[str]] = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def safe_display_name(name: str, max_len: int = 255) -> str:
    """Return name's last path component, cleaned for display; never empty."""
    if max_len < 1:
        raise ValueError("max_len must be at least 1")
    cleaned = "".join(_clean_char(c) for c in unicodedata.normalize("NFC", name))
    # The last non-empty component wins, so "photos/" names the folder, not nothing.
    component = ""
    for part in reversed(_SEPARATORS.split(cleaned)):
        component = _strip_edges(part)
        if component:
            break
    if not component:
        return FALLBACK_NAME[:max_len]
    return _trim(component, max_len) or FALLBACK_NAME[:max_len]


def _clean_char(c: str) -> str:
    category = unicodedata.category(c)
    # Cc: NUL, newlines, escapes; Cs: lone surrogates from undecodable OS names, which
    # cannot be stored as UTF-8; Zl/Zp: line breaks in disguise.
    if category in ("Cc", "Cs", "Zl", "Zp") or c in _BIDI_CONTROLS:
        return "_"
    return c


def _strip_edges(text: str) -> str:
    return _EDGES.sub("", text)


def _trim(name: str, max_len: int) -> str:
    if len(name) <= max_len:
        return name
    stem, dot, ext = name.rpartition(".")
    suffix = dot + ext
    if stem and 0 < len(ext) <= _MAX_EXT_LEN and len(suffix) < max_len:
        short_stem = _strip_edges(_cut(stem, max_len - len(suffix)))
        if short_stem:
            return short_stem + suffix
    return _strip_edges(_cut(name, max_len))


def _cut(text: str, length: int) -> str:
    # Never split a letter from the marks that follow it (accents, Indic vowel signs,
    # emoji variation selectors): drop the whole cluster instead.
    while 0 < length < len(text) and unicodedata.category(text[length]).startswith("M"):
        length -= 1
    return text[:length]


def has_control_characters(text: str, *, lines: bool = False) -> bool:
    """Whether text holds NUL, escapes or lone surrogates (PostgreSQL stores neither NUL nor
    surrogates; nobody types them). With lines, newlines and tabs are allowed (a comment)."""
    allowed = "\n\r\t" if lines else ""
    return any(unicodedata.category(c) in ("Cc", "Cs") and c not in allowed for c in text)
