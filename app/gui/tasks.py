"""The one background-task helper: run a callable off the GUI thread, call back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Lane = Literal["read", "write", "import", "sync", "check"]
Callback = Callable[[Any], None]


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, the queued connection brings results home."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, on_success: Callback | None, on_failure: Callback | None, parent: QObject) -> None:
        # Parented to Tasks: when the window goes, pending results are dropped with it.
        super().__init__(parent)
        self._on_success = on_success
        self._on_failure = on_failure
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_failure)

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        if self._on_success is not None:
            self._on_success(result)
        self.deleteLater()

    @Slot(object)
    def _deliver_failure(self, error: object) -> None:
        if self._on_failure is not None:
            self._on_failure(error)
        self.deleteLater()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # every failure goes back to the GUI as a value
            log.debug("background task failed", exc_info=True)
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class Tasks(QObject):
    """Background work in three lanes.

    Reads run in parallel; writes run one at a time in submission order (so edits land in
    the order the user made them); imports get their own lane because they run for minutes
    and must not hold up a rename; syncs and sync checks get one each.
    """

    task_failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools: dict[str, QThreadPool] = {}
        # sync and check: the Sync strip's lanes (a sync runs for minutes; a status check
        # must not wait behind it).
        for lane, threads in (("read", 3), ("write", 1), ("import", 1), ("sync", 1), ("check", 1)):
            pool = QThreadPool(self)
            pool.setMaxThreadCount(threads)
            self._pools[lane] = pool
        # Relays must outlive their jobs; they delete themselves once they have delivered.
        self._relays: set[_Relay] = set()

    def run(
        self,
        fn: Callable[[], Any],
        on_success: Callback | None = None,
        on_failure: Callback | None = None,
        *,
        lane: Lane = "read",
    ) -> None:
        relay = _Relay(on_success, on_failure or self.task_failed.emit, self)
        self._relays.add(relay)
        relay.destroyed.connect(lambda *_: self._relays.discard(relay))
        self._pools[lane].start(_Job(fn, relay))

    def write(
        self,
        fn: Callable[[], Any],
        on_success: Callback | None = None,
        on_failure: Callback | None = None,
    ) -> None:
        self.run(fn, on_success, on_failure, lane="write")

    def wait(self, msecs: int = 10_000, lanes: tuple[Lane, ...] | None = None) -> bool:
        """Block until every lane (or those named) is idle (shutdown and tests); True if all finished."""
        pools = self._pools.values() if lanes is None else [self._pools[lane] for lane in lanes]
        return all(pool.waitForDone(msecs) for pool in pools)
