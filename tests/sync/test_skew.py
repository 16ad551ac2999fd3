"""Edit times under clock skew: a clock an hour ahead wins only until the other side has synced once."""

from __future__ import annotations

import time
from pathlib import Path

from app.core.hlc import HybridClock, from_datetime, to_datetime
from app.library.records import AssetChanges
from app.library.service import LibraryService
from tests.sync.conftest import connect, jpegs, local_state, server_state, sync

HOUR = 3600.0


def test_hybrid_clock_never_goes_back_and_follows_what_it_saw() -> None:
    wall = [1_000.0]
    clock = HybridClock("a", lambda: wall[0])
    first = clock.now()
    wall[0] -= 50  # the wall clock steps back
    second = clock.now()
    assert second > first
    clock.observe(from_datetime(to_datetime(first).replace(year=2100), "b"))
    assert to_datetime(clock.now()).year == 2100


def test_a_clock_an_hour_ahead_wins_only_until_the_other_side_synced(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ahead = LibraryService(tmp_path / "ahead", workers=1, wall_clock=lambda: time.time() + HOUR)
    right = LibraryService(tmp_path / "right", workers=1)
    try:
        connect(ahead, server.base_url, server.token)
        connect(right, server.base_url, server.token)
        ahead.import_paths(jpegs(tmp_path / "m", 1))
        sync(ahead)
        sync(right)
        [x] = list(ahead.iter_assets())
        [y] = list(right.iter_assets())
        ahead.update_asset(x.id, AssetChanges(name="ahead, made first"))
        right.update_asset(y.id, AssetChanges(name="right, made later"))
        sync(ahead)
        sync(right)  # concurrent edits within the skew: the stamp an hour ahead wins
        assert [r[1] for r in local_state(right)] == ["ahead, made first"]
        # right has now seen the stamp an hour ahead: its next edit is stamped after it.
        right.update_asset(y.id, AssetChanges(name="right, after its sync"))
        sync(right)
        sync(ahead)
        assert [r[1] for r in local_state(ahead)] == ["right, after its sync"]
        assert local_state(ahead) == local_state(right) == server_state(server)
    finally:
        ahead.close()
        right.close()


def test_patch_extension_carries_edit_times_into_the_feed(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import requests

    from app.api.schemas import AssetUpdate, EditTimes
    from app.client import ApiClient

    [path] = jpegs(tmp_path / "m", 1)
    stamp = "1900000000000.0003.abc1"
    with ApiClient(server.base_url, server.token) as api:
        up = api.upload(path, name="p.jpg", content_type="image/jpeg")
        api.update_asset(up.id, AssetUpdate(name="renamed", editTimes=EditTimes(name=stamp)))
        feed = api.changes(0)
    [state] = [s for s in feed.assets if s.asset.id == up.id]
    assert state.editTimes is not None and state.editTimes.name == stamp
    assert state.editTimes.tags is not None and state.editTimes.tags < stamp  # its upload time
    bad = requests.patch(
        f"{server.base_url}/api/v2/assets/{up.id}",
        json={"name": "x", "editTimes": {"name": "yesterday"}},
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=10,
    )
    assert bad.status_code == 422
    assert [r[1] for r in server_state(server)] == ["renamed"]


def test_an_edit_after_the_clock_stepped_back_is_still_later_than_the_import(tmp_path: Path) -> None:
    offset = [0.0]
    lib = LibraryService(tmp_path / "lib", workers=1, wall_clock=lambda: time.time() + offset[0])
    try:
        [x] = lib.import_paths(jpegs(tmp_path / "m", 1)).imported
        offset[0] = -2 * HOUR  # the machine's clock is set back two hours
        lib.update_asset(x.id, AssetChanges(name="renamed after the clock went back"))
        times = lib.edit_times([x.id])[x.id]
        assert times["name"] > times["tags"]  # tags: still the import time
    finally:
        lib.close()
