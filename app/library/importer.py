"""ImportSession: the import workflow, written once; front ends only supply progress and cancel."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import RejectedFile
from app.core.ingest import Ingested, ingest_path
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
BATCH_SIZE = 32
BATCH_SECONDS = 0.5


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
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=1)


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
    ) -> None:
        self.library = library
        self.paths = list(paths)
        self.target = target
        self.allow_duplicates = allow_duplicates
        self.progress_cb = progress
        self.cancel = cancel or CancelToken()
        self.workers = workers or os.cpu_count() or 1
        self.report = ImportReport()
        self._batch: list[tuple[Ingested, str, str | None, None]] = []
        self._batch_started = time.monotonic()
        self._batch_hashes: dict[str, str] = {}

    def _emit(self, prog: ImportProgress) -> None:
        if self.progress_cb is not None:
            self.progress_cb(prog)

    def run(self) -> ImportReport:
        self.library._check_target(self.target)
        files = expand(self.paths, self.report.ignored, self.cancel)
        prog = ImportProgress(total=len(files))
        self._emit(prog)
        if not files:
            self.report.cancelled = self.cancel.cancelled
            return self.report
        try:
            with self._executor(len(files)) as pool:
                self._drive(pool, iter(files), prog)
        finally:
            self._flush()
        self.report.cancelled = self.cancel.cancelled
        self._emit(prog)
        return self.report

    def _executor(self, count: int) -> Executor:
        workers = min(self.workers, count)
        if workers <= 1:
            return _inline_executor()
        # spawn, not fork: the caller may be a multi-threaded GUI or server process.
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )

    def _drive(self, pool: Executor, files: Iterator[Path], prog: ImportProgress) -> None:
        lib = self.library
        in_flight: dict[Future[Ingested], Path] = {}
        limit = max(2, self.workers * 2)  # bounded so cancel is quick and memory flat
        exhausted = False
        while in_flight or not exhausted:
            while not exhausted and len(in_flight) < limit and not self.cancel.cancelled:
                src = next(files, None)
                if src is None:
                    exhausted = True
                    break
                fut = pool.submit(
                    ingest_path, src, lib.storage.staging_dir, lib.max_bytes, lib.probe_timeout
                )
                in_flight[fut] = src
            if self.cancel.cancelled:
                exhausted = True
                for fut in in_flight:
                    fut.cancel()
            if not in_flight:
                break
            done, _ = wait(in_flight, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in done:
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
                self._batch.append((ingested, src.name, None, None))
                self._batch_hashes[ingested.staged.sha256] = src.name
                prog.imported += 1
        self._emit(prog)

    def _is_duplicate(self, ingested: Ingested, src: Path) -> bool:
        sha = ingested.staged.sha256
        existing = self.library.find_duplicate(sha, self.target.user_id)
        if existing is not None:
            self.report.duplicates.append(Duplicate(src, existing.id, existing.name))
            return True
        if sha in self._batch_hashes:
            self.report.duplicates.append(Duplicate(src, "", self._batch_hashes[sha]))
            return True
        return False

    def _flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        self._batch_hashes.clear()
        try:
            self.report.imported.extend(self.library.commit_ingested(batch, self.target))
        except BaseException:
            for ingested, *_ in batch:
                ingested.discard()
            raise
