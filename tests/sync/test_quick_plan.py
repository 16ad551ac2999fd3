"""A sync with nothing to do on either side answers from the two cursors, without reading
every link and local asset; any change here, or an unfinished last sync, plans in full."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.library import sync_store as state_mod
from app.library.records import AssetChanges
from app.sync import SyncEngine, SyncStore
from app.sync import plan as plan_mod
from tests.sync.conftest import FAST, connect, jpegs, local_state, server_state, sync


class _Counter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = 0
        original = plan_mod.Planner._diff

        def counting(planner, *args, **kw):  # type: ignore[no-untyped-def]
            self.full += 1
            return original(planner, *args, **kw)

        monkeypatch.setattr(plan_mod.Planner, "_diff", counting)


def _settle(lib) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        if not sum(sync(lib).outcome.done.values()):
            return
    raise AssertionError("no convergence")


def test_quick_when_nothing_changed(server, libs, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    rid = connect(a, server.base_url, server.token)
    a.import_paths(jpegs(tmp_path / "m", 5))
    _settle(a)
    sync(a)  # the last one was a full plan with nothing to do: now the cursor is kept
    assert SyncStore(a).get_remote(rid).local_cursor == a.current_cursor()

    counter = _Counter(monkeypatch)

    def boom(*args, **kw):  # type: ignore[no-untyped-def]
        raise AssertionError("the quick path must not read every link")

    with monkeypatch.context() as m:
        m.setattr(state_mod.SyncStore, "links", boom)
        m.setattr(plan_mod.LocalView, "__init__", boom)
        report = sync(a)
    assert not report.plan.actions
    assert report.plan.local_total == 5 and report.plan.remote_total == 5
    assert counter.full == 0
    assert SyncStore(a).get_remote(rid).local_cursor == a.current_cursor()

    # A local edit moves the library's counter: the next sync plans in full and pushes it.
    first = next(iter(a.iter_assets()))
    a.update_asset(first.id, AssetChanges(name="renamed"))
    report = sync(a)
    assert counter.full == 1
    assert report.plan.to_upload == 1
    _settle(a)
    assert local_state(a) == server_state(server)

    # A client rename changes how assets look to sync (filing) and so moves it too.
    client = a.create_client("Acme")
    a.update_asset(first.id, AssetChanges(client_id=client.id))
    _settle(a)
    sync(a)
    before = counter.full
    a.rename_client(client.id, "Acme Studio")
    report = sync(a)
    assert counter.full == before + 1
    assert report.plan.to_upload == 1
    _settle(a)
    assert local_state(a) == server_state(server)


def test_full_plan_after_unfinished_sync_or_retry(server, libs, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    rid = connect(a, server.base_url, server.token)
    a.import_paths(jpegs(tmp_path / "m", 3))
    _settle(a)
    sync(a)
    store = SyncStore(a)
    assert store.get_remote(rid).local_cursor is not None

    # Any outcome other than ok forgets the local cursor.
    store.record(rid, "error", error="boom", finished=False)
    assert store.get_remote(rid).local_cursor is None
    counter = _Counter(monkeypatch)
    sync(a)
    assert counter.full == 1
    assert store.get_remote(rid).local_cursor is not None

    # Retrying skipped files must plan them again.
    store.clear_skipped(rid)
    assert store.get_remote(rid).local_cursor is None
    sync(a)
    assert counter.full == 2

    # A dry run keeps nothing.
    cursor = store.get_remote(rid).local_cursor
    SyncEngine(a, options=FAST).run(dry_run=True)
    assert store.get_remote(rid).local_cursor == cursor


def test_server_change_still_arrives(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    connect(a, server.base_url, server.token)
    connect(b, server.base_url, server.token)
    a.import_paths(jpegs(tmp_path / "m", 2))
    _settle(a)
    sync(a)
    b.import_paths(jpegs(tmp_path / "n", 1, start=10))
    _settle(b)
    report = sync(a)
    assert report.plan.count("download") == 1
    _settle(a)
    assert local_state(a) == local_state(b) == server_state(server)
