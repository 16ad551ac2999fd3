"""SyncEngine: plan and apply a sync with one remote, and remember how it went (shared by CLI and window)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.client.api import ApiClient
from app.client.errors import ServerUnreachable
from app.client.v1 import V1Client
from app.core.errors import AtelierError
from app.library.records import CancelToken
from app.library.service import LibraryService
from app.library.sync_state import sync_lock
from app.library.sync_store import RemoteConfig, SyncStore
from app.sync.apply import Applier, Outcome, ProgressFn
from app.sync.campaign_rights import SUMMARY_KEY as CAMPAIGN_KEY
from app.sync.campaign_rights import sync_campaign_rights
from app.sync.errors import Cancelled, MassDeletion, SyncError
from app.sync.pending import FIND_KEY, find_pending
from app.sync.plan import LocalView, Plan, Planner, changed_fields
from app.sync.remote import Remote
from app.sync.reviews import pull_reviews
from app.sync.smart import SUMMARY_KEY as SMART_KEY
from app.sync.smart import sync_smart_folders
from app.sync.v1 import V1Remote, carries
from app.sync.v2 import V2Remote


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """Network knobs (tests shorten them; the defaults suit a real network)."""

    timeout: tuple[float, float] = (10.0, 60.0)
    retries: int = 3
    backoff: float = 0.5
    # Uploads in flight at once (at most what the remote allows): while one waits for the
    # server to store and thumbnail a file, the next is already on the wire.
    parallel_uploads: int = 3


def open_remote(config: RemoteConfig, options: ClientOptions | None = None) -> Remote:
    """The Remote for a configured server, by its dialect."""
    opts = options or ClientOptions()
    if config.kind == "v2":
        client = ApiClient(
            config.url,
            config.token,
            timeout=opts.timeout,
            retries=opts.retries,
            backoff=opts.backoff,
        )
        return V2Remote(client)
    if config.kind == "v1":
        v1 = V1Client(
            config.url, config.token, timeout=opts.timeout, retries=opts.retries, backoff=opts.backoff
        )
        return V1Remote(v1)
    raise SyncError(f"Syncing with a {config.kind} server is not supported yet")


@dataclass(slots=True)
class SyncReport:
    plan: Plan
    dry_run: bool = False
    outcome: Outcome = field(default_factory=Outcome)
    new_reviews: int = 0  # clients' decisions and comments that arrived (share links)
    smart_folders: int = 0  # smart folders created, edited or deleted here by the merge
    # [latest smart-folder edit here, on the server] after the merge: unchanged, the next
    # sync sends nothing.
    smart_marker: list[str | None] | None = None
    campaign_rights: int = 0  # campaigns whose rights the merge changed here
    campaign_marker: list[str | None] | None = None  # [latest campaign-rights edit here, on the server] after it
    find: bool = False  # the server takes ratings, labels and rights: they count as pending

    @property
    def ok(self) -> bool:
        return not self.outcome.failed

    def summary(self) -> dict[str, Any]:
        return {
            "done": dict(self.outcome.done),
            "skipped": len(self.outcome.skipped),
            "failed": len(self.outcome.failed),
            "mode": self.plan.mode,
            **({"reviews": self.new_reviews} if self.new_reviews else {}),
            **({"smart_folders": self.smart_folders} if self.smart_folders else {}),
            **({SMART_KEY: self.smart_marker} if self.smart_marker is not None else {}),
            **({"campaign_rights": self.campaign_rights} if self.campaign_rights else {}),
            **({CAMPAIGN_KEY: self.campaign_marker} if self.campaign_marker is not None else {}),
            **({FIND_KEY: True} if self.find else {}),
        }


_locks: dict[tuple[str, int], threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(lib: LibraryService, remote_id: int) -> threading.Lock:
    key = (str(lib.data_dir.resolve()), remote_id)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


class SyncEngine:
    """Sync one library with one remote. plan() reads only; run() plans, guards and applies."""

    def __init__(
        self,
        lib: LibraryService,
        remote: RemoteConfig | str | None = None,
        *,
        options: ClientOptions | None = None,
        remote_factory: Callable[[RemoteConfig], Remote] | None = None,
    ) -> None:
        self.lib = lib
        self.store = SyncStore(lib)
        self.config = remote if isinstance(remote, RemoteConfig) else self.store.get_remote(remote)
        self.options = options or ClientOptions()
        self._factory = remote_factory or (lambda cfg: open_remote(cfg, self.options))

    def _refresh(self) -> RemoteConfig:
        self.config = self.store.get_remote(self.config.id)
        return self.config

    def plan(self, cancel: CancelToken | None = None) -> Plan:
        """What a sync would do now (talks to the server, changes nothing)."""
        remote = self._factory(self._refresh())
        try:
            caps = remote.connect()
            return Planner(self.lib, self.store, self.config, remote, caps, cancel).plan()
        finally:
            remote.close()

    def run(
        self,
        *,
        dry_run: bool = False,
        force: bool = False,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
        on_plan: Callable[[Plan], None] | None = None,
    ) -> SyncReport:
        """Plan, then (unless dry_run) apply. Raises MassDeletion without force when it would
        delete over half of a side; the outcome is recorded for `sync status` either way."""
        busy = f"a sync with {self.config.name} is already running in another window or command"
        lock = _lock_for(self.lib, self.config.id)
        if not lock.acquire(blocking=False):
            raise SyncError(busy)
        try:
            # Another process (the window, the CLI) syncing the same library and remote.
            across = sync_lock(self.lib, self.config.id)
            if not across.acquire():
                raise SyncError(busy)
            try:
                return self._run(dry_run, force, progress, cancel, on_plan)
            finally:
                across.release()
        finally:
            lock.release()

    def _run(
        self,
        dry_run: bool,
        force: bool,
        progress: ProgressFn | None,
        cancel: CancelToken | None,
        on_plan: Callable[[Plan], None] | None,
    ) -> SyncReport:
        remote = self._factory(self._refresh())
        rid = self.config.id
        try:
            caps = remote.connect()
            plan = Planner(self.lib, self.store, self.config, remote, caps, cancel).plan()
            if on_plan is not None:
                on_plan(plan)
            report = SyncReport(plan, dry_run=dry_run)
            report.outcome.warnings.extend(plan.warnings)
            if dry_run:
                return report
            guard = plan.mass_deletion()
            if guard and not force:
                raise MassDeletion(f"{guard}; nothing was changed. Run again with --force if that is what you want")
            slots = min(self.options.parallel_uploads, getattr(remote, "upload_slots", 1))
            report.outcome = Applier(
                self.lib, self.store, remote, plan, progress, cancel, upload_slots=slots
            ).run()
            # Clients' decisions and comments on the assets now linked (share links).
            try:
                report.new_reviews = pull_reviews(self.lib, self.store, remote, rid)
            except AtelierError as exc:  # the assets are in sync; the reviews come next time
                report.outcome.warnings.append(f"Reviews not fetched: {exc}")
            try:
                report.smart_folders, report.smart_marker = sync_smart_folders(
                    self.lib, remote, caps, plan.smart_folders_at,
                    self.config.last_summary.get(SMART_KEY) if self.config.last_status == "ok" else None,
                )
            except AtelierError as exc:  # as for reviews: the folders come next time
                report.outcome.warnings.append(f"Smart folders not synced: {exc}")
            report.find = caps.find
            try:
                report.campaign_rights, report.campaign_marker = sync_campaign_rights(
                    self.lib, remote, caps, plan.campaign_rights_at,
                    self.config.last_summary.get(CAMPAIGN_KEY) if self.config.last_status == "ok" else None,
                    quiet=not plan.actions,
                )
            except AtelierError as exc:  # as for smart folders: the rights come next time
                report.outcome.warnings.append(f"Campaign rights not synced: {exc}")
                # The last merge's marker stays, so edits since still count as waiting.
                last_at = self.config.last_summary.get(CAMPAIGN_KEY)
                report.campaign_marker = last_at if isinstance(last_at, list) else None
        except ServerUnreachable as exc:
            self.store.record(rid, "offline", error=str(exc), finished=False)
            raise
        except Cancelled:
            self.store.record(rid, "cancelled", error="Cancelled; the next sync resumes", finished=False)
            raise
        except MassDeletion as exc:
            self.store.record(rid, "guarded", error=str(exc), finished=False)
            raise
        except AtelierError as exc:
            self.store.record(rid, "error", error=str(exc), finished=False)
            raise
        finally:
            remote.close()
        if report.ok:
            self.store.record(
                rid,
                "ok",
                summary=report.summary(),
                cursor=plan.new_cursor,
                mode=plan.mode,
                local_cursor=plan.local_cursor,
            )
        else:
            # The cursor stays: the failed items come round again next time.
            self.store.record(
                rid, "error", error=report.outcome.failed[0], summary=report.summary(), mode=plan.mode
            )
        return report

    def pending_here(self) -> int:
        """Local changes the server has not got yet, counted without the network."""
        # Ratings, labels and rights count once the last sync found a server that takes them.
        view = LocalView(self.lib, bool(self.config.last_summary.get(FIND_KEY)))
        links = self.store.links(self.config.id)
        known = {l.asset_id for l in links if l.asset_id}
        n = sum(
            1 for aid, a in view.assets.items() if aid not in known and carries(self.config.kind, a)
        )
        for link in links:
            if link.state != "linked" or link.base is None:
                n += link.state == "uploading"
                continue
            current = view.assets.get(link.asset_id or "")
            if current is None or changed_fields(view.snapshot(current), link.base):
                n += 1
        return n + find_pending(self.lib, self.config.last_summary)
