"""`python -m tests.bench [--smoke] [--jobs 1,4]`: run the benchmarks and print one table."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

# The grid job runs Qt without a display; set before anything can import it.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("ATELIER_DATA_DIR", None)

from tests.bench.common import FULL, REPO, SMOKE, Context, Row, Skipped, cache_root, machine, render  # noqa: E402


def _jobs() -> list[tuple[str, str, Callable[[Context], list[Row]]]]:
    # Imported lazily so that one job's missing front end cannot stop the others.
    def lazy(module: str, func: str) -> Callable[[Context], list[Row]]:
        def call(ctx: Context) -> list[Row]:
            import importlib

            return getattr(importlib.import_module(f"tests.bench.{module}"), func)(ctx)  # type: ignore[no-any-return]

        return call

    return [
        ("1", "import, images", lazy("job_import", "images")),
        ("2", "import, video and audio", lazy("job_import", "video_audio")),
        ("3", "grid", lazy("job_grid", "grid")),
        ("4", "library queries", lazy("job_queries", "queries")),
        ("5", "server", lazy("job_server", "server")),
        ("6", "sync", lazy("job_sync", "sync")),
        ("7", "live window", lazy("job_live", "live")),
        ("8", "find", lazy("job_find", "find")),
    ]


def _allow_bytecode() -> None:
    """Run Atelier from compiled bytecode, as an installed copy does.

    An environment that forbids writing bytecode (PYTHONDONTWRITEBYTECODE) would charge
    every `atelier` run, and every import worker it spawns, for compiling the sources; the
    compiled files go to a folder of their own instead of the source tree.
    """
    if not sys.dont_write_bytecode and "PYTHONDONTWRITEBYTECODE" not in os.environ:
        return
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    prefix = str(Path(tempfile.gettempdir()) / "atelier-bench-pycache")
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    sys.pycache_prefix = prefix
    sys.dont_write_bytecode = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run: checks every job still works")
    parser.add_argument("--jobs", help="comma-separated job numbers to run (default: all)")
    parser.add_argument("--runs", type=int, help="runs per measurement (median); default 3, smoke 1")
    parser.add_argument("--cache", type=Path, help="where generated corpora are kept (default ~/.cache/atelier-bench)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)

    sizes = SMOKE if args.smoke else FULL
    if args.runs:
        sizes = replace(sizes, runs=max(1, args.runs))
    wanted = set(args.jobs.split(",")) if args.jobs else None
    jobs = [j for j in _jobs() if wanted is None or j[0] in wanted]
    if not jobs:
        parser.error("no such job; jobs are 1-7")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    cache = (args.cache or cache_root()).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    _allow_bytecode()
    work = Path(tempfile.mkdtemp(prefix="atelier-bench-"))
    ctx = Context(sizes=sizes, cache=cache, work=work, cores=os.cpu_count() or 1, log=log)
    os.chdir(REPO)
    rows: list[Row] = []
    errors = 0
    started = time.perf_counter()
    try:
        for number, name, job in jobs:
            log(f"job {number}: {name}")
            job_started = time.perf_counter()
            try:
                rows.extend(job(ctx))
            except Skipped as exc:
                rows.append(Row(f"{number}. {name}", note=f"skipped: {exc}"))
            except Exception as exc:  # a benchmark that broke is reported, and the run goes on
                errors += 1
                traceback.print_exc(file=sys.stderr)
                reason = " ".join(str(exc).split())[:120] or type(exc).__name__
                rows.append(Row(f"{number}. {name}", note=f"error: {reason}"))
            log(f"job {number} took {time.perf_counter() - job_started:.0f} s")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - started
    print(f"Atelier benchmarks ({sizes.name}, median of {sizes.runs} run{'s' * (sizes.runs > 1)})")
    print(f"Machine: {machine()}")
    print()
    print(render(rows))
    if ctx.details:
        print()
        for line in ctx.details:
            print(line)
    print()
    print(f"Total {total:.0f} s")
    # Missed targets are results, not failures; only a job that broke is.
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
