"""Designer metadata of an image, read from its header: EXIF, IPTC, XMP, ICC name, colour mode."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from fractions import Fraction
from typing import Any, Final

from PIL import Image, IptcImagePlugin

Meta = dict[str, Any]

_EXIF_IFD: Final[int] = 0x8769
_GPS_IFD: Final[int] = 0x8825
_MAKE, _MODEL, _DATETIME = 0x010F, 0x0110, 0x0132
_ARTIST, _COPYRIGHT, _DESCRIPTION = 0x013B, 0x8298, 0x010E
_EXPOSURE, _FNUMBER, _ISO, _FOCAL = 0x829A, 0x829D, 0x8827, 0x920A
_TAKEN, _LENS = 0x9003, 0xA434

# IPTC-IIM record 2 datasets (the "Application Record" Photoshop and Bridge write).
_IPTC: Final[dict[tuple[int, int], str]] = {
    (2, 80): "creator",
    (2, 116): "rights",
    (2, 110): "credit",
    (2, 105): "headline",
    (2, 120): "description",
}
_IPTC_KEYWORDS: Final[tuple[int, int]] = (2, 25)

_NS: Final[dict[str, str]] = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
}
_XMP: Final[tuple[tuple[str, str], ...]] = (
    ("creator", "dc:creator"),
    ("rights", "dc:rights"),
    ("credit", "photoshop:Credit"),
    ("headline", "photoshop:Headline"),
    ("description", "dc:description"),
)
_MAX_TEXT: Final[int] = 2000
_MAX_KEYWORDS: Final[int] = 200
# An XMP packet larger than this is not a designer's caption; it is not parsed.
_MAX_XMP: Final[int] = 1 << 20


def image_metadata(im: Image.Image) -> Meta:
    """What an opened (not decoded) image says about itself; unreadable parts are skipped.

    XMP wins over IPTC, which wins over plain EXIF, as in Bridge: the newest standard is
    the one editors keep up to date.
    """
    meta: Meta = {"color_mode": im.mode}
    _exif(im, meta)
    for reader in (_iptc, _xmp):
        try:
            reader(im, meta)
        except Exception:  # a malformed block loses that block, never the import
            continue
    icc = im.info.get("icc_profile")
    if icc:
        name = icc_name(icc)
        if name:
            meta["icc"] = name
    return {k: v for k, v in meta.items() if v not in (None, "", [])}


def icc_name(profile: bytes) -> str | None:
    """The profile's description ('sRGB IEC61966-2.1', 'Adobe RGB (1998)'), or None."""
    try:
        from PIL import ImageCms

        desc = ImageCms.ImageCmsProfile(io.BytesIO(profile)).profile.profile_description
    except Exception:
        return None
    return _clean(desc)


def _exif(im: Image.Image, meta: Meta) -> None:
    try:
        exif = im.getexif()
        sub = exif.get_ifd(_EXIF_IFD)
        gps = exif.get_ifd(_GPS_IFD)
    except Exception:
        return
    make, model = _clean(exif.get(_MAKE)), _clean(exif.get(_MODEL))
    if model and make and not model.lower().startswith(make.lower().split()[0]):
        meta["camera"] = f"{make} {model}"
    else:
        meta["camera"] = model or make
    meta["lens"] = _clean(sub.get(_LENS))
    meta["taken_at"] = _exif_date(sub.get(_TAKEN) or exif.get(_DATETIME))
    meta["exposure"] = _exposure(sub)
    meta["creator"] = _clean(exif.get(_ARTIST))
    meta["rights"] = _clean(exif.get(_COPYRIGHT))
    meta["description"] = _clean(exif.get(_DESCRIPTION))
    if gps:
        lat = _degrees(gps.get(2), gps.get(1), "S")
        lon = _degrees(gps.get(4), gps.get(3), "W")
        if lat is not None and lon is not None:
            meta["gps"] = True
            meta["gps_lat"], meta["gps_lon"] = lat, lon


def _exposure(sub: Any) -> str | None:
    parts: list[str] = []
    t = _number(sub.get(_EXPOSURE))
    if t:
        parts.append(f"1/{round(1 / t)} s" if t < 1 else f"{t:g} s")
    f = _number(sub.get(_FNUMBER))
    if f:
        parts.append(f"f/{f:g}")
    iso = sub.get(_ISO)
    if isinstance(iso, tuple):
        iso = iso[0] if iso else None
    if isinstance(iso, int) and iso > 0:
        parts.append(f"ISO {iso}")
    focal = _number(sub.get(_FOCAL))
    if focal:
        parts.append(f"{focal:g} mm")
    return " ".join(parts) or None


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if number > 0 and number == number and number != float("inf") else None


def _degrees(value: object, ref: object, negative: str) -> float | None:
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    try:
        d, m, s = (float(Fraction(str(float(v)))) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if isinstance(ref, str) and ref.strip().upper() == negative:
        result = -result
    limit = 90 if negative == "S" else 180
    return round(result, 6) if -limit <= result <= limit else None


def _exif_date(value: object) -> str | None:
    text = _clean(value)
    if not text:
        return None
    try:
        return datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None


def _iptc(im: Image.Image, meta: Meta) -> None:
    info = IptcImagePlugin.getiptcinfo(im)  # type: ignore[arg-type]
    if not info:
        return
    for key, name in _IPTC.items():
        value = info.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        text = _clean(value)
        if text:
            meta[name] = text
    keywords = info.get(_IPTC_KEYWORDS)
    if keywords is not None:
        items = keywords if isinstance(keywords, list) else [keywords]
        _add_keywords(meta, [_clean(k) for k in items])


def _xmp(im: Image.Image, meta: Meta) -> None:
    raw = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    if not raw or len(raw) > _MAX_XMP:
        return
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    # Expat refuses entity expansion bombs since 2.4.1, and XMP needs no DTD: one is refused.
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        return
    root = ET.fromstring(raw.strip(b"\x00 \n\r\t"))
    for desc in root.iter(f"{{{_NS['rdf']}}}Description"):
        for name, tag in _XMP:
            value = _xmp_value(desc, tag)
            if value:
                meta[name] = value[0]
        subjects = _xmp_value(desc, "dc:subject")
        if subjects:
            _add_keywords(meta, list[str | None](subjects))


def _xmp_value(desc: ET.Element, tag: str) -> list[str]:
    prefix, local = tag.split(":")
    qname = f"{{{_NS[prefix]}}}{local}"
    attr = desc.get(qname)
    if attr:
        return [t for t in [_clean(attr)] if t]
    element = desc.find(qname)
    if element is None:
        return []
    items = [_clean(li.text) for li in element.iter(f"{{{_NS['rdf']}}}li")]
    if not items:
        items = [_clean(element.text)]
    return [t for t in items if t]


def _add_keywords(meta: Meta, words: list[str | None]) -> None:
    seen: dict[str, None] = dict.fromkeys(meta.get("keywords", []))
    for word in words:
        if word and len(seen) < _MAX_KEYWORDS:
            seen.setdefault(word[:100], None)
    meta["keywords"] = list(seen)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _clean(value: object) -> str | None:
    if isinstance(value, bytes):
        # IPTC is Latin-1 unless a coded character set says UTF-8; UTF-8 is tried first.
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("latin-1")
        value = text
    if not isinstance(value, str):
        return None
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text[:_MAX_TEXT] or None
