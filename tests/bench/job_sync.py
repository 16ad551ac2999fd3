"""Job 6: `atelier sync` pushing to an empty server against a curl loop, and a sync with nothing to do."""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from pathlib import Path

from app.library.records import AssetQuery
from app.library.service import LibraryService
from tests.bench import biglib, corpus
from tests.bench.common import Context, Row, atelier_cmd, median, need_module, ratio, run, seconds
from tests.bench.corpus import DONE
from tests.bench.http import curl_upload

VERSION = 1
REMOTE = "bench"
PHOTO_SIZE = (800, 600)
# uvicorn's access log: one line per request the server answered.
_REQUEST = re.compile(r'"(GET|POST|PATCH|PUT|DELETE) \S+ HTTP/')


def _requests(log: list[str]) -> int:
    return sum(1 for line in log if _REQUEST.search(line))


def _server_count(lib: LibraryService, username: str) -> int:
    return lib.count_assets(AssetQuery(user_id=lib.get_user(username).id))


def sync(ctx: Context) -> list[Row]:
    need_module("app.server.app", "the server (app.server)")
    need_module("tests.server.live", "the live-server test helper (tests/server/live.py)")
    need_module("app.client.api", "the API client (app.client)")
    need_module("app.sync.engine", "sync (app.sync)")
    return [_push(ctx), _nothing_to_do(ctx)]


def _local_library(ctx: Context, photos: Path, count: int) -> Path:
    """A library that imported the photos (cached), the side that pushes."""
    folder = ctx.cache / f"sync-local-v{VERSION}-{biglib.schema_key()}-{count}"
    if (folder / DONE).exists():
        return folder
    ctx.log(f"importing {count} photos into a library to push (once; cached)")
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    with LibraryService(tmp) as lib:
        report = lib.import_paths([photos])
        if len(report.imported) != count:
            raise RuntimeError(f"imported {len(report.imported)} of {count} photos")
    (tmp / DONE).touch()
    tmp.rename(folder)
    return folder


def _push(ctx: Context) -> Row:
    from tests.server.live import live_server

    s = ctx.sizes
    photos = corpus.photos(ctx.cache, s.sync_assets, PHOTO_SIZE, ctx.log)
    files = corpus.files(photos)
    source = _local_library(ctx, photos, len(files))
    corpus.warm(files)
    ours, theirs = [], []
    for index in range(s.runs):
        ctx.log(f"  run {index + 1}/{s.runs}")
        local = ctx.work / "sync-local"
        shutil.rmtree(local, ignore_errors=True)
        shutil.copytree(source, local)
        with live_server(ctx.scratch("sync-server")) as srv:
            token = srv.user("bench")
            run(atelier_cmd("--data-dir", local, "remote", "add", srv.base_url, "--token", token,
                            "--name", REMOTE))  # fmt: skip
            start = time.perf_counter()
            run(atelier_cmd("--data-dir", local, "sync"))
            ours.append(time.perf_counter() - start)
            if _server_count(srv.library, "bench") != len(files):
                raise RuntimeError("the sync did not push every asset")
        with live_server(ctx.scratch("curl-server")) as srv:
            token = srv.user("bench")
            start = time.perf_counter()
            for path in files:
                if curl_upload(srv.base_url, token, path) != 201:
                    raise RuntimeError(f"curl could not upload {path.name}")
            theirs.append(time.perf_counter() - start)
            if _server_count(srv.library, "bench") != len(files):
                raise RuntimeError("the curl loop did not upload every file")
    a, r = median(ours), median(theirs)
    return Row(
        f"6. sync: push {len(files)} assets to an empty server",
        seconds(a),
        f"{seconds(r)} curl loop",
        ratio(a, r),
        "≤ 1.0",
        a <= r,
    )


def _synced_pair(ctx: Context, count: int) -> Path:
    """A server library and a desktop library holding the same assets, linked by one real sync (cached)."""
    from app.sync import SyncEngine, add_remote
    from tests.server.live import live_server

    folder = ctx.cache / f"sync-pair-v{VERSION}-{biglib.schema_key()}-{count}"
    if (folder / DONE).exists():
        return folder
    source = biglib.library(ctx.cache, count, ctx.log)
    ctx.log(f"linking two {count:,}-asset libraries with a first sync (once; cached)")
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    biglib.copy(source, tmp / "server")
    biglib.copy(source, tmp / "local")
    with LibraryService(tmp / "server") as lib:
        token = lib.create_token("local")
    with live_server(tmp / "server") as srv, LibraryService(tmp / "local") as lib:
        add_remote(lib, srv.base_url, token=token, name=REMOTE)
        report = SyncEngine(lib, REMOTE).run()
        linked = report.outcome.done.get("link", 0)
        if linked != count:
            raise RuntimeError(f"the first sync linked {linked} of {count} assets")
    (tmp / DONE).touch()
    tmp.rename(folder)
    return folder


def _sync_once(server: Path, local: Path) -> tuple[float, int, object]:
    """One timed SyncEngine run of `local` against a live server over `server`."""
    from app.sync import SyncEngine
    from tests.server.live import live_server

    with live_server(server, extra_args=("--log-level", "info")) as srv:
        db = sqlite3.connect(local / "library.db")
        with db:
            db.execute("UPDATE sync_remotes SET url = ? WHERE name = ?", (srv.base_url, REMOTE))
        db.close()
        before = _requests(srv.log)
        with LibraryService(local) as lib:
            start = time.perf_counter()
            report = SyncEngine(lib, REMOTE).run()
            took = time.perf_counter() - start
        # The access log line of the last response can trail it by a moment.
        deadline = time.monotonic() + 2
        count = _requests(srv.log) - before
        while time.monotonic() < deadline:
            time.sleep(0.1)
            if _requests(srv.log) - before == count:
                break
            count = _requests(srv.log) - before
    return took, count, report


def _nothing_to_do(ctx: Context) -> Row:
    s = ctx.sizes
    pair = _synced_pair(ctx, s.sync_noop_rows)
    # "Nothing to do" means: right after a complete sync. A pair cached by an older
    # version lacks what such a sync records, so settle it once (untimed) first.
    _sync_once(pair / "server", pair / "local")
    took, asked = [], []
    for _ in range(s.runs):
        server = biglib.copy(pair / "server", ctx.work / "pair-server")
        local = biglib.copy(pair / "local", ctx.work / "pair-local")
        seconds_taken, count, report = _sync_once(server, local)
        took.append(seconds_taken)
        asked.append(count)
        if report.plan.visible():  # type: ignore[attr-defined]
            raise RuntimeError(f"the sync found {len(report.plan.visible())} things to do")  # type: ignore[attr-defined]
    a = median(took)
    n = int(median(asked))
    return Row(
        f"6. sync with nothing to do, {s.sync_noop_rows:,} assets",
        f"{seconds(a)}, {n} requests",
        "-",
        "-",
        "≤ 1 s, ≤ 10 requests",
        a <= 1.0 and n <= 10,
    )
