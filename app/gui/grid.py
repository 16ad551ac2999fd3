"""AssetGridView: a wrapping QListView of uniform tiles; drags real files out, takes files in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QPushButton, QWidget

from app.gui import icons, theme
from app.gui.asset_model import AssetListModel
from app.gui.delegate import PAD, AssetDelegate

MIN_EDGE, MAX_EDGE, DEFAULT_EDGE = 96, 320, 176
SPACING = 3
# Rows laid out per pass of the event loop. The model counts its rows in Qt (see
# AssetListModel), so a pass of 25,000 takes a few milliseconds; 100,000 rows are four passes.
BATCH = 25_000
_WRAP = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
HIDE_CATCH_UP_MS = 400  # the longest the grid waits, unpainted, for a shifted layout to catch up


def local_files(event: QDropEvent | QDragEnterEvent | QDragMoveEvent) -> list[Path]:
    """The local files a drag carries (URLs from a file manager), in order."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]


class AssetGridView(QListView):
    files_dropped = Signal(list)  # list[Path]
    quick_look_requested = Signal()
    delete_requested = Signal()
    open_requested = Signal()
    copy_requested = Signal()

    def __init__(self, model: AssetListModel, delegate: AssetDelegate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pending_scroll: int | None = None
        # While the layout catches up after a shift the grid is not painted (it would flash the
        # top rows); this ends the wait if the scroll position cannot be reached.
        self._catch_up = QTimer(self, singleShot=True, interval=HIDE_CATCH_UP_MS)
        self._catch_up.timeout.connect(self._end_catch_up)
        self.setObjectName("AssetGrid")
        self.asset_model = model
        self.asset_delegate = delegate
        self.setModel(model)
        self.setItemDelegate(delegate)
        model.set_preparer(delegate.prepare)
        # calibre's recipe for a fast cover grid: list mode flowing left to right, wrapping,
        # every item the same size, laid out in batches.
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(BATCH)
        self.setMovement(QListView.Movement.Static)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionRectVisible(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.empty_title = "Drop files here to import"
        self.empty_icon = "drop"
        self.empty_hint = "or press Ctrl+O to choose files"
        # The empty state's way on: Import Files… (or Clear Filters when a filter hides all).
        self.empty_button = QPushButton("Import Files…", self.viewport())
        self.empty_button.setObjectName("Primary")
        self.empty_button.hide()
        model.query_loaded.connect(lambda _n: self._place_empty_button())
        model.modelReset.connect(self._place_empty_button)
        model.rowsInserted.connect(self._place_empty_button)
        model.rowsRemoved.connect(self._place_empty_button)
        self._drop_hint: str | None = None
        self.drop_target_name = "All assets"
        self._zoom = DEFAULT_EDGE
        self.set_edge(DEFAULT_EDGE)
        model.modelAboutToBeReset.connect(self._before_reset)
        model.modelReset.connect(self._after_reset)
        self._anchor: tuple[QPersistentModelIndex, int, int, int, int] | None = None
        model.rows_shifting.connect(self._before_shift)
        model.rows_shifted.connect(self._after_shift)
        # Once the user scrolls, where they were before a refresh no longer matters.
        self.verticalScrollBar().actionTriggered.connect(self._forget_pending_scroll)

    # --- zoom and layout ---------------------------------------------------------------

    @property
    def edge(self) -> int:
        """The zoom: the thumbnail width asked for (tiles stretch a little to fill each row)."""
        return self._zoom

    def set_edge(self, edge: int) -> None:
        self._zoom = max(MIN_EDGE, min(MAX_EDGE, int(edge)))
        self._fit_columns()
        self.verticalScrollBar().setSingleStep(max(24, self._zoom // 4))

    def _fit_columns(self) -> None:
        # As many columns of about the zoomed size as fit; the tiles then grow to fill the row
        # exactly, so there is no ragged right edge and the gaps stay small and even.
        pad = 2 * PAD
        # Always leave room for the scroll bar, so its coming and going cannot re-flow the grid.
        width = self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        per_tile = self._zoom + pad + 2 * SPACING  # QListView puts spacing on both sides
        cols = max(1, round((width - 2 * SPACING) / per_tile))
        edge = (width - 2 * SPACING) // cols - 2 * SPACING - pad
        if edge < self._zoom * 0.8 and cols > 1:  # rounding up squeezed them too much
            cols -= 1
            edge = (width - 2 * SPACING) // cols - 2 * SPACING - pad
        edge = max(MIN_EDGE // 2, edge)
        edge = min(edge, round(self._zoom * 1.5))
        if self.spacing() != SPACING:
            self.setSpacing(SPACING)
        if edge != self.asset_delegate.edge:
            self.asset_delegate.set_edge(edge)
            self.scheduleDelayedItemsLayout()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_columns()

    # --- model changes ------------------------------------------------------------------

    def dataChanged(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: object = ()) -> None:  # type: ignore[override]
        # QListView lays every row out again on any dataChanged; at 100,000 rows that is half
        # a second, and in batched mode it throws the scroll position away. Tiles all have the
        # same size, so new data never moves one: repainting is all it takes.
        if top_left == bottom_right:
            self.update(top_left)
        else:
            self.viewport().update()

    def _before_reset(self) -> None:
        # A refresh (after an import or an edit) keeps the user where they were; a new query
        # starts at the top.
        self._pending_scroll = self.verticalScrollBar().value() if self.asset_model.refreshing else None

    def _after_reset(self) -> None:
        if self._pending_scroll is None:
            self.scrollToTop()
        self._apply_pending_scroll()

    def _before_shift(self) -> None:
        # Rows inserted or removed lay every row out again, in batches that let the scroll
        # range shrink meanwhile. The tile at the top of the view is kept where it is; at the
        # very top, new rows simply show there.
        self._anchor = None
        bar, model = self.verticalScrollBar(), self.asset_model
        if bar.value() <= 0 or model.rowCount() < 2:
            return
        top = self._top_index()
        y0 = self.rectForIndex(model.index(0, 0)).y()
        cols = next((r for r in range(1, 200) if self.rectForIndex(model.index(r, 0)).y() != y0), 0)
        if not top.isValid() or cols <= 0 or cols >= model.rowCount():
            return
        pitch = self.rectForIndex(model.index(cols, 0)).y() - y0
        self._anchor = (QPersistentModelIndex(top), top.row(), bar.value(), cols, pitch)

    def _top_index(self) -> QModelIndex:
        """The first tile in view (a point in the gap between tiles finds none: try lower)."""
        x = 2 * SPACING + 4
        for y in range(0, max(1, self.viewport().height() // 2), 6):
            index = self.indexAt(QPoint(x, y))
            if index.isValid():
                return index
        return QModelIndex()

    def _after_shift(self) -> None:
        anchor, self._anchor = self._anchor, None
        if anchor is None:
            return
        persistent, old_row, value, cols, pitch = anchor
        new_row = persistent.row() if persistent.isValid() else min(old_row, self.asset_model.rowCount() - 1)
        self._pending_scroll = max(0, value + (new_row // cols - old_row // cols) * pitch)
        self.viewport().setUpdatesEnabled(False)
        self._catch_up.start()
        # The relayout the inserts asked for starts now (its first pass shrinks the scroll
        # range), so that the position is taken back once the batches reach it, not lost.
        self.executeDelayedItemsLayout()
        self._apply_pending_scroll()

    def _end_catch_up(self) -> None:
        # Painting resumes; a position not reached yet is still taken back when it is.
        self._catch_up.stop()
        if not self.viewport().updatesEnabled():
            self.viewport().setUpdatesEnabled(True)
            self.viewport().update()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        # The batched layout grows the scroll range step by step; go back once it is long enough.
        self._apply_pending_scroll()

    def _forget_pending_scroll(self, _action: int = 0) -> None:
        self._pending_scroll = None
        if self._catch_up.isActive():
            self._end_catch_up()

    def _apply_pending_scroll(self) -> None:
        bar = self.verticalScrollBar()
        if self._pending_scroll is not None and bar.maximum() >= self._pending_scroll:
            value, self._pending_scroll = self._pending_scroll, None
            bar.setValue(value)
        if self._pending_scroll is None and self._catch_up.isActive():
            self._end_catch_up()

    # --- selection helpers -------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.selectionModel().selectedIndexes())
        ids = (self.asset_model.asset_id(r) for r in rows)
        return [i for i in ids if i]

    def current_id(self) -> str | None:
        idx = self.currentIndex()
        return self.asset_model.asset_id(idx.row()) if idx.isValid() else None

    def select_ids(self, ids: list[str], current: str | None = None) -> None:
        model, sel = self.asset_model, QItemSelection()
        for asset_id in ids:
            row = model.row_of(asset_id)
            if row is not None and row < model.rowCount():
                sel.select(model.index(row, 0), model.index(row, 0))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().select(sel, flags)
        row = model.row_of(current) if current else None
        if row is not None and row < model.rowCount():
            self.selectionModel().setCurrentIndex(model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)

    # --- drags out -----------------------------------------------------------------------

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N802
        # The window may stop a drag first (an asset whose usage rights have expired).
        guard = getattr(self, "drag_guard", None)
        if guard is not None and not guard(self.selected_ids()):
            return
        super().startDrag(supportedActions)

    # --- keys --------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space and not event.modifiers():
            self.quick_look_requested.emit()
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selectionModel().hasSelection():
            self.delete_requested.emit()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selectionModel().hasSelection():
            self.open_requested.emit()
            return
        if event.matches(QKeySequence.StandardKey.Copy) and self.selectionModel().hasSelection():
            self.copy_requested.emit()
            return
        super().keyPressEvent(event)

    # --- drops from outside --------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.source() is not self and local_files(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self._drop_hint = f"Drop to import into {self.drop_target_name}"
            self.viewport().update()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if event.source() is not self and local_files(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._drop_hint = None
        self.viewport().update()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._drop_hint = None
        self.viewport().update()
        paths = local_files(event)
        if event.source() is self or not paths:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.files_dropped.emit(paths)

    # --- empty state and drop highlight ---------------------------------------------------

    def set_empty_state(self, title: str, hint: str, button: str, icon: str = "drop") -> None:
        self.empty_title, self.empty_hint, self.empty_icon = title, hint, icon
        self.empty_button.setText(button)
        self.empty_button.adjustSize()
        self.viewport().update()

    def _hint_lines(self, hint: str, width: int) -> str:
        fm = self.fontMetrics()
        if fm.horizontalAdvance(hint) <= width:
            return hint
        words, first = hint.split(" "), ""
        while words and fm.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
            first = f"{first} {words.pop(0)}".strip()
        rest = fm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
        return f"{first}\n{rest}" if first else rest

    def _hint_rect(self, area: QRect) -> QRect:
        """Where the empty state's hint goes: under the title, as tall as its lines."""
        width = area.width() - 32
        lines = self._hint_lines(self.empty_hint, width).count("\n") + 1 if self.empty_hint else 1
        top = area.center().y() - 60 + 56 + 14 + 28 + 7  # icon, title, then the hint's lines
        return QRect(area.left() + 16, top, width, lines * (self.fontMetrics().height() + 2))

    def _place_empty_button(self) -> None:
        empty = self._drop_hint is None and self.asset_model.loaded and not self.asset_model.rowCount()
        if empty:
            area = self.viewport().rect()
            self.empty_button.adjustSize()
            hint = self.empty_button.sizeHint()
            # Under the hint (one or two lines), with a little air.
            below = self._hint_rect(area).bottom() + 12
            self.empty_button.move(area.center().x() - hint.width() // 2, below)
        if empty != self.empty_button.isVisible():
            self.empty_button.setVisible(empty)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.asset_model.painted()
        self._place_empty_button()
        if self._drop_hint is None and (self.asset_model.rowCount() or not self.asset_model.loaded):
            return
        t = theme.current()
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self.viewport().rect()
        if self._drop_hint is not None:
            painter.setPen(t.color("accent"))
            pen = painter.pen()
            pen.setWidthF(2.0)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(t.color("accent", 0.07))
            painter.drawRoundedRect(area.adjusted(8, 8, -8, -8), 14, 14)
            title, hint, icon = self._drop_hint, "", "drop"
        else:
            title, hint, icon = self.empty_title, self.empty_hint, self.empty_icon
        size = 56
        glyph = icons.pixmap(icon, size, t.faint, self.devicePixelRatioF())
        top = area.center().y() - 60
        painter.drawPixmap(area.center().x() - size // 2, top, glyph)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(t.color("text"))
        line = QRect(area.left() + 16, top + size + 14, area.width() - 32, 30)
        elide = Qt.TextElideMode.ElideRight
        painter.drawText(line, Qt.AlignmentFlag.AlignCenter, painter.fontMetrics().elidedText(title, elide, line.width()))
        if hint:
            painter.setFont(self.font())
            painter.setPen(t.color("muted"))
            # Wrapped to two lines at most (a smart folder's rules), the rest elided.
            painter.drawText(self._hint_rect(area), _WRAP, self._hint_lines(hint, line.width()))
        painter.end()
