"""safe_display_name(): what a user's file name becomes on screen and in the library."""

from __future__ import annotations

import unicodedata

import pytest

from app.core.names import safe_display_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("holiday.jpg", "holiday.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\Desktop\\logo.png", "logo.png"),
        ("photos/", "photos"),
        ("\x07bell\x1b.jpg", "_bell_.jpg"),
        ("nul\x00byte.png", "nul_byte.png"),
        ("two\nlines.pdf", "two_lines.pdf"),
        ("  ..hidden..  ", "hidden"),
        ("   ", "untitled"),
        ("", "untitled"),
        ("../..", "untitled"),
        ("/", "untitled"),
        ("Café – Ünïcødé 日本.jpg", "Café – Ünïcødé 日本.jpg"),
        ("Cafe\u0301.jpg", "Caf\u00e9.jpg"),
        ("photo\u202egpj.exe", "photo_gpj.exe"),
        ("bad\udc80name.jpg", "bad_name.jpg"),
        ("emoji 👩\u200d🎨.png", "emoji 👩\u200d🎨.png"),
    ],
)
def test_cases(name: str, shown: str) -> None:
    assert safe_display_name(name) == shown


def test_long_name_keeps_its_extension() -> None:
    name = "é" * 1000 + ".jpeg"
    shown = safe_display_name(name)
    assert len(shown) == 255 and shown.endswith(".jpeg") and shown.startswith("é")


def test_custom_limit_and_tiny_limits() -> None:
    assert safe_display_name("abcdefghij.png", max_len=8) == "abcd.png"
    assert safe_display_name("abcdefghij.png", max_len=4) == "abcd"
    assert safe_display_name("x", max_len=1) == "x"
    assert safe_display_name("", max_len=3) == "unt"
    with pytest.raises(ValueError):
        safe_display_name("x", max_len=0)


def test_cut_does_not_strand_combining_marks() -> None:
    # Devanagari has no precomposed forms, so NFC leaves base + mark pairs.
    name = "कि" * 10 + ".pdf"
    shown = safe_display_name(name, max_len=9)
    assert shown.endswith(".pdf")
    assert not unicodedata.category(shown[0]).startswith("M")
    stem = shown[: -len(".pdf")]
    assert len(stem) % 2 == 0  # whole pairs only


def test_extension_that_is_really_part_of_the_name() -> None:
    shown = safe_display_name("notes." + "x" * 300, max_len=20)
    assert shown == "notes." + "x" * 14


def test_result_is_always_nfc_and_clean() -> None:
    nasty = "".join(chr(c) for c in range(0, 0x80)) + "e\u0301" * 5
    shown = safe_display_name(nasty * 5)
    assert shown == unicodedata.normalize("NFC", shown)
    assert all(unicodedata.category(c) != "Cc" for c in shown)
    assert "/" not in shown and "\\" not in shown and 0 < len(shown) <= 255
