"""AssetListModel: holds the ids of a query, loaded in pages; records fetched for what is shown."""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QStandardItemModel

from app.gui.export import ExportFolder
from app.gui.row_diff import window_ops
from app.gui.tasks import Tasks
from app.gui.thumbnails import ThumbnailCache
from app.library.records import AssetQuery, AssetRecord
from app.library.service import LibraryService

ASSET_IDS_MIME = "application/x-atelier-asset-ids"
ID_PAGE = 2000  # ids are cheap: one page covers many screens
RECORD_BATCH = 300
FIRST_ROWS = 60  # a first screen or so, shown before the count of a new query is known
RECORD_CACHE = 20_000
PAINT_WAIT_MS = 50  # the longest the count of a new query waits for its first rows to be painted

AnyIndex = QModelIndex | QPersistentModelIndex
# Given records in a worker thread, what a view wants ready for each before painting it.
Preparer = Callable[[Iterable[AssetRecord]], dict[str, object]]
# Combined once: flags() is asked for every tile painted, and enum arithmetic is not free.
_ITEM_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemIsDragEnabled
    | Qt.ItemFlag.ItemNeverHasChildren
)


class AssetRole(IntEnum):
    Id = Qt.ItemDataRole.UserRole + 1
    Record = Qt.ItemDataRole.UserRole + 2


@dataclass(slots=True)
class _Snapshot:
    """What a (re)load brings back from the worker in one piece."""

    generation: int
    refresh: bool
    count: int
    pages: dict[int, list[str]]
    records: dict[str, AssetRecord]
    provisional: bool = False  # only the first rows: the count is not known yet
    prepared: dict[str, object] = field(default_factory=dict)


