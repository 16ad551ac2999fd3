"""Smart folder counts, recounted sparingly: one count in flight, none while nothing changed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.gui.sidebar import SmartItem
from app.gui.smart_folders import count_items
from app.gui.tasks import Tasks
from app.library.service import LibraryService

log = logging.getLogger(__name__)
# Each folder is a count over the whole library (about 0.3 s for a rating rule at 1M assets):
# while an import streams in, recounts start at most this often, later when they run long.
MIN_GAP_S = 1.0
MAX_GAP_S = 2.5  # so counts are right within a couple of seconds after changes stop
MAX_AGE_S = 300.0  # rights expire by the clock, not by a commit: count again now and then
Key = tuple[str, tuple[str, ...], str]


def _key(item: SmartItem) -> Key:
    return (item.id, item.rules, item.match)


class SmartCounts(QObject):
    """The window's smart folder counts: request() after every reload, counted() when new ones land.

    A request is skipped when the library's data version has not moved since the last count
    (a reload for a sidebar click, a commit the live poll and the command both report);
    one that comes while a count runs is remembered and served once it lands.
    """

    counted = Signal()

    def __init__(self, library: LibraryService, uid: int, tasks: Tasks, parent: QObject | None = None,
                 *, count: Callable[[LibraryService, int, list[SmartItem]], list[SmartItem]] | None = None) -> None:
        super().__init__(parent)
        self.library, self.uid, self.tasks = library, uid, tasks
        self._count = count or count_items
        self.counts: dict[Key, int] = {}
        self.recounts = 0  # how many counts ran (tests, logs)
        self._items: list[SmartItem] = []
        self._version: int | None = None  # the data version the last count started from
        self._started = 0.0
        self._took = 0.0
        self._in_flight = False
        self._dirty = False
        self._later = QTimer(self, singleShot=True)
        self._later.timeout.connect(lambda: self.request(self._items))

    def fill(self, items: list[SmartItem]) -> list[SmartItem]:
        """The items with their last known counts (-1: not counted yet)."""
        return [
            SmartItem(i.id, i.name, i.rules, i.match, self.counts.get(_key(i), -1)) for i in items
        ]

    def request(self, items: list[SmartItem]) -> None:
        self._items = list(items)
        if self._in_flight:
            self._dirty = True
            return
        try:
            version = self.library.data_version()
        except Exception:  # a library gone away for a moment: count anyway
            log.debug("data version unreadable", exc_info=True)
            version = None
        now = time.monotonic()
        known = all(_key(i) in self.counts for i in items)
        if known and version is not None and version == self._version and now - self._started < MAX_AGE_S:
            return
        # A new folder is counted at once; changes streaming in wait for the gap.
        wait = max(MIN_GAP_S, min(2 * self._took, MAX_GAP_S)) - (now - self._started)
        if known and wait > 0:
            if not self._later.isActive():
                self._later.start(int(wait * 1000) + 1)
            return
        self._later.stop()
        self._start(version)

    def _start(self, version: int | None) -> None:
        self._in_flight, self._dirty = True, False
        self._version, self._started = version, time.monotonic()
        self.recounts += 1
        lib, uid, items, count = self.library, self.uid, list(self._items), self._count
        self.tasks.run(lambda: count(lib, uid, items), self._landed, self._failed)

    def _landed(self, items: list[SmartItem]) -> None:
        self._in_flight = False
        self._took = time.monotonic() - self._started
        self.counts = {_key(i): i.count for i in items}
        self.counted.emit()
        if self._dirty:
            self._dirty = False
            self.request(self._items)

    def _failed(self, error: object) -> None:
        self._in_flight = False
        self._version = None  # try again on the next request
        log.warning("smart folder counts failed: %s", error)
