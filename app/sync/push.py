"""The uploads of a plan, several in flight at once, with their journal and links written in batches."""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from app.client.errors import ApiError, InvalidRequest, ProtocolError
from app.core.errors import AtelierError, FileTooLarge, RejectedFile
from app.core.formats import FORMAT_MIME
from app.core.hashing import sha256_file
from app.library.find_sync import EMPTY_RIGHTS
from app.library.records import AssetRecord
from app.library.sync_store import Link
from app.sync.errors import FATAL, Cancelled
from app.sync.plan import UPLOAD, Action
from app.sync.remote import Filing, RemoteAsset, Snapshot

if TYPE_CHECKING:
    from app.sync.apply import Applier

# Journal entries written per transaction, just ahead of sending them: few enough that a
# cancel leaves little journalled but unsent (harmless: it resumes with its key).
JOURNAL_BATCH = 16
# Links written per transaction. Uploads that landed but are not linked yet when the process
# dies are found again by the next sync (same key, or same bytes in the change feed).
LINK_BATCH = 32
# How often the coordinator looks at Cancel and reports bytes while uploads are in flight.
POLL = 0.1

LinkRow = tuple[str, str, str, Snapshot, datetime | None]


@dataclass(slots=True)
class _Job:
    index: int  # place among this stage's actions, for reporting in plan order
    action: Action
    size: int
    link: Link | None = None  # the journal entry, written just before dispatch


