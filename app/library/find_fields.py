"""The names rules and labels use, light enough for the command line to import at start-up."""

from __future__ import annotations

from typing import Final

LABELS: Final[tuple[str, ...]] = ("red", "yellow", "green", "blue", "purple")
FIELDS: Final[dict[str, str]] = {
    "text": "name, tags and the creator, rights, description and keywords text",
    "name": "the asset's name", "tag": "a tag", "type": "image, video, audio or document",
    "format": "file format (jpg, png, ...)", "client": "client name or id",
    "campaign": "campaign name or id", "rating": "0-5 stars", "label": "|".join(LABELS) + " or none",
    "color": "#rrggbb or a colour name, optional ~distance (ΔE, default 15)",
    "similar": "an asset id, optional :bits", "width": "pixels", "height": "pixels",
    "orientation": "landscape, portrait or square", "duration": "seconds", "pages": "page count",
    "size": "bytes (k, M, G suffixes)", "added": "date added (YYYY-MM-DD)",
    "taken": "date taken (YYYY-MM-DD)", "creator": "creator text", "camera": "camera text",
    "rights": "expired, expiring, valid or none", "licence": "licence text",
    "review": "approved, changes_requested, commented or unreviewed (share links)",
}