class AssetListModel(QStandardItemModel):
    """Rows are the assets of one AssetQuery. data() is a dictionary lookup, never a query.

    Missing id pages and records are queued by data() and fetched by one background task
    per batch; rows fill in (dataChanged) when they arrive. A refresh of the same query
    inserts and removes the rows that changed (see row_diff), so selection and the scroll
    position stay.

    The rows themselves are QStandardItemModel's, never given an item: Qt then counts them
    itself. A view's layout asks the model for every row (twice), and with rowCount in
    Python a relayout of 100,000 rows took 0.3-0.4 s of the GUI thread, 40× the native one.
    """

    query_loaded = Signal(int)  # the new row count, after set_query() or refresh()
    rows_loaded = Signal()
    # Around the inserts and removals of one refresh: a view keeps what it shows in place.
    rows_shifting = Signal()
    rows_shifted = Signal()

    def __init__(
        self,
        library: LibraryService,
        tasks: Tasks,
        thumbnails: ThumbnailCache,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.setColumnCount(1)
        self.library = library
        self.tasks = tasks
        self.thumbnails = thumbnails
        self._query = AssetQuery(user_id=library.local_user_id)
        self.exports: ExportFolder | None = None  # set by the window: real names for drag-out
        self._generation = 0
        self._last_row = 0
        self._count = 0
        self._loaded = False
        self._provisional_gen = 0  # the generation whose first rows show, count still unknown
        self._final_gen = 0  # the generation whose count and first page have arrived
        self.refreshing = False  # during a reset: True when it is refresh() of the same query
        self._pages: dict[int, list[str]] = {}
        self._rows: dict[str, int] = {}
        self._records: OrderedDict[str, AssetRecord] = OrderedDict()
        self._preparer: Preparer | None = None
        self._prepared: dict[str, object] = {}  # id -> the preparer's result, oldest first
        self._want_pages: set[int] = set()
        self._pages_in_flight: set[int] = set()
        self._want_records: set[str] = set()
        self._records_in_flight: set[str] = set()
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch_missing)
        self._deferred: list[Callable[[], None]] = []
        # No view may be painting (hidden, or a test's model alone): then a short wait will do.
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.setInterval(PAINT_WAIT_MS)
        self._paint_timer.timeout.connect(self.painted)
        self.thumbnails.thumbnail_ready.connect(self._on_thumbnail)
        self.thumbnails.thumbnail_failed.connect(self._on_thumbnail)

    # --- loading ---------------------------------------------------------------------

    @property
    def query(self) -> AssetQuery:
        return self._query

    @property
    def loaded(self) -> bool:
        """True once the current query's count is known (the empty state may show)."""
        return self._loaded

    def set_query(self, query: AssetQuery) -> None:
        self._query = query
        self._load(keep_records=False)

    def refresh(self) -> None:
        """Reload the same query (after imports and edits), keeping the pages already seen."""
        self._load(keep_records=True)

    def set_preparer(self, preparer: Preparer | None) -> None:
        """Have each batch of records handed to preparer in the worker that fetched it, so
        that what a tile shows is ready (texts measured and elided) before it is painted."""
        self._preparer = preparer
        self._prepared = {}

    def prepared(self, asset_id: str) -> object | None:
        return self._prepared.get(asset_id)

    def _keep_prepared(self, prepared: dict[str, object]) -> None:
        self._prepared.update(prepared)
        excess = len(self._prepared) - RECORD_CACHE
        if excess > 0:
            for asset_id in list(itertools.islice(self._prepared, excess)):
                del self._prepared[asset_id]

    def _load(self, *, keep_records: bool) -> None:
        self._generation += 1
        generation, query, lib, prepare = self._generation, self._query, self.library, self._preparer
        pages = self._window_pages() if keep_records else [0]
        shown = list(self._records)[-RECORD_BATCH:] if keep_records else []
        cached = frozenset(self._records) if keep_records else frozenset()

        def work(known: frozenset[str] = frozenset()) -> _Snapshot:
            count = lib.count_assets(query)
            got = {p: lib.asset_ids(query, limit=ID_PAGE, offset=p * ID_PAGE) for p in pages}
            first = got.get(0, [])[:RECORD_BATCH]
            wanted = set(first) | (set(shown) & {i for ids in got.values() for i in ids})
            # A refresh fetches only records it does not hold: the change feed (LiveLibrary)
            # brings the edited ones, and every record built here costs the GUI thread time
            # (the interpreter lock) while changes stream in.
            records = lib.get_assets([i for i in wanted if i not in cached])
            # The first rows shown already keep their records (see _complete): nothing to prepare.
            fresh = [r for i, r in records.items() if i not in known]
            prepared = prepare(fresh) if prepare is not None else {}
            return _Snapshot(generation, keep_records, count, got, records, prepared=prepared)

        if not keep_records:
            # A new query: counting it can take a while on a big library, so its first rows
            # come in a quick query of their own and show first; the rest follow the count.
            def first_rows() -> _Snapshot:
                # One page of records, in the query's order: one statement, not ids then records.
                records = {r.id: r for r in lib.list_assets(query, limit=FIRST_ROWS)}
                ids = list(records)
                return _Snapshot(generation, False, len(ids), {0: ids}, records, provisional=True)

            def count() -> None:
                if generation == self._generation:
                    known = frozenset(self._records)
                    self.tasks.run(lambda: work(known), self._apply_snapshot)

            def then_count(result: object = None) -> None:
                # Counting competes for the CPU with the first rows, and its Python half (the
                # first page of records) for the interpreter lock with their first paint: it
                # starts once they are in and painted.
                if isinstance(result, _Snapshot):
                    self._apply_snapshot(result)
                    self._after_paint(count)
                else:
                    count()

            def failed(_error: object) -> None:
                then_count()  # the full load reports the problem if it persists

            self.tasks.run(first_rows, then_count, failed)
            return
        self.tasks.run(lambda: work(cached), self._apply_snapshot)

    def _window_pages(self) -> list[int]:
        """The loaded pages around where the user is looking, in one run (at most three)."""
        near = self._last_row // ID_PAGE
        if near not in self._pages:
            near = min(self._pages, key=lambda p: abs(p - near)) if self._pages else 0
        pages = [near]
        for step in (-1, 1):
            if near + step in self._pages:
                pages.append(near + step)
        return sorted(pages)

    def _after_paint(self, fn: Callable[[], None]) -> None:
        """Run fn once a view has painted the rows (see painted()), or soon if none does."""
        self._deferred.append(fn)
        self._paint_timer.start()

    def painted(self) -> None:
        """A view showing this model has painted a frame: start what waited for it."""
        if self._deferred:
            self._paint_timer.stop()
            deferred, self._deferred = self._deferred, []
            for fn in deferred:
                fn()

    def _apply_snapshot(self, snap: _Snapshot) -> None:
        if snap.generation != self._generation or snap.generation == self._final_gen:
            return  # a newer query was asked for meanwhile, or the full answer came first
        if snap.provisional:
            self._show_first_rows(snap)
            return
        self._final_gen = snap.generation
        if self._provisional_gen == snap.generation:
            self._complete(snap)
            return
        if snap.refresh and self._loaded and self._apply_in_place(snap):
            return
        self.refreshing = snap.refresh
        self.beginResetModel()
        self._reset_rows(snap.count)
        self._pages = snap.pages
        self._rows = {i: p * ID_PAGE + n for p, ids in snap.pages.items() for n, i in enumerate(ids)}
        self._records = OrderedDict(snap.records)
        self._prepared = {}
        self._keep_prepared(snap.prepared)
        self._want_pages.clear()
        self._want_records.clear()
        self._pages_in_flight.clear()
        self._records_in_flight.clear()
        self._loaded = True
        self.endResetModel()
        self.query_loaded.emit(self._count)

    def _show_first_rows(self, snap: _Snapshot) -> None:
        """Reset to the first rows of a new query; _complete() adds the rest once counted."""
        self._provisional_gen = snap.generation
        self.refreshing = False
        self.beginResetModel()
        self._reset_rows(snap.count)
        self._pages = snap.pages
        self._rows = {i: n for n, i in enumerate(snap.pages.get(0, []))}
        self._records = OrderedDict(snap.records)
        self._prepared = {}
        self._want_pages.clear()
        self._want_records.clear()
        self._pages_in_flight.clear()
        self._records_in_flight.clear()
        self._loaded = False  # the count is not known yet
        self.endResetModel()

    def _complete(self, snap: _Snapshot) -> None:
        """The count and first page of the query whose first rows show: rows added, not reset."""
        old, new = self._count, snap.count

        self._pages.update(snap.pages)
        self._rows = {i: p * ID_PAGE + n for p, ids in self._pages.items() for n, i in enumerate(ids)}
        for asset_id, rec in snap.records.items():
            self._records.setdefault(asset_id, rec)
        self._keep_prepared(snap.prepared)
        if new > old:
            self._insert(old, new - old)
        elif new < old:
            self._remove(new, old - new)
        shared = min(old, new)
        if shared:
            # The first rows may have changed between the two queries.
            self.dataChanged.emit(self.index(0, 0), self.index(shared - 1, 0))
        self._loaded = True
        self.query_loaded.emit(self._count)

    def _apply_in_place(self, snap: _Snapshot) -> bool:
        """The same query after a change: insert and remove the rows that changed in the
        window of pages it reloaded; False when that cannot be worked out (then: a reset)."""
        span = sorted(snap.pages)
        if not span or span != list(range(span[0], span[-1] + 1)) or any(p not in self._pages for p in span):
            return False
        old = [i for p in span for i in self._pages[p]]
        new = [i for p in span for i in snap.pages[p]]
        start = span[0] * ID_PAGE
        ops = window_ops(old, new, old_open=start + len(old) < self._count, new_open=start + len(new) < snap.count)
        if ops is None:
            return False
        self.rows_shifting.emit()
        # Rows fill in from the new pages as the operations run: a view never sees a row
        # whose id is missing between two of them.
        self._pages = dict(snap.pages)
        self._rows = {i: p * ID_PAGE + n for p, ids in self._pages.items() for n, i in enumerate(ids)}
        self._records.update(snap.records)
        while len(self._records) > RECORD_CACHE:
            self._records.popitem(last=False)
        self._keep_prepared(snap.prepared)
        self._want_pages.clear()
        self._want_records.clear()
        self._pages_in_flight.clear()
        self._records_in_flight.clear()
        for what, row, n in ops:
            if what == "insert":
                self._insert(start + row, n)
            else:
                self._remove(start + row, n)
        # What changed outside the window (before it or past it) shows as the count only.
        if self._count < snap.count:
            self._insert(self._count, snap.count - self._count)
        elif self._count > snap.count:
            self._remove(snap.count, self._count - snap.count)
        if ops and self._count:
            self.dataChanged.emit(self.index(start, 0), self.index(min(self._count, start + len(new)) - 1, 0))
        self.rows_shifted.emit()
        self.query_loaded.emit(self._count)
        return True

    def _reset_rows(self, count: int) -> None:
        """Within begin/endResetModel: the new number of rows, without a signal per change."""
        blocked = self.blockSignals(True)
        try:
            self.setRowCount(count)
        finally:
            self.blockSignals(blocked)
        self._count = count

    def _insert(self, row: int, n: int) -> None:
        self._count += n
        self.insertRows(row, n)

    def _remove(self, row: int, n: int) -> None:
        self._count -= n
        self.removeRows(row, n)

    def _fetch_missing(self) -> None:
        generation, query, lib, prepare = self._generation, self._query, self.library, self._preparer
        pages = sorted(self._want_pages - self._pages_in_flight)
        self._want_pages.clear()
        for page in pages:
            self._pages_in_flight.add(page)
            self.tasks.run(
                lambda p=page: (generation, p, lib.asset_ids(query, limit=ID_PAGE, offset=p * ID_PAGE)),
                self._apply_page,
            )
        ids = [i for i in self._want_records if i not in self._records_in_flight]
        self._want_records.clear()
        for start in range(0, len(ids), RECORD_BATCH):
            batch = ids[start : start + RECORD_BATCH]
            self._records_in_flight.update(batch)

            def fetch(b: list[str] = batch) -> tuple[int, list[str], dict[str, AssetRecord], dict[str, object]]:
                records = lib.get_assets(b)
                return generation, b, records, prepare(records.values()) if prepare is not None else {}

            self.tasks.run(fetch, self._apply_records)

    def _apply_page(self, result: tuple[int, int, list[str]]) -> None:
        generation, page, ids = result
        if generation != self._generation:
            return
        self._pages_in_flight.discard(page)
        self._pages[page] = ids
        base = page * ID_PAGE
        for n, asset_id in enumerate(ids):
            self._rows[asset_id] = base + n
        last = min(self._count, base + len(ids)) - 1
        if last >= base:
            self.dataChanged.emit(self.index(base, 0), self.index(last, 0))
        self.rows_loaded.emit()

    def _apply_records(
        self, result: tuple[int, list[str], dict[str, AssetRecord], dict[str, object]]
    ) -> None:
        generation, asked, found, prepared = result
        if generation != self._generation:
            return
        self._records_in_flight.difference_update(asked)
        self._records.update(found)
        self._keep_prepared(prepared)
        while len(self._records) > RECORD_CACHE:
            self._records.popitem(last=False)
        rows = [self._rows[i] for i in found if i in self._rows]
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), 0))
        self.rows_loaded.emit()

    @Slot(str)
    def _on_thumbnail(self, asset_id: str) -> None:
        row = self._rows.get(asset_id)
        if row is not None and row < self._count:
            idx = self.index(row, 0)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])

    # --- lookups ---------------------------------------------------------------------

    def asset_id(self, row: int) -> str | None:
        if not 0 <= row < self._count:
            return None
        self._last_row = row
        page = self._pages.get(row // ID_PAGE)
        if page is None:
            self._want_page(row // ID_PAGE)
            return None
        offset = row % ID_PAGE
        return page[offset] if offset < len(page) else None

    def record(self, row: int) -> AssetRecord | None:
        asset_id = self.asset_id(row)
        if asset_id is None:
            return None
        rec = self._records.get(asset_id)
        if rec is None:
            self._want_record(asset_id)
        return rec

    def cached_record(self, asset_id: str) -> AssetRecord | None:
        return self._records.get(asset_id)

    def row_of(self, asset_id: str) -> int | None:
        return self._rows.get(asset_id)

    def update_record(self, record: AssetRecord) -> None:
        """Show an edit at once, before the refresh that follows it arrives."""
        if record.id in self._records:
            self._records[record.id] = record
            row = self._rows.get(record.id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, 0))

    def _want_page(self, page: int) -> None:
        if page not in self._pages_in_flight:
            self._want_pages.add(page)
            self._fetch_timer.start()

    def _want_record(self, asset_id: str) -> None:
        if asset_id not in self._records_in_flight:
            self._want_records.add(asset_id)
            self._fetch_timer.start()

    # --- Qt model API ----------------------------------------------------------------

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= self._count:
            return None
        if role == AssetRole.Id:
            return self.asset_id(index.row())
        if role in (AssetRole.Record, Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            rec = self.record(index.row())
            if rec is None or role == AssetRole.Record:
                return rec
            if role == Qt.ItemDataRole.DisplayRole:
                return rec.name
            return f"{rec.name}\n{rec.asset_type.capitalize()} · {rec.format.upper()}"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ITEM_FLAGS

    def out_paths(self, records: Sequence[AssetRecord]) -> list[Path]:
        """Paths to hand another application: real-named exports; files gone missing left out."""
        paths = []
        for r in records:
            source = self.library.file_path(r)
            if self.exports is None:
                paths.append(source)
                continue
            try:
                paths.append(self.exports.export(source, r))
            except OSError:
                continue
        return paths

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list", ASSET_IDS_MIME]

    def supportedDragActions(self) -> Qt.DropAction:
        # Copy only: another application must never take the library's own file away.
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        records = [r for r in (self.record(i.row()) for i in indexes if i.isValid()) if r]
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in self.out_paths(records)])
        mime.setData(ASSET_IDS_MIME, "\n".join(r.id for r in records).encode("ascii"))
        return mime
