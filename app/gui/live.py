"""Keeps the window current: notices commits by any process and reloads only what changed."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.library.records import AssetRecord, ChangeSet

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

log = logging.getLogger(__name__)
POLL_MS = 250
# A reload of a big library costs tens of milliseconds: while changes stream in (an import
# in another process) the window reloads at most this often, and once more when they stop.
MIN_RELOAD_S = 0.6
MAX_PAUSE_S = 1.2  # the longest pause between reloads, so the last change still shows within ~2 s
MAX_IN_FLIGHT_S = 10.0  # a reload that never reports back does not stop the next one


class LiveLibrary(QObject):
    """Polls the library's data version; on a change, refreshes the grid, counts and sidebar
    in place and hands changed records (from the change cursor) to the grid and details."""

    changed = Signal()
    records_changed = Signal(list)  # list[AssetRecord]

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.version = self.library.data_version()
        self.cursor = self.library.current_cursor()
        self._last_reload = 0.0
        self._fetching = False
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self.poll)
        self._later = QTimer(self, singleShot=True)
        self._later.timeout.connect(self._reload)
        # One reload in flight at a time: on a big library under load a reload can take longer
        # than MIN_RELOAD_S, and starting more would only queue stale queries behind it (a
        # 100k window fell 13 s behind a CLI import that way). A change seen meanwhile is
        # remembered and reloaded once the one in flight has landed.
        self._in_flight = False
        self._dirty = False
        self._took = 0.0  # how long the last reload took to land
        window.model.query_loaded.connect(self._landed)
        self._poll.start()

    def stop(self) -> None:
        self._poll.stop()
        self._later.stop()

    @Slot()
    def poll(self) -> None:
        try:
            version = self.library.data_version()
        except Exception:  # a library gone away for a moment: the next poll tries again
            log.debug("data version unreadable", exc_info=True)
            return
        if version == self.version:
            return
        self.version = version
        self.changed.emit()
        self._schedule()
        self._fetch_changes()

    def _schedule(self) -> None:
        if self._in_flight and time.monotonic() - self._last_reload < MAX_IN_FLIGHT_S:
            self._dirty = True
            return
        # A slow reload (a big library, a busy machine) spaces the next one further apart, so
        # that painting keeps most of the time while changes stream in.
        wait = max(MIN_RELOAD_S, min(2 * self._took, MAX_PAUSE_S)) - (time.monotonic() - self._last_reload)
        if wait <= 0:
            self._reload()
        elif not self._later.isActive():
            self._later.start(int(wait * 1000))

    def _reload(self) -> None:
        self._last_reload = time.monotonic()
        self._in_flight, self._dirty = True, False
        self.window.refresh()

    @Slot(int)
    def _landed(self, _count: int) -> None:
        if not self._in_flight:
            return
        self._in_flight = False
        # The pause counts from the landing: the GUI thread gets frames between reloads.
        now = time.monotonic()
        self._took = min(now - self._last_reload, 5.0)
        self._last_reload = now
        if self._dirty:
            self._dirty = False
            self._schedule()

    def _fetch_changes(self) -> None:
        if self._fetching:
            return
        self._fetching = True
        lib, uid, cursor = self.library, self.window.uid, self.cursor

        def work() -> ChangeSet:
            return lib.changes_since(cursor, uid, limit=500)

        self.window.tasks.run(work, self._apply_changes, self._failed)

    def _failed(self, error: object) -> None:
        self._fetching = False
        log.warning("change feed unreadable: %s", error)

    def _apply_changes(self, changes: ChangeSet) -> None:
        self._fetching = False
        self.cursor = changes.cursor
        if changes.assets:
            self.records_changed.emit(list(changes.assets))
        if changes.has_more:
            self._fetch_changes()

    def apply_to_window(self, records: list[AssetRecord]) -> None:
        window = self.window
        for record in records:
            if window.model.cached_record(record.id) is not None:
                window.model.update_record(record)
            shown = window.details.record
            if shown is not None and shown.id == record.id and shown != record:
                window.details.show_record(record)
