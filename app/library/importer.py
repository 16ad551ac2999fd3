"""ImportSession: the import workflow, written once; front ends only supply progress and cancel."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import RejectedFile
from app.core.ingest import Ingested, ingest_path, warm_up
from app.library.records import (
    CancelToken,
    Duplicate,
    ImportProgress,
    ImportReport,
    Rejected,
)

if TYPE_CHECKING:
    from app.library.service import LibraryService, Target

# Files a file manager leaves in folders; skipped quietly instead of reported as rejected.
JUNK_NAMES = frozenset({"thumbs.db", "desktop.ini", "icon\r"})
# A commit costs a few milliseconds whatever its size (two transactions, a folder fsync):
# batches of a second keep that off the import's path while new assets still appear often.
BATCH_SIZE = 64
BATCH_SECONDS = 1.0


def expand(paths: Sequence[Path], ignored: list[Path], cancel: CancelToken | None) -> list[Path]:
    """Files under the given paths, recursively, in a stable order; hidden and junk files skipped."""
    out: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)

    for path in paths:
        path = Path(path)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                if cancel is not None and cancel.cancelled:
                    return out
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    full = Path(root) / name
                    if name.startswith(".") or name.lower() in JUNK_NAMES:
                        ignored.append(full)
                    else:
                        add(full)
        else:
            add(path)
    return out


def _inline_executor() -> Executor:
    return ThreadPoolExecutor(max_workers=1)


def start_workers(workers: int) -> Executor:
    """A pool of `workers` processes that start loading the ingest code at once.

    A front end calls it before opening the library, so that the workers' start-up (a
    new interpreter each, plus Pillow and libmagic) overlaps with its own; it passes the
    pool to ImportSession and shuts it down afterwards.
    """
    # spawn, not fork: the caller may be a multi-threaded GUI or server process.
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn")
    )
    # A pool spawns a process per task waiting for one, up to max_workers: one each.
    for _ in range(workers):
        pool.submit(warm_up)
    return pool


class ImportSession:
    """Runs ingest (hash, probe, thumbnail) on every core and commits results in batches."""

    def __init__(
        self,
        library: LibraryService,
        paths: Sequence[Path],
        target: Target,
        *,
        allow_duplicates: bool = False,
        progress: Callable[[ImportProgress], None] | None = None,
        cancel: CancelToken | None = None,
        workers: int | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.library = library
        self.paths = list(paths)
        self.target = target
        self.allow_duplicates = allow_duplicates
        self.progress_cb = progress
        self.cancel = cancel or CancelToken()
        self.workers = workers or os.cpu_count() or 1
        self.executor = executor  # the caller's (see start_workers); it shuts it down
        self.report = ImportReport()
        self._batch: list[tuple[Ingested, str, str | None, None]] = []
        # Each file's fsync, started as it arrives: the workers never wait for the disk,
        # and a batch is placed only once every file in it is on disk.
        self._synced: dict[int, Future[None]] = {}
        self._syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-fsync")
        self._batch_started = time.monotonic()
        self._batch_sources: list[Path] = []
        # Files this session keeps, by hash: (asset id once committed, else "", name).
        self._kept: dict[str, tuple[str, str]] = {}
        # Duplicates reported against a file of this session that was not committed yet:
        # (index in report.duplicates, hash), corrected if that file turns out to be one too.
        self._provisional: list[tuple[int, str]] = []
        self._prog = ImportProgress(total=0)

    def _emit(self, prog: ImportProgress) -> None:
        if self.progress_cb is not None:
            self.progress_cb(prog)

    def run(self) -> ImportReport:
        self.library._check_target(self.target)
        files = expand(self.paths, self.report.ignored, self.cancel)
        prog = self._prog = ImportProgress(total=len(files))
        self._emit(prog)
        if not files:
            self.report.cancelled = self.cancel.cancelled
            return self.report
        try:
            with self._executor(len(files)) as pool:
                self._drive(pool, iter(files), prog)
        finally:
            try:
                self._flush()
            finally:
                self._syncer.shutdown()
        self.report.cancelled = self.cancel.cancelled
        self._emit(prog)
        return self.report

    def _executor(self, count: int) -> AbstractContextManager[Executor]:
        if self.executor is not None:
            return nullcontext(self.executor)
        workers = min(self.workers, count)
        if workers <= 1:
            return _inline_executor()
        return start_workers(workers)

    def _drive(self, pool: Executor, files: Iterator[Path], prog: ImportProgress) -> None:
        lib = self.library
        in_flight: dict[Future[Ingested], Path] = {}
        # Bounded so memory stays flat; deep enough that the workers never run dry while
        # this thread commits a batch (only the few files already handed to a worker
        # still run after a cancel).
        limit = max(4, self.workers * 4)
        exhausted = False
        while in_flight or not exhausted:
            while not exhausted and len(in_flight) < limit and not self.cancel.cancelled:
                src = next(files, None)
                if src is None:
                    exhausted = True
                    break
                fut = pool.submit(
                    ingest_path,
                    src,
                    lib.storage.staging_dir,
                    lib.max_bytes,
                    lib.probe_timeout,
                    False,  # no fsync in the worker: _settle hands that to the syncer
                )
                in_flight[fut] = src
            if self.cancel.cancelled:
                exhausted = True
                for fut in in_flight:
                    fut.cancel()
            if not in_flight:
                break
            done, _ = wait(in_flight, timeout=0.2, return_when=FIRST_COMPLETED)
            # In the order they were handed out, not the set's: a batch keeps the files'
            # order, so of two look-alikes found together the one listed first is the original.
            for fut in [f for f in in_flight if f in done]:
                src = in_flight.pop(fut)
                self._settle(fut, src, prog)
            if self._batch and (
                len(self._batch) >= BATCH_SIZE
                or time.monotonic() - self._batch_started > BATCH_SECONDS
            ):
                self._flush()

    def _settle(self, fut: Future[Ingested], src: Path, prog: ImportProgress) -> None:
        prog.done += 1
        prog.current = src.name
        if fut.cancelled():
            prog.done -= 1
            return
        try:
            ingested = fut.result()
        except RejectedFile as exc:
            self.report.rejected.append(Rejected(src, str(exc)))
            prog.rejected += 1
        except BrokenProcessPool:
            self.report.rejected.append(Rejected(src, "The import worker stopped unexpectedly"))
            prog.rejected += 1
        except OSError as exc:
            self.report.rejected.append(Rejected(src, f"Cannot read file: {exc.strerror or exc}"))
            prog.rejected += 1
        else:
            if self.cancel.cancelled:
                ingested.discard()
            elif not self.allow_duplicates and self._is_duplicate(ingested, src):
                ingested.discard()
                prog.duplicates += 1
            else:
                if not self._batch:
                    self._batch_started = time.monotonic()
                self._synced[id(ingested)] = self._syncer.submit(ingested.fsync)
                self._batch.append((ingested, src.name, None, None))
                self._batch_sources.append(src)
                self._kept[ingested.staged.sha256] = ("", src.name)
                prog.imported += 1
        self._emit(prog)

    def _is_duplicate(self, ingested: Ingested, src: Path) -> bool:
        """A file this session already keeps; the library's own assets are checked per batch."""
        sha = ingested.staged.sha256
        kept = self._kept.get(sha)
        if kept is None:
            return False
        if not kept[0]:
            self._provisional.append((len(self.report.duplicates), sha))
        self.report.duplicates.append(Duplicate(src, *kept))
        return True

    def _drop_existing(
        self, batch: list[tuple[Ingested, str, str | None, None]], sources: list[Path]
    ) -> None:
        """Move files the library already holds from the batch to the duplicates: one query."""
        if self.allow_duplicates:
            return
        found = self.library.find_duplicates(
            [ingested.staged.sha256 for ingested, *_ in batch], self.target.user_id
        )
        if not found:
            return
        keep = []
        for item, src in zip(batch, sources):
            sha = item[0].staged.sha256
            existing = found.get(sha)
            if existing is None:
                keep.append(item)
                continue
            item[0].discard()
            self._kept[sha] = (existing.id, existing.name)
            self.report.duplicates.append(Duplicate(src, existing.id, existing.name))
            self._prog.imported -= 1
            self._prog.duplicates += 1
        for index, sha in self._provisional:
            if sha in found:
                self.report.duplicates[index] = Duplicate(
                    self.report.duplicates[index].path, *self._kept[sha]
                )
        batch[:] = keep
        self._emit(self._prog)

    def _flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        sources, self._batch_sources = self._batch_sources, []
        synced, self._synced = self._synced, {}
        try:
            for ingested, *_ in batch:
                synced[id(ingested)].result()  # an OSError (disk full, I/O error) fails the batch
            self._drop_existing(batch, sources)
            records = self.library.commit_ingested(batch, self.target)
        except BaseException:
            for ingested, *_ in batch:
                ingested.discard()
            raise
        self.report.imported.extend(records)
        self.report.looks_like.extend(
            (x.asset_id, x.name, x.like_id, x.like_name, x.bits)
            for x in self.library.find.looks_like(records)
        )
        for (ingested, *_), record in zip(batch, records):
            self._kept[ingested.staged.sha256] = (record.id, record.name)
        self._provisional.clear()
