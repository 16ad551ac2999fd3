"""The sidebar: All assets, Unassigned, smart folders, then clients with their campaigns, each with a count."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
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

_ICONS = {"all": "all", "unassigned": "unassigned", "client": "client", "campaign": "campaign", "smart": "smart"}
BUILTIN_PREFIX = "builtin:"
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(eq=False)
class SidebarEntry:
    kind: str  # all, unassigned, header, client, campaign, smart
    name: str
    id: str | None = None
    client_id: str | None = None
    count: int = 0
    parent: SidebarEntry | None = None
    children: list[SidebarEntry] = field(default_factory=list)
    key_id: int = 0  # the model index's internal id
    rules: tuple[str, ...] = ()  # a smart folder's
    match: str = "all"

    @property
    def scope(self) -> Scope | None:
        if self.kind not in ("all", "unassigned", "client", "campaign", "smart"):
            return None
        return Scope(self.kind, self.id, self.client_id, self.name, self.rules, self.match)  # type: ignore[arg-type]

    @property
    def builtin(self) -> bool:
        return self.kind == "smart" and (self.id or "").startswith(BUILTIN_PREFIX)


@dataclass(frozen=True, slots=True)
class SmartItem:
    """A smart folder as the sidebar lists it (built-in ones have ids "builtin:...")."""

    id: str
    name: str
    rules: tuple[str, ...]
    match: str = "all"
    count: int = 0  # -1 while not counted yet


@dataclass(frozen=True, slots=True)
class SidebarData:
    """One background read: everything the sidebar shows."""

    all_count: int
    unassigned_count: int
    clients: list[ClientRecord]
    campaigns: list[CampaignRecord]
    smart: list[SmartItem] = field(default_factory=list)


class SidebarModel(QAbstractItemModel):
    """A two-level tree kept in Python: every lookup the window makes is a plain attribute read.

    (Nothing reads entries back through QModelIndex.data(): unset roles would come back as
    None through an invalid QVariant, which PySide6 6.12.0 mishandles; see pyproject.toml.)
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._roots: list[SidebarEntry] = []
        self._by_id: dict[int, SidebarEntry] = {}
        self._shape: list[tuple[str, tuple[str, ...]]] | None = None
        self.populate(SidebarData(0, 0, [], []))

    # --- filling ---------------------------------------------------------------------

    def populate(self, data: SidebarData) -> bool:
        """Show data; returns True when rows were rebuilt (the view must restore its state)."""
        by_client: dict[str, list[CampaignRecord]] = {}
        for campaign in data.campaigns:
            by_client.setdefault(campaign.client_id, []).append(campaign)
        # Same clients and campaigns in the same order: only names and counts change.
        shape = [(c.id, tuple(p.id for p in by_client.get(c.id, []))) for c in data.clients]
        shape.append(("smart", tuple(f"{f.id}\x00{f.match}\x00{f.rules}" for f in data.smart)))
        if shape == self._shape:
            self._update_in_place(data, by_client)
            return False
        self.beginResetModel()
        self._shape = shape
        self._by_id.clear()
        self._roots = [
            SidebarEntry("all", "All assets", count=data.all_count),
            SidebarEntry("unassigned", "Unassigned", count=data.unassigned_count),
        ]
        if data.smart:
            # Saved searches before the clients: a long client list never hides them.
            self._roots.append(SidebarEntry("header", "SMART FOLDERS", id="smart"))
            self._roots.extend(
                SidebarEntry("smart", f.name, f.id, count=f.count, rules=f.rules, match=f.match)
                for f in data.smart
            )
        self._roots.append(SidebarEntry("header", "CLIENTS", id="clients"))
        for client in data.clients:
            entry = SidebarEntry("client", client.name, client.id, count=client.asset_count)
            entry.children = [
                SidebarEntry("campaign", p.name, p.id, client.id, p.asset_count, parent=entry)
                for p in by_client.get(client.id, [])
            ]
            self._roots.append(entry)
        for entry in self._walk():
            entry.key_id = len(self._by_id) + 1
            self._by_id[entry.key_id] = entry
        self.endResetModel()
        return True

    def _update_in_place(self, data: SidebarData, by_client: dict[str, list[CampaignRecord]]) -> None:
        changed: list[SidebarEntry] = []

        def put(entry: SidebarEntry, name: str, count: int) -> None:
            # Only entries that changed repaint: while another process imports, the sidebar
            # reloads every second or so, and a signal for each of a hundred entries cost the
            # GUI thread tens of milliseconds each time.
            if (entry.name, entry.count) != (name, count):
                entry.name, entry.count = name, count
                changed.append(entry)

        put(self._roots[0], self._roots[0].name, data.all_count)
        put(self._roots[1], self._roots[1].name, data.unassigned_count)
        smart = [e for e in self._roots if e.kind == "smart"]
        for entry, item in zip(smart, data.smart):
            put(entry, item.name, item.count)
        clients = [e for e in self._roots if e.kind == "client"]
        for entry, client in zip(clients, data.clients):
            put(entry, client.name, client.asset_count)
            for child, campaign in zip(entry.children, by_client.get(client.id, [])):
                put(child, campaign.name, campaign.asset_count)
        for entry in changed:
            idx = self._index_of(entry)
            self.dataChanged.emit(idx, idx)

    def _walk(self) -> list[SidebarEntry]:
        out: list[SidebarEntry] = []
        for root in self._roots:
            out.append(root)
            out.extend(root.children)
        return out

    # --- lookups ---------------------------------------------------------------------

    def entry(self, index: QModelIndex | QPersistentModelIndex) -> SidebarEntry | None:
        return self._by_id.get(index.internalId()) if index.isValid() else None

    def find(self, kind: str, item_id: str | None) -> QModelIndex:
        for entry in self._walk():
            if entry.kind == kind and entry.id == item_id:
                return self._index_of(entry)
        return QModelIndex()

    def scope_of(self, index: QModelIndex | QPersistentModelIndex) -> Scope | None:
        entry = self.entry(index)
        return entry.scope if entry is not None else None

    def _index_of(self, entry: SidebarEntry) -> QModelIndex:
        siblings = entry.parent.children if entry.parent is not None else self._roots
        return self.createIndex(siblings.index(entry), 0, entry.key_id)

    # --- Qt model API ----------------------------------------------------------------

    def index(self, row: int, column: int = 0, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        siblings = self._children_of(parent)
        if siblings is None or row >= len(siblings):
            return QModelIndex()
        return self.createIndex(row, 0, siblings[row].key_id)

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        entry = self.entry(index)
        if entry is None or entry.parent is None:
            return QModelIndex()
        return self._index_of(entry.parent)

    def _children_of(self, parent: AnyIndex) -> list[SidebarEntry] | None:
        if not parent.isValid():
            return self._roots
        entry = self.entry(parent)
        return entry.children if entry is not None else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        children = self._children_of(parent)
        return len(children) if children is not None else 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        entry = self.entry(index)
        if entry is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.name
        if role == Qt.ItemDataRole.ToolTipRole and entry.id == "smart":
            return "New smart folder: a saved search that stays up to date"
        if role == Qt.ItemDataRole.ToolTipRole and entry.kind == "smart":
            from app.gui.smart_dialog import rule_summary

            rules = rule_summary(entry.rules, entry.match)
            if entry.count < 0:
                return f"{entry.name}: counting…\n{rules}"
            return f"{entry.name}: {entry.count} asset{'' if entry.count == 1 else 's'}\n{rules}"
        if role == Qt.ItemDataRole.ToolTipRole and entry.kind != "header":
            return f"{entry.name}: {entry.count} asset{'' if entry.count == 1 else 's'}"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        entry = self.entry(index)
        if entry is None:
            return Qt.ItemFlag.NoItemFlags
        if entry.kind == "header":
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled


class SidebarDelegate(QStyledItemDelegate):
    """Icon, name and a right-aligned count; the section header in small caps."""

    ROW_HEIGHT = 30

    def __init__(self, view: SidebarView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        entry = self.view.sidebar_model.entry(index)
        return QSize(100, 34 if entry is not None and entry.kind == "header" else self.ROW_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        t = theme.current()
        entry = self.view.sidebar_model.entry(index)
        if entry is None:
            return
        kind = entry.kind
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
            painter.drawText(rect.adjusted(14, 10, -8, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, entry.name)
            if entry.id == "smart":
                # The section's own "+": a new smart folder, where the eye looks for it.
                plus = self.view.plus_rect(rect)
                glyph = icons.pixmap("plus", 14, t.color("muted"), painter.device().devicePixelRatioF())
                painter.drawPixmap(plus.left() + 1, plus.top() + 1, glyph)
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
        icon = "clock" if entry.builtin else _ICONS.get(kind, "all")
        glyph = icons.pixmap(icon, size, fg if selected else t.color("muted"), painter.device().devicePixelRatioF())
        x = rect.left() + 4
        painter.drawPixmap(x, rect.center().y() - size // 2 + 1, glyph)
        count = f"{entry.count:,}" if entry.count >= 0 else ""  # -1: a smart folder not counted yet
        painter.setFont(option.font)
        fm = painter.fontMetrics()
        count_w = fm.horizontalAdvance(count)
        name_rect = QRect(x + size + 8, rect.top(), pill.right() - 10 - count_w - 8 - (x + size + 8), rect.height())
        painter.setPen(fg)
        name = fm.elidedText(entry.name, Qt.TextElideMode.ElideRight, name_rect.width())
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
    delete_requested = Signal(object)  # Scope
    new_smart_requested = Signal()

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

    def plus_rect(self, row: QRect) -> QRect:
        """Where the smart folders header draws its "+" (16 px, at the row's right)."""
        return QRect(self.viewport().width() - 30, row.top() + 10 + (row.height() - 10) // 2 - 8, 16, 16)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        entry = self.sidebar_model.entry(index)
        if entry is not None and entry.kind == "header" and entry.id == "smart":
            if self.plus_rect(self.visualRect(index)).adjusted(-4, -4, 4, 4).contains(pos):
                self.new_smart_requested.emit()
                return
        super().mousePressEvent(event)

    def select_scope(self, kind: str, item_id: str | None) -> bool:
        idx = self.sidebar_model.find(kind, item_id)
        if not idx.isValid():
            return False
        self.setCurrentIndex(idx)
        return True

    def smart_entries(self) -> list[SidebarEntry]:
        return [e for e in self.sidebar_model._roots if e.kind == "smart"]

    def count_for(self, scope: Scope) -> int:
        entry = self.sidebar_model.entry(self.sidebar_model.find(scope.kind, scope.id))
        return entry.count if entry is not None else 0

    def current_scope(self) -> Scope | None:
        return self.sidebar_model.scope_of(self.currentIndex())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        scope = self.current_scope()
        deletable = scope is not None and (
            scope.kind in ("client", "campaign")
            or (scope.kind == "smart" and not (scope.id or "").startswith(BUILTIN_PREFIX))
        )
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and scope and deletable:
            self.delete_requested.emit(scope)
            return
        super().keyPressEvent(event)

    # --- drops -------------------------------------------------------------------------

    def _target(self, event: QDropEvent | QDragMoveEvent | QDragEnterEvent) -> Scope | None:
        scope = self.sidebar_model.scope_of(self.indexAt(event.position().toPoint()))
        if scope is None:
            return None
        mime = event.mimeData()
        if scope.kind == "smart":
            return None  # a saved search holds what matches it: nothing is filed into one
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
