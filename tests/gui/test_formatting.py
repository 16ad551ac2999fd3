"""How the window writes numbers and lengths."""

from __future__ import annotations

from app.gui import formatting


def test_counts_fit_a_pill() -> None:
    assert [formatting.compact_count(n) for n in (0, 950, 9_999, 25_000, 999_999)] == [
        "0", "950", "9,999", "25K", "999K",
    ]  # fmt: skip
    assert [formatting.compact_count(n) for n in (1_000_000, 1_250_000, 12_400_000)] == ["1M", "1.2M", "12M"]


def test_durations_sizes_and_pages() -> None:
    assert [formatting.duration(s) for s in (0, 3, 61, 3600 + 62)] == ["0:00", "0:03", "1:01", "1:01:02"]
    assert formatting.human_size(512) == "512 bytes"
    assert formatting.human_size(58_000) == "56.6 KB"
    assert formatting.pages(1) == "1 page" and formatting.pages(4) == "4 pages"
