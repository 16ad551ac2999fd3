"""How the window writes sizes, durations, dates and one-line summaries of an asset."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from app.core.units import human_duration, human_size
from app.library.records import AssetRecord

TYPE_LABELS = {"image": "Image", "video": "Video", "audio": "Audio", "document": "Document"}
PLURAL_LABELS = {"image": "Images", "video": "Videos", "audio": "Audio", "document": "Documents"}
PURPOSE_LABELS = {None: "None", "face": "Face", "template": "Template"}


def compact_count(n: int) -> str:
    """Counts for tight places: 950, 9,500, 25K, 1.2M."""
    if n < 10_000:
        return f"{n:,}"
    if n < 1_000_000:
        return f"{n // 1000}K"
    millions = n / 1_000_000
    return f"{millions:.0f}M" if millions >= 10 or millions == int(millions) else f"{millions:.1f}M"


def duration(seconds: int | None) -> str:
    return human_duration(seconds)


def import_notice(paths: list[Path], where: str) -> str:
    """'Importing 3 files into X', 'Importing 1 folder and 2 files into X': what was given."""
    folders = sum(1 for p in paths if p.is_dir())
    files = len(paths) - folders
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((folders, "folder"), (files, "file")) if n]
    return f"Importing {' and '.join(parts) or 'nothing'} into {where}"


def pages(count: int | None) -> str:
    if count is None:
        return "—"
    return "1 page" if count == 1 else f"{count} pages"


def dimensions(record: AssetRecord) -> str:
    if record.width and record.height:
        return f"{record.width} × {record.height}"
    return "—"


def when(moment: datetime) -> str:
    """Local time, the way a person reads it: 12 Mar 2025, 14:05."""
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"


def tile_caption(record: AssetRecord) -> str:
    """The second line under a thumbnail."""
    if record.asset_type in ("image", "video") and record.width and record.height:
        lead = f"{record.width} × {record.height}"
    elif record.asset_type == "document":
        lead = pages(record.page_count)
    else:
        lead = TYPE_LABELS.get(record.asset_type, record.asset_type)
    return f"{lead}  ·  {human_size(record.size)}"


def corner_badge(record: AssetRecord) -> str | None:
    """Duration for time-based media, page count for documents, nothing for images."""
    if record.asset_type in ("video", "audio") and record.duration is not None:
        return duration(record.duration)
    if record.asset_type == "document" and record.page_count is not None:
        return f"{record.page_count} p" if record.page_count != 1 else "1 p"
    return None
