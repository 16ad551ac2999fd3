"""The sidebar: All assets, Unassigned, then clients with their campaigns, each with a count."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QPainter,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QWidget,
)

from app.gui import icons, theme
from app.gui.asset_model import ASSET_IDS_MIME
from app.gui.grid import local_files
from app.gui.scope import Scope
from app.library.records import CampaignRecord, ClientRecord


class SidebarRole(IntEnum):
    Kind = Qt.ItemDataRole.UserRole + 1
    Id = Qt.ItemDataRole.UserRole + 2
    ClientId = Qt.ItemDataRole.UserRole + 3
    Count = Qt.ItemDataRole.UserRole + 4


_ICONS = {"all": "all", "unassigned": "unassigned", "client": "client", "campaign": "campaign"}


@dataclass(frozen=True, slots=True)
class SidebarData:
    """One background read: everything the sidebar shows."""

    all_count: int
    unassigned_count: int
    clients: list[ClientRecord]
    campaigns: list[CampaignRecord]


class SidebarModel(QStandardItemModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._shape: list[tuple[str, tuple[str, ...]]] | None = None
        self.populate(SidebarData(0, 0, [], []))

    @staticmethod
    def _item(kind: str, name: str, count: int, item_id: str | None = None, client_id: str | None = None) -> QStandardItem:
        item = QStandardItem(name)
        item.setEditable(False)
        item.setDragEnabled(False)
        item.setDropEnabled(True)
        item.setData(kind, SidebarRole.Kind)
        item.setData(item_id, SidebarRole.Id)
        item.setData(client_id, SidebarRole.ClientId)
        item.setData(count, SidebarRole.Count)
        return item

    def populate(self, data: SidebarData) -> bool:
        """Show data; returns True when rows were rebuilt (the view must restore its state)."""
        by_client: dict[str, list[CampaignRecord]] = {}
        for campaign in data.campaigns:
            by_client.setdefault(campaign.client_id, []).append(campaign)
        # Same clients and campaigns in the same order: only names and counts change.
        shape = [(c.id, tuple(p.id for p in by_client.get(c.id, []))) for c in data.clients]
        if shape == self._shape:
            self._update_in_place(data, by_client)
            return False
        self._shape = shape
        self.clear()
        root = self.invisibleRootItem()
        root.appendRow(self._item("all", "All assets", data.all_count))
        root.appendRow(self._item("unassigned", "Unassigned", data.unassigned_count))
        header = QStandardItem("CLIENTS")
        header.setFlags(Qt.ItemFlag.ItemIsEnabled)
        header.setData("header", SidebarRole.Kind)
        root.appendRow(header)
        for client in data.clients:
            item = self._item("client", client.name, client.asset_count, client.id)
            for campaign in by_client.get(client.id, []):
                item.appendRow(
                    self._item("campaign", campaign.name, campaign.asset_count, campaign.id, client.id)
                )
            root.appendRow(item)
        return True

    def _update_in_place(self, data: SidebarData, by_client: dict[str, list[CampaignRecord]]) -> None:
        self.item(0).setData(data.all_count, SidebarRole.Count)
        self.item(1).setData(data.unassigned_count, SidebarRole.Count)
        for row, client in enumerate(data.clients, start=3):
            item = self.item(row)
            item.setText(client.name)
            item.setData(client.asset_count, SidebarRole.Count)
            for n, campaign in enumerate(by_client.get(client.id, [])):
                child = item.child(n)
                child.setText(campaign.name)
                child.setData(campaign.asset_count, SidebarRole.Count)

    def find(self, kind: str, item_id: str | None) -> QModelIndex:
        for row in range(self.rowCount()):
            top = self.index(row, 0)
            if top.data(SidebarRole.Kind) == kind and top.data(SidebarRole.Id) == item_id:
                return top
            for sub in range(self.rowCount(top)):
                child = self.index(sub, 0, top)
                if child.data(SidebarRole.Kind) == kind and child.data(SidebarRole.Id) == item_id:
                    return child
        return QModelIndex()

    @staticmethod
    def scope_of(index: QModelIndex | QPersistentModelIndex) -> Scope | None:
        kind = index.data(SidebarRole.Kind) if index.isValid() else None
        if kind not in ("all", "unassigned", "client", "campaign"):
            return None
        return Scope(kind, index.data(SidebarRole.Id), index.data(SidebarRole.ClientId), index.data())


class SidebarDelegate(QStyledItemDelegate):
    """Icon, name and a right-aligned count; the section header in small caps."""

    ROW_HEIGHT = 30

    def __init__(self, view: SidebarView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        if index.data(SidebarRole.Kind) == "header":
            return QSize(100, 34)
        return QSize(100, self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        t = theme.current()
        kind = index.data(SidebarRole.Kind)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        if kind == "header":
            font = QFont(option.font)
            font.setPointSizeF(font.pointSizeF() * 0.8)
            font.setWeight(QFont.Weight.DemiBold)
            font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
            painter.setFont(font)
            painter.setPen(t.color("muted"))
            painter.drawText(rect.adjusted(14, 10, -8, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, str(index.data()))
            painter.restore()
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        drop = self.view.drop_index is not None and self.view.drop_index == QPersistentModelIndex(index)
        pill = QRect(4, rect.top() + 1, self.view.viewport().width() - 8, rect.height() - 2)
        if selected or drop:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(t.color("accent") if selected else t.color("accent", 0.22))
            painter.drawRoundedRect(pill, 7, 7)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(t.color("hover" if not t.dark else "raised"))
            painter.drawRoundedRect(pill, 7, 7)
        fg = t.color("accent_text") if selected else t.color("text")
        muted = t.color("accent_text", 0.8) if selected else t.color("muted")
        size = 16
        glyph = icons.pixmap(_ICONS.get(kind, "all"), size, fg if selected else t.color("muted"), painter.device().devicePixelRatioF())
        x = rect.left() + 4
        painter.drawPixmap(x, rect.center().y() - size // 2 + 1, glyph)
        count = str(index.data(SidebarRole.Count) or 0)
        painter.setFont(option.font)
        fm = painter.fontMetrics()
        count_w = fm.horizontalAdvance(count)
        name_rect = QRect(x + size + 8, rect.top(), pill.right() - 10 - count_w - 8 - (x + size + 8), rect.height())
        painter.setPen(fg)
        name = fm.elidedText(str(index.data()), Qt.TextElideMode.ElideRight, name_rect.width())
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        painter.setPen(muted)
        painter.drawText(
            QRect(pill.right() - 10 - count_w, rect.top(), count_w, rect.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            count,
        )
        painter.restore()


class SidebarView(QTreeView):
    """Drop files on an entry to import there; drop grid assets on it to refile them."""

    files_dropped = Signal(list, object)  # list[Path], Scope
    assets_dropped = Signal(list, object)  # list[str], Scope

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sidebar_model = SidebarModel(self)
        self.setModel(self.sidebar_model)
        self.setHeaderHidden(True)
        self.setIndentation(14)
        self.setRootIsDecorated(False)
        self.setItemsExpandable(True)
        self.setExpandsOnDoubleClick(True)
        self.setUniformRowHeights(False)
        self.setMouseTracking(True)
        self.setAnimated(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setItemDelegate(SidebarDelegate(self))
        self.drop_index: QPersistentModelIndex | None = None
        self.expandAll()

    def select_scope(self, kind: str, item_id: str | None) -> bool:
        idx = self.sidebar_model.find(kind, item_id)
        if not idx.isValid():
            return False
        self.setCurrentIndex(idx)
        return True

    def count_for(self, scope: Scope) -> int:
        idx = self.sidebar_model.find(scope.kind, scope.id)
        return int(idx.data(SidebarRole.Count) or 0) if idx.isValid() else 0

    def current_scope(self) -> Scope | None:
        return SidebarModel.scope_of(self.currentIndex())

    # --- drops -------------------------------------------------------------------------

    def _target(self, event: QDropEvent | QDragMoveEvent | QDragEnterEvent) -> Scope | None:
        scope = SidebarModel.scope_of(self.indexAt(event.position().toPoint()))
        if scope is None:
            return None
        mime = event.mimeData()
        if mime.hasFormat(ASSET_IDS_MIME):
            return scope if scope.kind != "all" else None  # refiling into "all" means nothing
        return scope if local_files(event) else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(ASSET_IDS_MIME) or local_files(event):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        target = self._target(event)
        index = self.indexAt(event.position().toPoint())
        self.drop_index = QPersistentModelIndex(index) if target is not None else None
        self.viewport().update()
        if target is not None:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_index = None
        self.viewport().update()

    def dropEvent(self, event: QDropEvent) -> None:
        target = self._target(event)
        self.drop_index = None
        self.viewport().update()
        if target is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        mime = event.mimeData()
        if mime.hasFormat(ASSET_IDS_MIME):
            ids = bytes(mime.data(ASSET_IDS_MIME).data()).decode("ascii").split()
            self.assets_dropped.emit(ids, target)
        else:
            self.files_dropped.emit([Path(p) for p in local_files(event)], target)
