"""What a new user saw with two desktops and one server: each finding of the sync review as a test."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.api.schemas import AssetUpdate
from app.cli.main import main
from app.client import ApiClient
from app.library.records import AssetChanges
from app.library.service import LibraryService
from app.sync import SyncEngine, SyncError, SyncStore
from app.sync.apply import SyncProgress
from tests.server.live import REPO_ROOT
from tests.sync.conftest import FAST, connect, jpegs, local_state, server_state, sync


def _one(lib: LibraryService, name: str):  # type: ignore[no-untyped-def]
    return next(r for r in lib.iter_assets() if r.name == name)


def _next_millisecond() -> None:
    """Wait until the wall clock has moved on, so two edits cannot share a time."""
    start = time.time_ns() // 1_000_000
    while time.time_ns() // 1_000_000 <= start + 1:
        pass


def test_the_later_edit_wins_even_when_it_syncs_last(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    connect(a, server.base_url, server.token)
    connect(b, server.base_url, server.token)
    a.import_paths(jpegs(tmp_path / "m", 1))
    sync(a)
    sync(b)
    a.update_asset(_one(a, "pic0.jpg").id, AssetChanges(name="A's name, earlier"))
    _next_millisecond()
    b.update_asset(_one(b, "pic0.jpg").id, AssetChanges(name="B's name, later"))
    sync(a)  # A reaches the server first, after B's edit was made
    report = sync(b)
    assert [x.push for x in report.plan.visible()] == [{"name": "B's name, later"}]
    sync(a)
    assert [r[1] for r in local_state(a)] == ["B's name, later"]
    assert local_state(a) == local_state(b) == server_state(server)


def test_first_sync_merges_with_newer_server_metadata(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    [path] = jpegs(tmp_path / "m", 1)
    a.import_paths([path])
    _next_millisecond()
    with ApiClient(server.base_url, server.token) as api:
        up = api.upload(path, name="uploaded.jpg", content_type="image/jpeg")
        api.update_asset(up.id, AssetUpdate(name="Named on the server", tags=["client-pick"]))
    connect(a, server.base_url, server.token)
    report = sync(a)
    [match] = report.plan.visible()
    assert match.kind == "link"
    assert "Named on the server" in match.describe() and "client-pick" in match.describe()
    [(_, name, tags, _, _)] = server_state(server)
    assert (name, tags) == ("Named on the server", ("client-pick",))
    assert local_state(a) == server_state(server)


def test_a_file_changed_on_disk_is_not_uploaded(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    a.import_paths(jpegs(tmp_path / "m", 2))
    bad = _one(a, "pic0.jpg")
    with a.file_path(bad).open("r+b") as f:
        f.seek(200)
        f.write(b"\x00garbage\x00")
    connect(a, server.base_url, server.token)
    report = SyncEngine(a, options=FAST).run()
    assert report.outcome.done.get("upload") == 1
    assert any("pic0.jpg" in s and "changed on disk" in s for s in report.outcome.skipped)
    assert [r[1] for r in server_state(server)] == ["pic1.jpg"]


def test_counts_are_honest_and_progress_is_monotonic(server, libs, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    connect(a, server.base_url, server.token)
    a.import_paths(jpegs(tmp_path / "m", 8))
    sync(a)
    for r in list(a.iter_assets())[:3]:
        a.delete_asset(r.id)
    a.import_paths(jpegs(tmp_path / "n", 10, start=20))
    plan = SyncEngine(a, options=FAST).plan()
    assert (plan.uploads, plan.downloads, plan.deletions_remote, plan.deletions_local) == (10, 0, 3, 0)
    assert "10 to upload" in plan.summary() and "3 to delete on the server" in plan.summary()
    code = main(["--data-dir", str(a.data_dir), "sync", "status"])
    out = capsys.readouterr().out
    assert code == 0 and "10 to upload" in out and "3 to delete on the server" in out
    seen: list[SyncProgress] = []
    SyncEngine(a, options=FAST).run(progress=seen.append)
    done = [p.done for p in seen]
    assert done == sorted(done) and done[-1] == seen[-1].total == 13
    assert all(p.done <= p.total for p in seen)


def test_only_one_sync_per_library_and_remote_across_processes(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    connect(a, server.base_url, server.token, name="studio-server")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from app.library.service import LibraryService;"
            "from app.sync import SyncStore; from app.library.sync_state import sync_lock;"
            "lib = LibraryService(sys.argv[1]); r = SyncStore(lib).get_remote();"
            "lock = sync_lock(lib, r.id); assert lock.acquire();"
            "print('held', flush=True); sys.stdin.read()",
            str(a.data_dir),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(SyncError) as err:
            SyncEngine(a, options=FAST).run()
        assert str(err.value) == (
            "a sync with studio-server is already running in another window or command"
        )
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(20)
    sync(a)  # the lock went with the other process
    assert SyncStore(a).get_remote().last_status == "ok"


def test_sync_log_keeps_the_value_that_lost(server, libs, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    connect(a, server.base_url, server.token, name="studio")
    connect(b, server.base_url, server.token, name="studio")
    a.import_paths(jpegs(tmp_path / "m", 1))
    sync(a)
    sync(b)
    a.update_asset(_one(a, "pic0.jpg").id, AssetChanges(name="A, earlier"))
    _next_millisecond()
    b.update_asset(_one(b, "pic0.jpg").id, AssetChanges(name="B, later"))
    sync(a)
    sync(b)
    sync(a)
    # B's sync overwrote A's earlier name on the server: B's log keeps it.
    assert main(["--data-dir", str(b.data_dir), "sync", "log", "--json"]) == 0
    import json

    entries = json.loads(capsys.readouterr().out)
    lost = [e for e in entries if e["side"] == "server" and e["conflict"]]
    assert [(e["field"], e["old"], e["new"]) for e in lost] == [("name", "A, earlier", "B, later")]
    assert lost[0]["oldEditedAt"] and lost[0]["newEditedAt"] > lost[0]["oldEditedAt"]
    assert main(["--data-dir", str(b.data_dir), "sync", "log", "--remote", "studio"]) == 0
    assert "'A, earlier' -> 'B, later' (lost a conflict)" in capsys.readouterr().out


def test_only_started_uploads_are_marked_resumed(tmp_path: Path) -> None:
    from urllib.parse import urlsplit

    from app.client import ServerUnreachable
    from app.sync import ClientOptions
    from tests.server.live import live_server
    from tests.sync.conftest import PASSWORD, open_library
    from tests.sync.faults import Fault, FaultProxy

    a = open_library(tmp_path / "a")
    try:
        a.import_paths(jpegs(tmp_path / "m", 12))
        with live_server(tmp_path / "srv") as srv:
            token = srv.user("studio", PASSWORD)
            port = urlsplit(srv.base_url).port
            assert port is not None
            proxy = FaultProxy(port, lambda n: Fault("hook", 0, b"POST /api/v2/upload-asset"))
            proxy.hook = srv.process.kill
            connect(a, proxy.url, token)
            options = ClientOptions(timeout=(2.0, 4.0), retries=1, backoff=0.01)
            with pytest.raises(ServerUnreachable):
                SyncEngine(a, options=options).run()
            srv.process.wait(10)
            proxy.close()
        links = SyncStore(a).links(SyncStore(a).get_remote().id)
        started = [l for l in links if l.state == "uploading"]
        assert 1 <= len(started) <= options.parallel_uploads
    finally:
        a.close()
