"""Metadata of a staged file: dimensions, duration, page count."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core import avmeta, avtools, pdfium_lock, reasons
from app.core.errors import RejectedFile, UnreadableFile
from app.core.exif import image_metadata
from app.core.formats import AssetType
from app.core.images import describe, displayed_size, open_image


@dataclass(frozen=True)
class MediaInfo:
    """What the library stores about a file beyond its bytes."""

    asset_type: AssetType
    format: str
    mime: str
    width: int | None = None  # images and videos, as displayed (after rotation)
    height: int | None = None
    duration: int | None = None  # videos and audio, whole seconds
    page_count: int | None = None  # documents
    # Designer metadata (EXIF/IPTC/XMP, codecs, PDF info): see app.core.exif and avmeta.
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def probe(
    path: Path, asset_type: AssetType, format: str, mime: str, timeout: float = 30.0
) -> MediaInfo:
    """Read path's metadata; raise UnreadableFile with a one-line reason if it cannot."""
    extra: dict[str, Any] = {}
    if asset_type == "image":
        width, height = _image_size(path, format, extra)
        return MediaInfo(asset_type, format, mime, width=width, height=height, extra=extra)
    if asset_type == "video":
        width, height, duration = _video_info(path, format, timeout, extra)
        return MediaInfo(
            asset_type, format, mime, width=width, height=height, duration=duration, extra=extra
        )
    if asset_type == "audio":
        duration = _audio_duration(path, format, timeout, extra)
        return MediaInfo(asset_type, format, mime, duration=duration, extra=extra)
    if asset_type == "document":
        pages = _pdf_page_count(path, extra)
        return MediaInfo(asset_type, format, mime, page_count=pages, extra=extra)
    raise UnreadableFile(f"Unsupported asset type: {asset_type}")


def whole_seconds(seconds: float) -> int:
    """Round half up, but never report 0 for something that plays at all."""
    if not math.isfinite(seconds) or seconds <= 0:
        return 0
    return max(1, math.floor(seconds + 0.5))


def _image_size(path: Path, format: str, extra: dict[str, Any]) -> tuple[int, int]:
    # Only the header is read here; a truncated body is caught when the thumbnail decodes it.
    # Orientations 5-8 report the rotated size, so that width and height describe the
    # picture a person sees (and its thumbnail), not the sensor's raw layout.
    with open_image(path, format) as im:
        extra.update(image_metadata(im))  # header blocks only, no pixels
        return displayed_size(im)


def _video_info(
    path: Path, format: str, timeout: float, extra: dict[str, Any]
) -> tuple[int, int, int]:
    data = _ffprobe(path, format, timeout, "video")
    extra.update(avmeta.from_ffprobe(data, "video"))
    video = _first_stream(data, "video")
    if video is None:
        raise UnreadableFile("Video has no readable video stream")
    width, height = _int(video.get("width")), _int(video.get("height"))
    if not width or not height or width <= 0 or height <= 0:
        raise UnreadableFile("Video has no readable video stream")
    # Phones store portrait clips as landscape plus a rotation; ffmpeg applies it when it
    # decodes the thumbnail, so the reported size follows it too.
    if abs(_rotation(video)) % 180 == 90:
        width, height = height, width
    duration = whole_seconds(_duration(video, data))
    if duration <= 0:
        raise UnreadableFile("Cannot determine the video's duration")
    return width, height, duration


def _audio_duration(path: Path, format: str, timeout: float, extra: dict[str, Any]) -> int:
    data = _ffprobe(path, format, timeout, "audio")
    extra.update(avmeta.from_ffprobe(data, "audio"))
    audio = _first_stream(data, "audio")
    if audio is None:
        raise UnreadableFile("Audio has no readable audio stream")
    seconds = _played_seconds(audio) if format in avtools.COUNTED_FORMATS else None
    duration = whole_seconds(seconds if seconds else _duration(audio, data))
    if duration <= 0:
        raise UnreadableFile("Cannot determine the audio's duration")
    return duration


def _played_seconds(stream: dict[str, Any]) -> float | None:
    # MPEG audio frames hold a fixed number of samples: 1152 for layer II and for layer III
    # at MPEG-1 rates (32 kHz and up), 576 for layer III at MPEG-2/2.5 rates, 384 for layer I.
    packets, rate = _int(stream.get("nb_read_packets")), _int(stream.get("sample_rate"))
    if not packets or not rate or packets <= 0 or rate <= 0:
        return None
    codec = stream.get("codec_name")
    per_frame = 384 if codec == "mp1" else 576 if codec == "mp3" and rate < 32000 else 1152
    return packets * per_frame / rate


def _ffprobe(path: Path, format: str, timeout: float, kind: str) -> dict[str, Any]:
    try:
        return avtools.run_ffprobe(path, format, timeout)
    except UnreadableFile as exc:
        raise UnreadableFile(f"Cannot read {kind}: {exc}") from None


def _first_stream(data: dict[str, Any], codec_type: str) -> dict[str, Any] | None:
    streams = data.get("streams")
    if not isinstance(streams, list):
        return None
    for stream in streams:
        if not isinstance(stream, dict) or stream.get("codec_type") != codec_type:
            continue
        disposition = stream.get("disposition")
        # Cover art inside an audio file shows up as a one-frame "video" stream.
        if isinstance(disposition, dict) and disposition.get("attached_pic") == 1:
            continue
        return stream
    return None


def _duration(stream: dict[str, Any], data: dict[str, Any]) -> float:
    # The stream's own duration is what plays; the container's may include other tracks.
    fmt = data.get("format")
    container = fmt.get("duration") if isinstance(fmt, dict) else None
    for value in (stream.get("duration"), container):
        seconds = _float(value)
        if seconds is not None and seconds > 0:
            return seconds
    return 0.0


def _rotation(stream: dict[str, Any]) -> int:
    for side_data in stream.get("side_data_list") or []:
        if isinstance(side_data, dict) and "rotation" in side_data:
            return _int(side_data["rotation"]) or 0
    tags = stream.get("tags")
    if isinstance(tags, dict):
        return _int(tags.get("rotate")) or 0
    return 0


def _int(value: object) -> int | None:
    number = _float(value)
    return int(number) if number is not None else None


def _float(value: object) -> float | None:
    if not isinstance(value, (int, float, str)):
        return None
    try:
        result = float(value)
    except ValueError:
        return None
    return result if math.isfinite(result) else None


def _pdf_page_count(path: Path, extra: dict[str, Any] | None = None) -> int:
    # Imported here: pypdf takes a tenth of a second to import, paid by every import
    # worker at start, and most imports hold no PDF.
    import pypdf

    try:
        reader = pypdf.PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile(f"Cannot read PDF: {reasons.PASSWORD}")
        count = len(reader.pages)
        if extra is not None and count:
            extra.update(avmeta.from_pdf(reader))
    except RejectedFile:
        raise
    except pypdf.errors.DependencyError:
        # AES decryption needs a crypto package pypdf does not bundle; PDFium has its own.
        count = _pdfium_page_count(path)
    except Exception as exc:  # pypdf raises many types on malformed files
        raise UnreadableFile(f"Cannot read PDF: {describe(exc)}") from None
    if count < 1:
        raise UnreadableFile("Cannot read PDF: it has no pages")
    return count


def _pdfium_page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    try:
        with pdfium_lock.LOCK:
            pdf = pdfium.PdfDocument(path)
            try:
                return len(pdf)
            finally:
                pdf.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableFile(f"Cannot read PDF: {describe(exc)}") from None
