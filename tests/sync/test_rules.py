"""The documented rules: field-by-field merge, later edit wins, an edit beats a delete, the mass-deletion guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.api.schemas import AssetUpdate
from app.client import ApiClient
from app.library.records import AssetChanges
from app.library.service import LibraryService
from app.sync import MassDeletion, SyncEngine, SyncStore
from tests.sync.conftest import FAST, connect, jpegs, local_state, server_state, sync


def _pair(server, libs, tmp_path: Path, count: int = 2) -> tuple[LibraryService, LibraryService, str]:  # type: ignore[no-untyped-def]
    a, b = libs
    token = server.token
    connect(a, server.base_url, token)
    connect(b, server.base_url, token)
    a.import_paths(jpegs(tmp_path / "m", count))
    sync(a)
    sync(b)
    return a, b, token


def _one(lib: LibraryService, name: str | None = None):  # type: ignore[no-untyped-def]
    rows = list(lib.iter_assets())
    return next(r for r in rows if name is None or r.name == name)


def test_edits_of_different_fields_merge(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = _pair(server, libs, tmp_path)
    target = _one(a, "pic0.jpg")
    a.update_asset(target.id, AssetChanges(name="From A"))
    b.update_asset(_one(b, "pic0.jpg").id, AssetChanges(tags=["from-b"]))
    sync(a)
    sync(b)
    sync(a)
    merged = _one(a, "From A")
    assert merged.tags == ["from-b"]
    assert local_state(a) == local_state(b) == server_state(server)


def test_same_field_edited_on_both_sides_later_edit_wins(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, token = _pair(server, libs, tmp_path)
    a.update_asset(_one(a, "pic0.jpg").id, AssetChanges(name="Earlier"))
    with ApiClient(server.base_url, token) as api:
        remote = next(x for x in api.iter_assets() if x.name == "pic0.jpg")
        api.update_asset(remote.id, AssetUpdate(name="Later on the server"))
    report = sync(a)
    assert [x.pull for x in report.plan.visible()] == [{"name": "Later on the server"}]
    assert _one(a).name in {"Later on the server", "pic1.jpg"}
    assert {r.name for r in a.iter_assets()} == {"Later on the server", "pic1.jpg"}

    # Now the local edit is the later one: it wins over the server's earlier edit.
    with ApiClient(server.base_url, token) as api:
        api.update_asset(remote.id, AssetUpdate(name="Earlier on the server"))
    a.update_asset(_one(a, "Later on the server").id, AssetChanges(name="Later here"))
    sync(a)
    sync(b)
    assert {r.name for r in a.iter_assets()} == {"Later here", "pic1.jpg"}
    assert local_state(a) == local_state(b) == server_state(server)


def test_an_edit_beats_a_delete_both_ways(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = _pair(server, libs, tmp_path, count=3)
    # Deleted on A, edited on B: it comes back to A.
    a.delete_asset(_one(a, "pic0.jpg").id)
    b.update_asset(_one(b, "pic0.jpg").id, AssetChanges(tags=["keep"]))
    sync(b)
    report = sync(a)
    assert report.outcome.done.get("download") == 1
    assert _one(a, "pic0.jpg").tags == ["keep"]
    # Deleted on the server (through B), edited on A: it goes back up.
    b.delete_asset(_one(b, "pic1.jpg").id)
    a.update_asset(_one(a, "pic1.jpg").id, AssetChanges(name="Still wanted"))
    sync(b)
    report = sync(a)
    assert report.outcome.done.get("upload") == 1
    sync(b)
    assert {r.name for r in b.iter_assets()} == {"pic0.jpg", "Still wanted", "pic2.jpg"}
    assert local_state(a) == local_state(b) == server_state(server)


def test_deletions_are_carried_and_never_come_back(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = _pair(server, libs, tmp_path, count=4)
    a.delete_asset(_one(a, "pic0.jpg").id)
    b.delete_asset(_one(b, "pic1.jpg").id)
    for lib in (a, b, a, b):
        sync(lib)
    for lib in (a, b):
        assert {r.name for r in lib.iter_assets()} == {"pic2.jpg", "pic3.jpg"}
        assert not sync(lib).plan.visible()
    assert len(server_state(server)) == 2


def test_mass_deletion_stops_and_asks(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = _pair(server, libs, tmp_path, count=4)
    for r in list(b.iter_assets())[:3]:
        b.delete_asset(r.id)
    with pytest.raises(MassDeletion, match="3 of the 4 assets on the server"):
        SyncEngine(b, options=FAST).run()
    assert len(server_state(server)) == 4
    assert SyncStore(b).get_remote().last_status == "guarded"
    sync(b, force=True)
    assert len(server_state(server)) == 1
    # A would now lose 3 of its 4: asked again, on that side.
    with pytest.raises(MassDeletion, match="3 of the 4 assets in this library"):
        SyncEngine(a, options=FAST).run()
    assert a.count_assets() == 4
    sync(a, force=True)
    assert a.count_assets() == 1


def test_dry_run_changes_nothing(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b, _ = _pair(server, libs, tmp_path)
    a.import_paths(jpegs(tmp_path / "more", 2, start=10))
    b.delete_asset(_one(b, "pic0.jpg").id)
    before = local_state(a), server_state(server)
    report = SyncEngine(a, options=FAST).run(dry_run=True)
    lines = [x.describe() for x in report.plan.visible()]
    assert sum(line.startswith("upload") for line in lines) == 2
    assert (local_state(a), server_state(server)) == before
    sync(b)
    report = SyncEngine(a, options=FAST).run(dry_run=True)
    assert any(line.describe().startswith("delete here") for line in report.plan.visible())
    assert a.count_assets() == 4


def test_clients_and_campaigns_are_created_on_the_other_side(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    token = server.token
    connect(a, server.base_url, token)
    connect(b, server.base_url, token)
    acme = a.create_client("Acme")
    spring = a.create_campaign(acme.id, "Spring")
    a.import_paths(jpegs(tmp_path / "m", 1), a.default_target(campaign_id=spring.id))
    a.import_paths(jpegs(tmp_path / "m", 1, start=5), a.default_target(client_id=acme.id))
    sync(a)
    sync(b)
    with ApiClient(server.base_url, token) as api:
        assert [c.name for c in api.list_clients()] == ["Acme"]
        assert [c.name for c in api.list_campaigns()] == ["Spring"]
    only_campaign = next(r for r in b.iter_assets() if r.campaign_id)
    assert only_campaign.client_id is None and only_campaign.campaign_name == "Spring"
    assert local_state(a) == local_state(b) == server_state(server)
