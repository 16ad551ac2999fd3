"""The Sync history dialog: what the last syncs changed, field by field, with Restore for a replaced value."""

from __future__ import annotations

from datetime import datetime
from itertools import groupby
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import hlc
from app.core.errors import AtelierError
from app.library.service import LibraryService
from app.library.sync_records import Filing
from app.library.sync_state import HistoryEntry
from app.sync.history import restore_value

COLUMNS = ("Asset", "Field", "Changed", "Replaced value", "Edited", "New value", "Edited")
SIDES = {"here": "Here", "server": "On the server"}
ENTRY_ROLE = Qt.ItemDataRole.UserRole


def show_value(field: str, value: Any) -> str:
    if field == "tags":
        return ", ".join(str(t) for t in value) if isinstance(value, list) and value else "(no tags)"
    if field == "filing":
        filing = Filing.from_list(value)
        return filing.describe() if filing else "(unfiled)"
    return str(value) if value not in (None, "") else "(none)"


def show_time(stamp: str | None) -> str:
    if not stamp or not hlc.is_stamp(stamp):
        return "—"
    when = hlc.to_datetime(stamp).astimezone()
    # Milliseconds: two edits a moment apart must show which one was later.
    day = "" if when.date() == datetime.now().astimezone().date() else f"{when:%Y-%m-%d} "
    return f"{day}{when:%H:%M:%S}.{when.microsecond // 1000:03d}"


class SyncHistoryDialog(QDialog):
    """The last syncs (newest first); under each, every field it changed on either side."""

    restored = Signal(str)  # asset id: a value was put back as a new edit here

    def __init__(self, library: LibraryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Sync history")
        self.resize(980, 460)
        intro = QLabel(
            "What the last syncs changed, newest first. A value marked “lost a conflict” was "
            "an edit replaced by a later one; Restore puts the replaced value back as a new "
            "edit here, and the next sync sends it."
        )
        intro.setWordWrap(True)
        intro.setObjectName("Muted")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The asset takes what is left (the sync's title row spans every column anyway).
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.restore_button = QPushButton("Restore")
        self.restore_button.setObjectName("Primary")
        self.restore_button.setToolTip("Put the replaced value back as a new edit here")
        self.restore_button.setEnabled(False)
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        close.clicked.connect(self.accept)
        self.restore_button.clicked.connect(self.restore_selected)
        self.tree.itemSelectionChanged.connect(self._on_selection)
        self.reload()

    def reload(self) -> None:
        self.tree.clear()
        entries = self.library.sync_history()
        if not entries:
            self.message.setText("No sync has changed anything yet.")
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for _sync_id, group in groupby(entries, key=lambda e: e.sync_id):
            rows = list(group)
            first = rows[0]
            lost = sum(1 for e in rows if e.conflict)
            title = (
                f"{first.synced_at.astimezone():%Y-%m-%d %H:%M} · {first.remote_name} · "
                f"{len(rows)} change{'s' if len(rows) != 1 else ''}"
                + (f", {lost} lost a conflict" if lost else "")
            )
            top = QTreeWidgetItem([title])
            top.setFirstColumnSpanned(True)
            top.setFont(0, bold)
            self.tree.addTopLevelItem(top)
            for e in rows:
                side = SIDES.get(e.side, e.side) + (" · lost a conflict" if e.conflict else "")
                item = QTreeWidgetItem(
                    [
                        e.label,
                        e.field,
                        side,
                        show_value(e.field, e.old_value),
                        show_time(e.old_time),
                        show_value(e.field, e.new_value),
                        show_time(e.new_time),
                    ]
                )
                item.setData(0, ENTRY_ROLE, e)
                if e.conflict:
                    item.setFont(3, bold)
                top.addChild(item)
            top.setExpanded(True)

    def entry(self) -> HistoryEntry | None:
        items = self.tree.selectedItems()
        value = items[0].data(0, ENTRY_ROLE) if items else None
        return value if isinstance(value, HistoryEntry) else None

    def select_entry(self, entry_id: int) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                child = top.child(j)
                e = child.data(0, ENTRY_ROLE)
                if isinstance(e, HistoryEntry) and e.id == entry_id:
                    self.tree.setCurrentItem(child)
                    return True
        return False

    @Slot()
    def _on_selection(self) -> None:
        e = self.entry()
        self.restore_button.setEnabled(e is not None and bool(e.asset_id))

    @Slot()
    def restore_selected(self) -> None:
        e = self.entry()
        if e is None:
            return
        try:
            record = restore_value(self.library, e)
        except AtelierError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(
            f"Restored “{show_value(e.field, e.old_value)}” as the {e.field} of {e.label}; "
            "the next sync sends it."
        )
        self.restored.emit(record.id)
