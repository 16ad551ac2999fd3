"""Tile badges of what finding knows: rating stars and colour label (top right), rights (top left),
and, when the View menu asks, the palette as a band along the picture's bottom edge.

Read as the review badges are: by the worker that prepares each batch of records, one query
per batch, so a paint is a dictionary lookup and a cached pixmap or two. After a change the
known states are kept and shown until their fresh values arrive (no badge blinks off).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPen, QPixmap

from app.gui.batched_lookup import BatchedLookup
from app.gui.details_meta import LABEL_COLOURS
from app.library.finder import TileState
from app.library.service import LibraryService

CACHE = 20_000
STAR = "#FFC83D"  # on the dark pill, a warm gold that reads over any picture
# Filled pills with white text: red for expired, a deep amber for expiring (white stays legible).
RIGHTS_COLOURS = {"expired": "#C62828", "expiring": "#A65A00"}
PILL_FILL = QColor(12, 12, 16, 168)  # the format badge's fill, so the tile's badges read as a set
BAND = 5  # px: the palette band, under the bottom badges (they sit 6 px up)


def rights_text(state: TileState) -> str | None:
    if state.rights == "expired":
        return "Rights expired"
    if state.rights == "expiring" and state.valid_until is not None:
        return f"Expires {_day(state.valid_until)}"
    return None


class FindBadges(BatchedLookup):
    """Rating, label and rights per tile, read in batches (see BatchedLookup)."""

    def __init__(
        self,
        library: LibraryService,
        tasks: Any = None,
        changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(tasks, changed)
        self.library = library
        self._known: dict[str, tuple[int, TileState]] = {}  # id -> (generation, state)
        self._generation = 0
        self._pixmaps: dict[tuple[str, str, float], QPixmap] = {}
        self.show_palette = False  # View > Colour Palettes on Tiles
        self._bands: dict[tuple[tuple[tuple[str, float], ...], int, int, float], QPixmap] = {}
        self.font = QFont()
        self.font.setPointSizeF(max(6.5, self.font.pointSizeF() * 0.74))
        self.font.setWeight(QFont.Weight.DemiBold)
        self.fm = QFontMetrics(self.font)
        # Stars are small glyphs: drawn larger than the badge text so they read at a glance.
        self.star_font = QFont()
        self.star_font.setPointSizeF(max(7.5, self.star_font.pointSizeF() * 0.92))
        self.star_fm = QFontMetrics(self.star_font)

    # --- states ----------------------------------------------------------------------

    def load(self, asset_ids: Iterable[str]) -> None:
        """Any thread: read the states of these assets (done for every prepared batch)."""
        ids = list(asset_ids)
        found = self.library.find.tile_states(ids, palettes=self.show_palette)
        with self._lock:
            if len(self._known) > CACHE:
                self._known.clear()
            gen = self._generation
            for asset_id in ids:
                self._known[asset_id] = (gen, found.get(asset_id, TileState()))

    def forget(self, ids: Iterable[str] | None = None) -> None:
        """States may have changed (all of them, or these): tiles ask again, showing the old meanwhile."""
        with self._lock:
            if ids is None:
                self._generation += 1
            else:
                for asset_id in ids:
                    known = self._known.get(asset_id)
                    if known is not None:
                        self._known[asset_id] = (-1, known[1])

    def state(self, asset_id: str) -> TileState | None:
        known = self._known.get(asset_id)
        if known is None or known[0] != self._generation:
            self._ask(asset_id)
        return known[1] if known is not None else None

    # --- painting --------------------------------------------------------------------

    def paint(self, painter: QPainter, asset_id: str, x: int, y: int, width: int, below: int = 0) -> None:
        """Badges on the box at (x, y) of this width; `below` moves the rights pill under a
        review badge that sits top left already."""
        state = self.state(asset_id)
        if state is None:
            return
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        right = x + width - 6
        top_left = right  # where the stars pill starts (nothing there: the box's edge)
        top_bottom = y + 6
        if state.label or state.rating:
            pm = self._pixmap("top", f"{state.rating}:{state.label or ''}", dpr)
            top_left = right - round(pm.width() / dpr)
            top_bottom = y + 6 + round(pm.height() / dpr)
            painter.drawPixmap(top_left, y + 6, pm)
        text = rights_text(state)
        if text:
            pm = self._pixmap(state.rights, text, dpr)
            top = y + 6 + below
            if top < top_bottom and x + 6 + round(pm.width() / dpr) + 4 > top_left:
                top = top_bottom + 4  # a small tile: under the stars rather than over them
            painter.drawPixmap(x + 6, top, pm)

    def paint_palette(self, painter: QPainter, asset_id: str, x: int, y: int, width: int, height: int, radius: float) -> None:
        """The palette as a band along the bottom of the picture box at (x, y), each colour
        as wide as its share, inside the box's rounded corners."""
        if not self.show_palette:
            return
        state = self.state(asset_id)
        if state is None or not state.palette:
            return
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        key = (state.palette, width, height, dpr)
        pm = self._bands.get(key)
        if pm is None:
            if len(self._bands) > 512:
                self._bands.clear()
            pm = self._bands[key] = QPixmap.fromImage(self._band_image(state.palette, width, height, radius, dpr))
        painter.drawPixmap(x, y + height - BAND, pm)

    def _band_image(self, palette: tuple[tuple[str, float], ...], width: int, height: int, radius: float, dpr: float) -> QImage:
        image, p = self._canvas(width, BAND, dpr)
        # The box's own outline, moved up so its bottom edge is the band's: the band
        # follows the rounded corners instead of poking out of them.
        outline = QPainterPath()
        outline.addRoundedRect(QRectF(0, BAND - height, width, height), radius, radius)
        p.setClipPath(outline)
        p.setPen(Qt.PenStyle.NoPen)
        total = sum(share for _, share in palette) or 1.0
        left = 0.0
        for i, (hex_, share) in enumerate(palette):
            right = width if i == len(palette) - 1 else left + width * share / total
            p.setBrush(QColor(hex_))
            p.drawRect(QRectF(left, 0, right - left, BAND))
            left = right
        p.end()
        return image

    def _pixmap(self, kind: str, key: str, dpr: float) -> QPixmap:
        cached = self._pixmaps.get((kind, key, dpr))
        if cached is not None:
            return cached
        image = self._top_image(key, dpr) if kind == "top" else self._rights_image(kind, key, dpr)
        pm = QPixmap.fromImage(image)
        if len(self._pixmaps) > 256:
            self._pixmaps.clear()
        self._pixmaps[(kind, key, dpr)] = pm
        return pm

    def pill_height(self) -> int:
        return self.fm.height() + 4

    def _canvas(self, w: float, h: float, dpr: float) -> tuple[QImage, QPainter]:
        image = QImage(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)), QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setFont(self.font)
        return image, p

    def _top_image(self, key: str, dpr: float) -> QImage:
        """Stars (filled ones only: an unrated tile stays clean) then the label dot, on one pill."""
        rating_s, _, label = key.partition(":")
        rating = int(rating_s or 0)
        stars = "★" * rating
        h = self.star_fm.height() + 2
        dot = h - 6
        text_w = self.star_fm.horizontalAdvance(stars) if stars else 0
        w = 7 + text_w + (5 if stars and label else 0) + (dot if label else 0) + 7
        if not stars:
            w = h  # the label alone: a round badge
        image, p = self._canvas(w, h, dpr)
        p.setFont(self.star_font)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(PILL_FILL)
        p.drawRoundedRect(QRectF(0, 0, w, h), h / 2, h / 2)
        if stars:
            p.setPen(QColor(STAR))
            p.drawText(QPointF(7, 1 + self.star_fm.ascent()), stars)
        if label:
            cx = w - 7 - dot / 2 if stars else w / 2
            p.setPen(QPen(QColor(255, 255, 255, 230), 1.4))
            p.setBrush(QColor(LABEL_COLOURS.get(label, "#888888")))
            p.drawEllipse(QPointF(cx, h / 2), dot / 2, dot / 2)
        p.end()
        return image

    def _rights_image(self, kind: str, text: str, dpr: float) -> QImage:
        h = self.pill_height()
        w = self.fm.horizontalAdvance(text) + 14
        image, p = self._canvas(w, h, dpr)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(RIGHTS_COLOURS.get(kind, "#555555")))
        p.drawRoundedRect(QRectF(0, 0, w, h), h / 2, h / 2)
        p.setPen(QColor("white"))
        p.drawText(QPointF(7, 2 + self.fm.ascent()), text)
        p.end()
        return image


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment.strftime('%b')}"
