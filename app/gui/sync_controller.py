"""SyncController: runs the sync engine off the GUI thread and reports status, progress and outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.client.errors import ServerUnreachable
from app.core.errors import AtelierError
from app.gui.tasks import Lane, Tasks
from app.library.records import CancelToken
from app.library.service import LibraryService
from app.sync import (
    Cancelled,
    ClientOptions,
    MassDeletion,
    RemoteConfig,
    SyncEngine,
    SyncReport,
    SyncStore,
    add_remote,
)
from app.sync.pending import find_pending

STATUS_INTERVAL_MS = 5 * 60 * 1000


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status indicator shows. kind: none, checking, syncing, in-sync, pending, offline, error."""

    kind: str
    text: str
    to_upload: int = 0
    to_download: int = 0
    last_sync: datetime | None = None


class SyncController(QObject):
    status_changed = Signal(object)  # SyncStatus
    progress_changed = Signal(object)  # SyncProgress
    sync_finished = Signal(object)  # SyncReport
    sync_failed = Signal(str)
    confirmation_needed = Signal(str)  # the mass-deletion guard's question
    connect_finished = Signal(object)  # RemoteConfig
    connect_failed = Signal(str)

    def __init__(
        self,
        library: LibraryService,
        parent: QObject | None = None,
        options: ClientOptions | None = None,
        tasks: Tasks | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.options = options or ClientOptions()
        self.store = SyncStore(library)
        self.running = False
        self.status = SyncStatus("none", "Not connected")
        self._cancel: CancelToken | None = None
        # The window's Tasks: a lane for syncs and one for the cheap checks, so a check never
        # waits for a sync.
        self.tasks = tasks if tasks is not None else Tasks(self)
        self._checking = False
        self._timer = QTimer(self)
        self._timer.setInterval(STATUS_INTERVAL_MS)
        self._timer.timeout.connect(self.refresh_status)
        self._timer.start()

    def _submit(self, lane: Lane, fn: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[Any], None]) -> None:
        self.tasks.run(fn, done, failed, lane=lane)

    def remote(self) -> RemoteConfig | None:
        """The window syncs with the first remote (the CLI can sync with any of them)."""
        remotes = self.store.list_remotes()
        return remotes[0] if remotes else None

    def _set_status(self, status: SyncStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    # --- status ---------------------------------------------------------------------------

    @Slot()
    def refresh_status(self) -> None:
        """Ask the server what is waiting (off the GUI thread); offline and errors are statuses."""
        config = self.remote()
        if config is None:
            self._set_status(SyncStatus("none", "Not connected"))
            return
        if self.running or self._checking:
            return
        self._checking = True
        engine = SyncEngine(self.library, config, options=self.options)

        def check() -> SyncStatus:
            last = config.last_sync_at
            try:
                plan = engine.plan()
            except ServerUnreachable:
                waiting = engine.pending_here()
                suffix = f" · {waiting} waiting here" if waiting else ""
                return SyncStatus("offline", f"Offline{suffix}", waiting, 0, last)
            except AtelierError as exc:
                return SyncStatus("error", f"Error: {exc}", last_sync=last)
            # Smart-folder and campaign-rights edits are not in the asset plan: counted apart,
            # so the indicator never says "In sync" while they wait.
            others = find_pending(self.library, config.last_summary)
            if not plan.visible() and not others:
                return SyncStatus("in-sync", "In sync", last_sync=last)
            # Each kind on its own: deletions and edits are not uploads or downloads.
            parts = [plan.counts_text().replace(", ", " · ")] if plan.visible() else []
            if others:
                parts.append(f"{others} other edit{'s' if others != 1 else ''} to send")
            return SyncStatus("pending", " · ".join(parts), plan.to_upload, plan.to_download, last)

        def done(status: SyncStatus) -> None:
            self._checking = False
            if not self.running:
                self._set_status(status)

        def failed(exc: object) -> None:
            self._checking = False
            self._set_status(SyncStatus("error", f"Error: {exc}", last_sync=config.last_sync_at))

        self._submit("check", check, done, failed)

    # --- syncing ----------------------------------------------------------------------------

    def start_sync(self, force: bool = False) -> bool:
        config = self.remote()
        if config is None or self.running:
            return False
        self.running = True
        self._cancel = cancel = CancelToken()
        self._set_status(SyncStatus("syncing", "Syncing…", last_sync=config.last_sync_at))
        engine = SyncEngine(self.library, config, options=self.options)

        def work() -> SyncReport:
            return engine.run(force=force, progress=self.progress_changed.emit, cancel=cancel)

        self._submit("sync", work, self._on_finished, self._on_failed)
        return True

    @Slot()
    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.cancel()

    def _on_finished(self, report: SyncReport) -> None:
        self.running = False
        self._cancel = None
        self.sync_finished.emit(report)
        if not report.ok:
            self._set_status(SyncStatus("error", f"Error: {report.outcome.failed[0]}", last_sync=self._last()))
        self.refresh_status()

    def _on_failed(self, exc: object) -> None:
        self.running = False
        self._cancel = None
        last = self._last()
        if isinstance(exc, MassDeletion):
            self._set_status(SyncStatus("error", "Waiting for your go-ahead", last_sync=last))
            self.confirmation_needed.emit(str(exc))
            return
        if isinstance(exc, Cancelled):
            self._set_status(SyncStatus("pending", "Cancelled; the next sync resumes", last_sync=last))
        elif isinstance(exc, ServerUnreachable):
            self._set_status(SyncStatus("offline", "Offline", last_sync=last))
        else:
            self._set_status(SyncStatus("error", f"Error: {exc}", last_sync=last))
        self.sync_failed.emit(str(exc))

    def _last(self) -> datetime | None:
        config = self.remote()
        return config.last_sync_at if config else None

    # --- connecting -------------------------------------------------------------------------

    def connect_server(self, url: str, user: str | None, password: str | None, token: str | None) -> None:
        def work() -> RemoteConfig:
            return add_remote(self.library, url, username=user, password=password, token=token)

        def done(config: RemoteConfig) -> None:
            self.connect_finished.emit(config)
            self.refresh_status()

        self._submit("check", work, done, lambda exc: self.connect_failed.emit(str(exc)))

    def disconnect_server(self) -> None:
        """Forget the window's server (its sync state with it); the library's assets stay."""
        config = self.remote()
        if config is None:
            return
        self.cancel()
        store = self.store

        def work() -> None:
            store.remove_remote(config.id)

        self._submit("check", work, lambda _r: self.refresh_status(), lambda exc: self.sync_failed.emit(str(exc)))

    def shutdown(self) -> None:
        """On close: stop a running sync at its next step and wait for the workers."""
        self._timer.stop()
        self.cancel()
        self.tasks.wait(30_000, lanes=("sync", "check"))