class Pusher:
    """Sends one plan's uploads with up to `slots` in flight, from worker threads.

    Only the coordinator (the thread that calls run()) touches the library and reports
    progress; workers only send. Every upload is journalled with its Idempotency-Key before
    it is sent, so whatever stops the push (Cancel, a dead server, a killed process), the
    next sync resumes it without storing anything twice.
    """

    def __init__(self, applier: Applier, actions: list[Action], slots: int) -> None:
        self.applier = applier
        self.actions = actions
        self.slots = max(1, slots)
        self.store = applier.store
        self.remote = applier.remote
        self.remote_id = applier.remote_id
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._results: queue.SimpleQueue[tuple[_Job, RemoteAsset | None, BaseException | None]] = (
            queue.SimpleQueue()
        )
        self._stop = threading.Event()
        self._fatal: BaseException | None = None
        self._links: list[LinkRow] = []
        self._notes: list[tuple[int, str, str]] = []  # (index, 'skipped' | 'failed', text)
        self._sent: dict[int, int] = {}
        self._sent_lock = threading.Lock()
        self._bytes_total = 0
        self._bytes_done = 0  # bytes of finished uploads
        self._message = ""
        self._shown: tuple[str, int] | None = None
        # Journalled but not yet handed to a worker: forgotten again if the push stops, so
        # the next plan marks "(resumed)" only uploads that had really started.
        self._journalled: deque[_Job] = deque()

    # --- coordinator ---------------------------------------------------------------------

    def run(self) -> None:
        jobs = self._prepare()
        if jobs:
            self._bytes_total = sum(job.size for job in jobs)
            workers = [
                threading.Thread(target=self._work, name=f"sync-upload-{n}", daemon=True)
                for n in range(min(self.slots, len(jobs)))
            ]
            for worker in workers:
                worker.start()
            try:
                self._drive(jobs)
            finally:
                self._stop.set()
                for _ in workers:
                    self._jobs.put(None)
                for worker in workers:
                    worker.join()
                # Uploads that finished while the others were stopping are kept too.
                while True:
                    try:
                        self._settle(*self._results.get_nowait())
                    except queue.Empty:
                        break
                self._flush_links()
                for job in self._journalled:
                    if job.link is not None and job.action.link is None:
                        self.store.drop(job.link.id)
        outcome = self.applier.outcome
        for _, kind, text in sorted(self._notes):
            (outcome.skipped if kind == "skipped" else outcome.failed).append(text)
        if self._fatal is not None:
            raise self._fatal

    def _prepare(self) -> list[_Job]:
        """The uploads still to send (one read for all of them); the others are settled here."""
        current = self.store.links_for_assets(
            self.remote_id, [a.local.id for a in self.actions if a.local is not None]
        )
        limit = self.applier.plan.caps.max_upload_bytes
        jobs = []
        for index, a in enumerate(self.actions):
            L = a.local
            assert L is not None and a.base is not None
            link = current.get(L.id)
            if a.link is None and link is not None and link.state == "linked":
                self.applier._done += 1  # paired with a download earlier in this sync
                continue
            if not self._verified(L):
                reason = "its file changed on disk since it was imported (run `atelier check`)"
                self._notes.append((index, "skipped", f"{a.label}: not sent: {reason}"))
                self.applier._done += 1
                continue
            if limit is not None and L.size is not None and L.size > limit:
                self._refused(index, a, str(FileTooLarge(limit)))
                self.applier._done += 1
                continue
            jobs.append(_Job(index, a, max(L.size or 0, 0)))
        return jobs

    def _verified(self, L: AssetRecord) -> bool:
        """The file still holds the bytes recorded at import: nothing unverified leaves."""
        try:
            return sha256_file(self.applier.lib.file_path(L)) == L.sha256
        except OSError:
            return False

    def _drive(self, jobs: list[_Job]) -> None:
        pending = deque(jobs)
        journalled = self._journalled
        in_flight = 0
        while True:
            if self._fatal is None and self.applier.cancel is not None and self.applier.cancel.cancelled:
                self._stop_with(Cancelled("Sync cancelled"))
            while self._fatal is None and in_flight < self.slots and (journalled or pending):
                if not journalled:
                    journalled.extend(self._journal(pending))
                job = journalled.popleft()
                self._jobs.put(job)
                in_flight += 1
                self._message = f"Uploading {job.action.label}"
                self._report()
            if in_flight == 0:
                return
            try:
                result = self._results.get(timeout=POLL)
            except queue.Empty:
                self._report()
                continue
            in_flight -= 1
            self._settle(*result)
            self._report()
            if len(self._links) >= LINK_BATCH:
                self._flush_links()

    def _journal(self, pending: deque[_Job]) -> list[_Job]:
        batch = [pending.popleft() for _ in range(min(JOURNAL_BATCH, len(pending)))]
        links = self.store.begin_uploads(
            self.remote_id,
            [(j.action.local.id, j.action.local.sha256, j.action.base) for j in batch],  # type: ignore[union-attr,misc]
        )
        for job, link in zip(batch, links):
            job.link = link
        return batch

    def _settle(self, job: _Job, R: RemoteAsset | None, exc: BaseException | None) -> None:
        """Book one finished upload: link it, or note why it failed, or stop on a fatal error."""
        self.applier._done += 1
        self._bytes_done += job.size
        with self._sent_lock:
            self._sent.pop(job.index, None)
        a, L = job.action, job.action.local
        assert L is not None and a.base is not None
        if exc is None:
            assert R is not None
            base = Snapshot(
                R.name, R.tags, R.filing if R.filing is not None else a.base.filing,
                R.rating, R.label, R.rights,
            )
            self._links.append((L.id, R.id, L.sha256, base, R.updated_at))
            self.applier.outcome.count(UPLOAD)
            return
        if isinstance(exc, FATAL) or not isinstance(exc, (ApiError, AtelierError, OSError)):
            # A server-wide failure (or a bug): stop sending; the journal resumes the rest.
            self._stop_with(exc)
        elif isinstance(exc, (RejectedFile, InvalidRequest)):
            self._refused(job.index, a, str(exc))
        else:
            self._note(job, "failed", f"{a.label}: {exc}")

    def _stop_with(self, exc: BaseException) -> None:
        if self._fatal is None:
            self._fatal = exc
        self._stop.set()

    def _refused(self, index: int, a: Action, reason: str) -> None:
        """A file the server refuses: remembered, so it is not sent again and again."""
        assert a.local is not None
        self.store.skip(
            self.remote_id, asset_id=a.local.id, remote_asset_id=None, direction="up", reason=reason
        )
        self._notes.append((index, "skipped", f"{a.label}: the server refused: {reason}"))

    def _note(self, job: _Job, kind: str, text: str) -> None:
        self._notes.append((job.index, kind, text))

    def _flush_links(self) -> None:
        if self._links:
            rows, self._links = self._links, []
            self.store.set_linked_many(self.remote_id, rows)

    def _report(self) -> None:
        with self._sent_lock:
            moving = sum(self._sent.values())
        done = self._bytes_done + moving
        if self._shown != (self._message, done):
            self._shown = (self._message, done)
            self.applier._report(self._message, done, self._bytes_total)

    # --- workers -------------------------------------------------------------------------

    def _work(self) -> None:
        try:
            while (job := self._jobs.get()) is not None:
                try:
                    R = self._send(job)
                except BaseException as exc:  # handed to the coordinator, which decides
                    self._results.put((job, None, exc))
                else:
                    self._results.put((job, R, None))
        finally:
            release = getattr(self.remote, "release_thread", None)
            if release is not None:
                try:
                    release()
                except Exception:  # closing idle connections: nothing worth reporting
                    pass

    def _send(self, job: _Job) -> RemoteAsset:
        a, L, link = job.action, job.action.local, job.link
        assert L is not None and a.base is not None and link is not None
        if self._stop.is_set():
            raise Cancelled("Sync cancelled")
        R = self.remote.upload(
            self.applier.lib.file_path(L),
            name=L.name,
            tags=list(L.tags or ()),
            filing=a.base.filing or Filing(),
            content_type=FORMAT_MIME.get(L.format, "application/octet-stream"),
            key=link.idem_key,
            progress=self._progress(job),
            purpose=L.purpose,
        )
        if R.size is not None and L.size is not None and R.size != L.size:
            raise ProtocolError(
                f"The server stored {R.size} bytes for {L.name!r} instead of {L.size}"
            )
        if self.applier.plan.caps.find:
            R = self._send_facts(L.id, R, a.base)
        return R

    def _progress(self, job: _Job) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            # Raising here stops the body mid-way: Cancel, or another upload's fatal error.
            if self._stop.is_set() or (
                self.applier.cancel is not None and self.applier.cancel.cancelled
            ):
                raise Cancelled("Sync cancelled")
            sent = job.size * min(done, total) // total if total > 0 else 0
            with self._sent_lock:
                # A retry starts the body again: never move backwards.
                if sent > self._sent.get(job.index, 0):
                    self._sent[job.index] = sent

        return report

    def _send_facts(self, asset_id: str, R: RemoteAsset, base: Snapshot) -> RemoteAsset:
        """Rating, label and rights set here go with the new upload, with their edit times;
        the RemoteAsset returned says what the server then holds (a new asset: nothing set)."""
        facts = {
            f: getattr(base, f)
            for f, empty in (("rating", 0), ("label", ""), ("rights", EMPTY_RIGHTS))
            if getattr(base, f) is not None and getattr(base, f) != empty
        }
        if facts:
            times = self.applier.lib.edit_times([asset_id]).get(asset_id, {})
            self.remote.update(
                R.id, **facts, edit_times={f: t for f, t in times.items() if f in facts}  # type: ignore[arg-type]
            )
        return replace(
            R,
            rating=facts.get("rating", 0),  # type: ignore[arg-type]
            label=facts.get("label", ""),  # type: ignore[arg-type]
            rights=facts.get("rights", EMPTY_RIGHTS),  # type: ignore[arg-type]
        )
