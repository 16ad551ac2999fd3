"""The details pane's find sections: rating, label, palette, rights and the fields read from the file."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

LABEL_COLOURS = {
    "red": "#d64545", "yellow": "#e0b92c", "green": "#4a9f4e", "blue": "#3b7dd8", "purple": "#8e5cc4",
}
# The fields a designer looks for first, in Bridge's order; the rest follow as read.
FIRST = (
    "creator", "rights", "credit", "headline", "description", "keywords", "camera", "lens",
    "taken_at", "exposure", "icc", "color_mode", "codec", "bitrate", "frame_rate",
    "sample_rate", "channels", "title", "producer", "created_at",
)
TITLES = {
    "icc": "Colour profile", "color_mode": "Colour mode", "taken_at": "Taken", "gps": "GPS",
    "frame_rate": "Frame rate", "sample_rate": "Sample rate", "created_at": "Created",
    "audio_codec": "Audio codec", "page_width": "Page width", "page_height": "Page height",
    "gps_lat": "Latitude", "gps_lon": "Longitude",
}


def _text(key: str, value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if key == "bitrate" and isinstance(value, int):
        return f"{value // 1000} kb/s"
    if key == "sample_rate" and isinstance(value, int):
        return f"{value / 1000:g} kHz"
    if key == "gps" and value is True:
        return "yes"
    if key in ("page_width", "page_height") and isinstance(value, float):
        return f"{value:g} pt"
    return str(value)


class MetadataSection(QWidget):
    """Filled from LibraryService.find.metadata(); hidden rows for what the file did not say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(10)
        self.stars = QLabel("")
        self.label_chip = QLabel("")
        self.rights = QLabel("")
        self.rights.setObjectName("Muted")
        top.addWidget(self.stars)
        top.addWidget(self.label_chip)
        top.addStretch(1)
        top.addWidget(self.rights)
        layout.addLayout(top)
        self.palette = QHBoxLayout()
        self.palette.setSpacing(4)
        layout.addLayout(self.palette)
        self.fields = QFormLayout()
        self.fields.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.fields.setHorizontalSpacing(16)
        self.fields.setVerticalSpacing(6)
        layout.addLayout(self.fields)

    def show_metadata(self, meta: dict[str, Any]) -> None:
        rating = int(meta.get("rating") or 0)
        self.stars.setText("★" * rating + "☆" * (5 - rating))
        label = meta.get("label")
        self.label_chip.setVisible(bool(label))
        if label:
            self.label_chip.setText(f"● {label}")
            self.label_chip.setStyleSheet(f"color: {LABEL_COLOURS.get(label, '#888')};")
        rights = meta.get("rights") or {}
        status = rights.get("status", "none")
        licence = rights.get("licence")
        until = (rights.get("validUntil") or "")[:10]
        words = {"expired": f"Expired {until}", "expiring": f"Expires {until}"}.get(status, "")
        self.rights.setText("  ".join(t for t in (licence, words) if t))
        if status in ("expired", "expiring"):
            self.rights.setStyleSheet("color: #d64545;" if status == "expired" else "color: #c58a00;")
        else:
            self.rights.setStyleSheet("")
        while self.palette.count():
            item = self.palette.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        for swatch in meta.get("palette") or []:
            chip = QLabel("")
            width = max(12, int(160 * float(swatch["share"])))
            chip.setFixedSize(width, 18)
            chip.setToolTip(f"{swatch['hex']}  {round(float(swatch['share']) * 100)}%")
            chip.setStyleSheet(f"background: {swatch['hex']}; border-radius: 3px;")
            self.palette.addWidget(chip)
        self.palette.addStretch(1)
        while self.fields.rowCount():
            self.fields.removeRow(0)
        found: dict[str, Any] = dict(meta.get("fields") or {})
        keys = [k for k in FIRST if k in found] + [k for k in found if k not in FIRST]
        for key in keys:
            name = QLabel(TITLES.get(key, key.replace("_", " ").capitalize()))
            name.setObjectName("Muted")
            value = QLabel(_text(key, found[key]))
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields.addRow(name, value)
