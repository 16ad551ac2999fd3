"""Review badges on the grid's tiles: approved, changes requested, or new comments (share links).

Statuses are read by the worker that fetches each batch of records (the delegate's
prepare step), one query per batch, so painting a tile is a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter

from app.gui.batched_lookup import BatchedLookup
from app.library.service import LibraryService
from app.library.shares import ShareService

# The share pages' colours, so a badge means the same on both sides.
COLORS = {"approved": "#1f8a55", "changes_requested": "#c2561b", "commented": "#3b5bdb"}
CACHE = 20_000


def badge_text(status: str, comments: int) -> str:
    if status == "approved":
        return "✓ Approved"
    if status == "changes_requested":
        return "Changes requested"
    return f"{comments} comment{'' if comments == 1 else 's'}"


class ReviewBadges(BatchedLookup):
    """Review statuses per tile, read in batches (see BatchedLookup)."""

    def __init__(self, library: LibraryService, tasks: Any = None,
                 changed: Callable[[], None] | None = None) -> None:
        super().__init__(tasks, changed)
        self.shares = ShareService(library)
        self._known: dict[str, tuple[str, int] | None] = {}
        self.font = QFont()
        self.font.setPointSizeF(max(6.0, self.font.pointSizeF() * 0.78))
        self.font.setWeight(QFont.Weight.DemiBold)

    def load(self, asset_ids: Iterable[str]) -> None:
        """Any thread: read the statuses of these assets (done for every fetched batch)."""
        ids = list(asset_ids)
        found = self.shares.review_summary(ids)
        with self._lock:
            if len(self._known) > CACHE:
                self._known.clear()
            for asset_id in ids:
                s = found.get(asset_id)
                status = (s.decision or ("commented" if s.comments else None)) if s else None
                self._known[asset_id] = (status, s.comments if s else 0) if status else None

    def forget(self) -> None:
        """Drop every known status (new reviews arrived): tiles ask again as they are painted."""
        with self._lock:
            self._known.clear()

    def status(self, asset_id: str) -> tuple[str, int] | None:
        return self._known.get(asset_id)

    def height(self) -> int:
        """The pill's height, so badges below it keep clear."""
        return QFontMetrics(self.font).height() + 4

    def paint(self, painter: QPainter, asset_id: str, x: int, y: int) -> None:
        """A coloured pill at (x, y), the top-left corner of the tile's picture, if reviewed."""
        if asset_id not in self._known:
            self._ask(asset_id)
            return
        known = self._known[asset_id]
        if known is None:
            return
        text = badge_text(*known)
        fm = QFontMetrics(self.font)
        rect = QRectF(x, y, fm.horizontalAdvance(text) + 14, fm.height() + 4)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(COLORS[known[0]]))
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setPen(QColor("white"))
        painter.setFont(self.font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


def reviews_arrived(window: Any, count: int) -> None:
    """After a sync brought `count` new reviews: fresh badges and details, and a notice."""
    delegate = window.grid.asset_delegate
    if delegate.reviews is not None:
        delegate.reviews.forget()
    window.grid.viewport().update()
    record = window.details.record
    if record is not None:
        window.details.show_record(record)  # its Client review section too
    window.statusBar().showMessage(
        f"{count} new client review{'' if count == 1 else 's'} arrived", 15_000)
    from app.gui.feedback_notice import show_feedback_notice  # a clickable notice that stays

    show_feedback_notice(window, count, ShareService(window.library).review_id_before_latest(count))
