"""A layout that lays its widgets out in rows and wraps them to the width it is given (chips)."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    """Qt's flow layout example, trimmed: left to right, a new row when the next item does not fit."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self._hinted = -1  # the height the last size hint promised
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def add(self, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # type: ignore[override]  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        height = self._place(rect, move=True)
        if height != self._hinted:
            # The hint was taken at another width: ask the parents again, once it settles.
            self._hinted = height
            # With the layout as the timer's context: a layout deleted before the timer fires
            # (the pane showing another asset, or closing) cancels it, not a call into nothing.
            QTimer.singleShot(0, self, self._ask_again)

    def _ask_again(self) -> None:
        self.invalidate()
        owner = self.parentWidget()
        if owner is not None:
            # A form hands a row up to its (cached) size hint: hold the owner to what its
            # rows need at the width it has, so no gap opens under the chips.
            owner.setMaximumHeight(max(owner.minimumSizeHint().height(), owner.heightForWidth(owner.width())))
            owner.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802
        # As tall as the rows at the width last given: a layout that hands out spare height
        # (up to the hint) must not grow the gap between the chips and what follows.
        width = max(self.geometry().width(), self.minimumSize().width())
        self._hinted = self.heightForWidth(width)
        return QSize(self.minimumSize().width(), self._hinted)

    def minimumSize(self) -> QSize:  # noqa: N802
        # As narrow as the widest chip: the rest wraps, so the layout never widens its pane.
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > rect.x() and x + hint.width() > rect.right() + 1:
                x, y, line = rect.x(), y + line + self._gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line = max(line, hint.height())
        return y + line - rect.y()
