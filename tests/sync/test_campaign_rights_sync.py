"""A campaign's usage rights travel by client and campaign name, the later edit winning (README "Sync")."""

from __future__ import annotations

from pathlib import Path

from app.client import ApiClient
from app.library.records import AssetChanges
from app.library.service import LibraryService
from app.sync import SyncEngine
from tests.sync.conftest import FAST, connect, jpegs, sync


def _filed(server, libs, tmp_path: Path) -> tuple[LibraryService, LibraryService]:  # type: ignore[no-untyped-def]
    """A files two pictures in Acme / Spring; both libraries synced, so B has the campaign."""
    a, b = libs
    connect(a, server.base_url, server.token)
    connect(b, server.base_url, server.token)
    records = a.import_paths(jpegs(tmp_path / "m", 2)).imported
    client = a.create_client("Acme", a.local_user_id)
    campaign = a.create_campaign(client.id, "Spring", a.local_user_id)
    for r in records:
        a.update_asset(r.id, AssetChanges(campaign_id=campaign.id))
    sync(a)
    sync(b)
    return a, b


def _campaign(lib: LibraryService, user_id: int | None = None) -> str:
    uid = lib.local_user_id if user_id is None else user_id
    client = lib.find_client("acme", uid)
    assert client is not None
    found = lib.find_campaign(client.id, "spring")
    assert found is not None
    return found.id


def _rights(lib: LibraryService, user_id: int | None = None) -> set[tuple[object, ...]]:
    out = set()
    for r in lib.iter_assets():
        if user_id is not None and r.user_id != user_id:
            continue
        got = lib.find.rights(r.id, user_id)
        out.add((got.licence, got.credit, got.valid_until.date().isoformat() if got.valid_until else None,
                 tuple(sorted(got.inherited))))
    return out


INHERITED = ("credit", "licence", "valid_until")


def test_campaign_rights_set_on_one_library_are_inherited_on_the_other(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = _filed(server, libs, tmp_path)
    a.find.set_rights(campaign_id=_campaign(a), licence="Rights managed", credit="Acme Studio",
                      valid_until="2031-03-31")
    sync(a)
    uid = server.library.get_user(server.user).id
    assert _rights(server.library, uid) == {("Rights managed", "Acme Studio", "2031-03-31", INHERITED)}
    sync(b)
    assert _rights(b) == {("Rights managed", "Acme Studio", "2031-03-31", INHERITED)}

    # Cleared on B: the clearing is an edit too, and reaches A.
    b.find.set_rights(campaign_id=_campaign(b), licence=None, credit=None, valid_until=None)
    sync(b)
    sync(a)
    assert _rights(a) == {(None, None, None, ())}
    # Nothing bounces: another round changes nothing on either side.
    for lib in (a, b):
        report = SyncEngine(lib, None, options=FAST).run()
        assert report.campaign_rights == 0


def test_campaign_rights_edited_on_both_sides_later_edit_wins(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = _filed(server, libs, tmp_path)
    a.find.set_rights(campaign_id=_campaign(a), licence="Editorial")  # earlier
    b.find.set_rights(campaign_id=_campaign(b), licence="Commercial", credit="B")  # later
    sync(b)
    report = sync(a)
    assert report.campaign_rights == 1
    sync(b)
    for lib in (a, b):
        assert _rights(lib) == {("Commercial", "B", None, ("credit", "licence"))}

    # Now A edits later than B's edit it has seen: A's wins everywhere.
    a.find.set_rights(campaign_id=_campaign(a), licence="Editorial only")
    sync(a)
    sync(b)
    assert _rights(b) == {("Editorial only", "B", None, ("credit", "licence"))}


def test_pending_here_counts_rating_label_rights_and_campaign_edits(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = _filed(server, libs, tmp_path)
    engine = SyncEngine(a, None, options=FAST)
    assert engine.pending_here() == 0
    ids = sorted(r.id for r in a.iter_assets())
    a.find.set_rating([ids[0]], 4)
    assert SyncEngine(a, None, options=FAST).pending_here() == 1
    a.find.set_label([ids[1]], "red")
    a.find.set_rights(asset_id=ids[1], licence="CC0")
    assert SyncEngine(a, None, options=FAST).pending_here() == 2
    a.find.set_rights(campaign_id=_campaign(a), licence="Editorial")
    assert SyncEngine(a, None, options=FAST).pending_here() == 3
    a.find.add_smart("Best", ["rating>=4"], "all", a.local_user_id)
    assert SyncEngine(a, None, options=FAST).pending_here() == 4
    sync(a)
    assert SyncEngine(a, None, options=FAST).pending_here() == 0


def test_campaign_rights_set_before_they_synced_travel_at_the_first_sync(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from app.library.find_models import CampaignRights

    a, b = _filed(server, libs, tmp_path)
    a.find.set_rights(campaign_id=_campaign(a), source="Agency X")
    with a.writing() as s:  # as a library migrated from before campaign rights synced has them
        s.execute(update(CampaignRights).values(edited=None))
    sync(a)
    sync(b)
    assert {r[:1] for r in _rights(b)} == {(None,)}
    assert {b.find.rights(r.id).source for r in b.iter_assets()} == {"Agency X"}


def test_a_rights_edit_alone_still_travels_when_the_merge_is_skipped(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A sync that moves nothing skips the merge only while neither side's latest rights
    # edit moved: an edit on A alone (no asset changed) must still reach B.
    a, b = _filed(server, libs, tmp_path)
    a.find.set_rights(campaign_id=_campaign(a), licence="Editorial")
    sync(a)
    sync(b)
    assert _rights(b) == {("Editorial", None, None, ("licence",))}
    a.find.set_rights(campaign_id=_campaign(a), licence="Commercial")
    report = sync(a)
    assert not report.plan.actions  # rights only: no asset moved
    # The feed says the server's latest rights edit: A's, just sent.
    feed = ApiClient(server.base_url, server.token).changes(0)
    assert feed.campaignRightsAt is not None
    assert feed.campaignRightsAt == a.find.campaign_rights_latest(a.local_user_id)
    report = sync(b)
    assert not report.plan.actions and report.campaign_rights == 1
    assert _rights(b) == {("Commercial", None, None, ("licence",))}
    # Edited on B too, with nothing else to sync: it goes up, and A takes it.
    b.find.set_rights(campaign_id=_campaign(b), licence="Editorial", credit="B")
    sync(b)
    assert sync(a).campaign_rights == 1
    assert _rights(a) == {("Editorial", "B", None, ("credit", "licence"))}
