"""Designer metadata of videos, audio and PDFs, from the ffprobe answer and pypdf reader probe has."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

Meta = dict[str, Any]


def from_ffprobe(data: dict[str, Any], kind: str) -> Meta:
    """Codec, bitrate, frame rate, sample rate, channels, creation time and encoder."""
    streams = [s for s in data.get("streams") or [] if isinstance(s, dict)]
    raw_fmt = data.get("format")
    fmt: dict[str, Any] = raw_fmt if isinstance(raw_fmt, dict) else {}
    raw_tags = fmt.get("tags")
    tags: dict[str, Any] = raw_tags if isinstance(raw_tags, dict) else {}
    main = next((s for s in streams if s.get("codec_type") == kind), {})
    audio = next((s for s in streams if s.get("codec_type") == "audio"), {})
    meta: Meta = {
        "codec": _text(main.get("codec_name")),
        "bitrate": _int(fmt.get("bit_rate")) or _int(main.get("bit_rate")),
        "encoder": _text(_tag(tags, "encoder")) or _text(_tag(main.get("tags"), "encoder")),
        "created_at": _date(_tag(tags, "creation_time") or _tag(main.get("tags"), "creation_time")),
    }
    if kind == "video":
        meta["frame_rate"] = _rate(main.get("avg_frame_rate")) or _rate(main.get("r_frame_rate"))
        if audio:
            meta["audio_codec"] = _text(audio.get("codec_name"))
    if audio:
        meta["sample_rate"] = _int(audio.get("sample_rate"))
        meta["channels"] = _int(audio.get("channels"))
    for key in ("title", "artist", "copyright", "comment"):
        value = _text(_tag(tags, key))
        if value:
            meta[{"artist": "creator", "copyright": "rights", "comment": "description"}.get(key, key)] = value
    return {k: v for k, v in meta.items() if v not in (None, "")}


def from_pdf(reader: Any) -> Meta:
    """Title, author, producer, creation date and the first page's size in points."""
    meta: Meta = {}
    try:
        info = reader.metadata or {}
        meta["title"] = _text(info.get("/Title"))
        meta["creator"] = _text(info.get("/Author"))
        meta["producer"] = _text(info.get("/Producer"))
        meta["created_at"] = _pdf_date(info.get("/CreationDate"))
        keywords = _text(info.get("/Keywords"))
        if keywords:
            meta["keywords"] = [k for k in (w.strip() for w in re.split(r"[,;]", keywords)) if k][:200]
    except Exception:  # a broken Info dictionary loses the text, not the document
        pass
    try:
        box = reader.pages[0].mediabox
        meta["page_width"] = round(float(box.width), 1)
        meta["page_height"] = round(float(box.height), 1)
    except Exception:
        pass
    return {k: v for k, v in meta.items() if v not in (None, "", [])}


def _tag(tags: object, key: str) -> object:
    if not isinstance(tags, dict):
        return None
    for k, v in tags.items():
        if str(k).lower() == key:
            return v
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())[:2000]
    return text or None


def _int(value: object) -> int | None:
    try:
        number = int(float(str(value)))
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number > 0 else None


def _rate(value: object) -> float | None:
    text = str(value or "")
    try:
        if "/" in text:
            num, den = (float(x) for x in text.split("/", 1))
            return round(num / den, 3) if den and num > 0 else None
        number = float(text)
    except (TypeError, ValueError):
        return None
    return round(number, 3) if number > 0 else None


def _date(value: object) -> str | None:
    text = _text(value)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


_PDF_DATE = re.compile(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?")


def _pdf_date(value: object) -> str | None:
    match = _PDF_DATE.match(str(value or ""))
    if not match:
        return None
    parts = [int(p) if p else d for p, d in zip(match.groups(), (0, 1, 1, 0, 0, 0))]
    try:
        return datetime(*parts).isoformat()  # type: ignore[arg-type]
    except ValueError:
        return None
