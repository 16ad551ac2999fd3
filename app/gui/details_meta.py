"""The details pane's find sections: rating, label, palette, rights and the fields read from the file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.flow_layout import FlowLayout

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
    if key in ("taken_at", "created_at") and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        # As the camera said it (no zone means the camera's own clock): "14 Jul 2026, 10:32".
        return f"{moment.day} {moment.strftime('%b %Y, %H:%M')}"
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


def _day(iso: str) -> str:
    """"2026-12-21" as a person reads it, "21 Dec 2026" (as the tiles' badges do)."""
    try:
        day = datetime.fromisoformat(iso[:10])
    except ValueError:
        return iso[:10]
    return f"{day.day} {day.strftime('%b %Y')}"


def keyword_suggestions(meta: dict[str, Any], tags: list[str] | None) -> list[str]:
    """The file's embedded keywords that are not tags yet (case-insensitively), in its order."""
    raw = (meta.get("fields") or {}).get("keywords") or []
    words = raw if isinstance(raw, list) else [w for w in str(raw).replace(";", ",").split(",")]
    have = {t.strip().lower() for t in tags or []}
    out: list[str] = []
    for word in (str(w).strip() for w in words):
        if word and word.lower() not in have and word.lower() not in {o.lower() for o in out}:
            out.append(word)
    return out


def _clear(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.hide()  # at once: deleteLater waits for the event loop
            widget.deleteLater()


class MetadataSection(QWidget):
    """Filled from LibraryService.find.metadata(); hidden rows for what the file did not say."""

    colour_clicked = Signal(str)  # "#rrggbb": a palette swatch, to search by
    tags_suggested = Signal(list)  # embedded keywords to add as tags

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
        layout.addLayout(top)
        # On a line of its own, wrapped: a licence name and an expiry never widen the pane.
        self.rights.setWordWrap(True)
        layout.addWidget(self.rights)
        self.palette = QHBoxLayout()
        self.palette.setSpacing(4)
        layout.addLayout(self.palette)
        # Keywords the file carries that are not tags yet: one click adds one, or all.
        # Every widget made here has its parent from the start, so Qt alone owns it (a
        # parentless one handed to a layout can be freed twice, by Python and by Qt).
        self.suggestions = QWidget(self)
        rows = QVBoxLayout(self.suggestions)
        rows.setContentsMargins(0, 2, 0, 2)
        rows.setSpacing(4)
        # Short, on one line: a wrapped label sizes itself for a guessed width and left gaps.
        hint = QLabel("In the file:", self.suggestions)
        hint.setToolTip("Keywords the file carries that are not tags yet")
        hint.setObjectName("Muted")
        rows.addWidget(hint)
        self.suggestion_rows = FlowLayout(spacing=4)
        rows.addLayout(self.suggestion_rows)
        self.suggested: list[str] = []
        self.suggestion_buttons: list[QPushButton] = []
        self.add_all_button = QPushButton("Add all as tags", self.suggestions)
        self.add_all_button.setObjectName("Suggestion")
        self.add_all_button.clicked.connect(self._on_add_all)
        rows.addWidget(self.add_all_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.suggestions.hide()  # placed by the details pane, under the tags it adds to
        # Its height follows its width (the chips wrap), or the form keeps the narrow height.
        policy = self.suggestions.sizePolicy()
        policy.setHeightForWidth(True)
        self.suggestions.setSizePolicy(policy)
        self.fields = QFormLayout()
        self.fields.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.fields.setHorizontalSpacing(16)
        self.fields.setVerticalSpacing(6)
        layout.addLayout(self.fields)

    def show_metadata(self, meta: dict[str, Any], tags: list[str] | None = None) -> None:
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
        until = _day(rights.get("validUntil") or "")
        words = {"expired": f"Expired {until}", "expiring": f"Expires {until}"}.get(status, "")
        self.rights.setText("  ·  ".join(t for t in (licence, words) if t))
        self.rights.setVisible(bool(self.rights.text()))
        if status in ("expired", "expiring"):
            self.rights.setStyleSheet("color: #d64545;" if status == "expired" else "color: #c58a00;")
        else:
            self.rights.setStyleSheet("")
        _clear(self.palette)
        self.swatches: list[QPushButton] = []
        for swatch in meta.get("palette") or []:
            hex_ = str(swatch["hex"])
            chip = QPushButton("", self)
            width = max(14, int(160 * float(swatch["share"])))
            chip.setFixedSize(width, 20)
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.setToolTip(f"{hex_}  {round(float(swatch['share']) * 100)}%: click to find assets with this colour")
            # A hairline ring, so a white or near-black swatch still shows on either theme.
            chip.setStyleSheet(
                f"QPushButton {{ background: {hex_}; border: 1px solid rgba(128,128,128,0.45);"
                f" border-radius: 4px; padding: 0; }}"
                f" QPushButton:hover {{ border: 2px solid palette(highlight); }}"
            )
            chip.setProperty("hex", hex_)
            chip.clicked.connect(self._on_swatch)
            self.palette.addWidget(chip)
            self.swatches.append(chip)
        self.palette.addStretch(1)
        self._show_suggestions(keyword_suggestions(meta, tags))
        while self.fields.rowCount():
            self.fields.removeRow(0)
        alike = [str(a.get("name") or a.get("id")) for a in meta.get("looksLike") or []]
        if alike:
            # A near-duplicate kept at import: said here too, since the import summary is gone.
            name = QLabel("Looks like")
            name.setObjectName("Muted")
            shown = ", ".join(alike[:3]) + (f" and {len(alike) - 3} more" if len(alike) > 3 else "")
            value = QLabel(shown)
            value.setWordWrap(True)
            value.setToolTip("A resized, re-encoded or slightly cropped copy: Find Similar (Ctrl+Shift+F) lists them")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields.addRow(name, value)
        found: dict[str, Any] = dict(meta.get("fields") or {})
        keys = [k for k in FIRST if k in found] + [k for k in found if k not in FIRST]
        for key in keys:
            name = QLabel(TITLES.get(key, key.replace("_", " ").capitalize()))
            name.setObjectName("Muted")
            value = QLabel(_text(key, found[key]))
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields.addRow(name, value)

    # Bound slots reading the sender, not lambdas: a lambda holding `self` on a button that is
    # deleted later crashes PySide6 when the connection is torn down with the window.
    @Slot()
    def _on_swatch(self) -> None:
        chip = self.sender()
        if chip is not None:
            self.colour_clicked.emit(str(chip.property("hex")))

    @Slot()
    def _on_suggestion(self) -> None:
        button = self.sender()
        if button is not None:
            self.tags_suggested.emit([str(button.property("word"))])

    @Slot()
    def _on_add_all(self) -> None:
        self.tags_suggested.emit(list(self.suggested))

    def _show_suggestions(self, words: list[str]) -> None:
        self.suggested = words
        self.suggestion_buttons = []
        _clear(self.suggestion_rows)
        # Chips wrap to the pane's width: a narrow window never clips one or widens the pane.
        for word in words:
            button = QPushButton(f"+ {word}", self.suggestions)
            button.setObjectName("Suggestion")
            button.setToolTip(f"Add “{word}” as a tag")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setProperty("word", word)
            button.clicked.connect(self._on_suggestion)
            self.suggestion_rows.add(button)
            self.suggestion_buttons.append(button)
        self.add_all_button.setVisible(len(words) > 1)
        self.suggestions.setVisible(bool(words))
