"""Find rules inside an AssetQuery (what the window's grid pages through), smart folder edits,
tile states and the review rule, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from app.library.errors import InvalidInput
from app.library.records import AssetQuery
from app.library.service import LibraryService

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def lib(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LibraryService]:
    if request.param == "sqlite":
        library = LibraryService(tmp_path / "library", workers=1)
        try:
            yield library
        finally:
            library.close()
        return
    from tests.server.conftest import fresh_schema

    with fresh_schema("atelier_findq") as url:
        library = LibraryService(tmp_path / "pg-library", url, workers=1)
        try:
            yield library
        finally:
            library.close()


def _import(lib: LibraryService, tmp_path: Path) -> dict[str, str]:
    files = []
    for name, rgb, size in (("red", (220, 20, 20), (320, 240)), ("red2", (205, 30, 35), (240, 320)),
                            ("blue", (20, 40, 220), (300, 300))):
        path = tmp_path / f"{name}.png"
        Image.new("RGB", size, rgb).save(path)
        files.append(path)
    report = lib.import_paths(files, workers=1)
    assert not report.rejected
    return {r.name.removesuffix(".png"): r.id for r in report.imported}


def test_an_asset_query_with_rules_lists_counts_and_pages(lib: LibraryService, tmp_path: Path) -> None:
    ids = _import(lib, tmp_path)
    uid = lib.local_user_id
    red = AssetQuery(user_id=uid, rules=("color=#dc1414",))
    # Nearest first, the same in every reading method the window uses.
    assert lib.asset_ids(red, limit=None) == [ids["red"], ids["red2"]]
    assert [r.id for r in lib.list_assets(red, limit=1)] == [ids["red"]]
    assert [r.id for r in lib.list_assets(red, limit=5, offset=1)] == [ids["red2"]]
    assert lib.count_assets(red) == 2
    assert lib.counts_by_type(red) == {"image": 2, "video": 0, "audio": 0, "document": 0}
    # Rules combine with the query's own filters (the search box text here).
    assert lib.asset_ids(AssetQuery(user_id=uid, text="red2", rules=red.rules)) == [ids["red2"]]
    with pytest.raises(InvalidInput, match="offset"):
        lib.list_assets(red, after=lib.cursor_for(lib.get_asset(ids["red"]), red))

    # A smart folder matching any of its rules, narrowed by a required chip rule.
    lib.find.set_label([ids["blue"]], "blue")
    lib.find.set_rating([ids["red2"]], 4)
    anyq = AssetQuery(user_id=uid, rules=("label=blue", "rating>=4"), match="any")
    assert set(lib.asset_ids(anyq)) == {ids["blue"], ids["red2"]}
    narrowed = AssetQuery(user_id=uid, rules=anyq.rules, match="any", required=("orientation=portrait",))
    assert lib.asset_ids(narrowed) == [ids["red2"]] and lib.count_assets(narrowed) == 1
    with_colour = AssetQuery(user_id=uid, rules=anyq.rules, match="any", required=("color=#1428dc",))
    assert lib.asset_ids(with_colour) == [ids["blue"]]


def test_smart_folders_are_edited_and_keep_their_names_unique(lib: LibraryService, tmp_path: Path) -> None:
    ids = _import(lib, tmp_path)
    uid = lib.local_user_id
    folder = lib.find.add_smart("Square", ["orientation=square"], user_id=uid)
    lib.find.add_smart("Reds", ["color=#dc1414"], user_id=uid)
    edited = lib.find.edit_smart(str(folder.id), uid, name="Tall", rules=["orientation=portrait"])
    assert edited.id == folder.id and [str(r) for r in edited.rules] == ["orientation=portrait"]
    counts = {f.name: f.count for f in lib.find.smart_folders(uid)}
    assert counts == {"Reds": 2, "Tall": 1}
    assert lib.find.edit_smart("Tall", uid, match="any").match == "any"
    with pytest.raises(InvalidInput, match="exists"):
        lib.find.edit_smart("Tall", uid, name="reds")
    with pytest.raises(InvalidInput, match="at least one rule"):
        lib.find.edit_smart("Tall", uid, rules=[])
    with pytest.raises(InvalidInput, match="Not a rule"):
        lib.find.edit_smart("Tall", uid, rules=["nonsense"])
    assert [str(r) for r in lib.find.smart_folder("Tall", uid).rules] == ["orientation=portrait"]
    assert ids


def test_tile_states_and_the_review_rule(lib: LibraryService, tmp_path: Path) -> None:
    ids = _import(lib, tmp_path)
    lib.find.clock = lambda: NOW
    lib.find.set_rating([ids["red"]], 5)
    lib.find.set_label([ids["red"]], "green")
    lib.find.set_rights(asset_id=ids["blue"], licence="RM", valid_until="2026-05-31")
    lib.find.set_rights(asset_id=ids["red2"], licence="RF", valid_until="2026-06-15")
    states = lib.find.tile_states(list(ids.values()))
    assert (states[ids["red"]].rating, states[ids["red"]].label, states[ids["red"]].rights) == (5, "green", "none")
    assert states[ids["blue"]].rights == "expired"
    assert states[ids["blue"]].valid_until == datetime(2026, 5, 31, tzinfo=UTC)
    assert states[ids["red2"]].rights == "expiring"
    # The rights rule agrees with the states (the same clock), and review is a rule too.
    uid = lib.local_user_id
    assert lib.asset_ids(AssetQuery(user_id=uid, rules=("rights=expired",))) == [ids["blue"]]
    assert lib.count_assets(AssetQuery(user_id=uid, rules=("review=unreviewed",))) == 3
    assert lib.count_assets(AssetQuery(user_id=uid, rules=("review=approved",))) == 0
    with pytest.raises(InvalidInput, match="review is one of"):
        lib.find.where(["review=great"])


def test_the_rights_rules_agree_with_each_assets_own_rights(lib: LibraryService, tmp_path: Path) -> None:
    """Expired and expiring, by the indexed subqueries: an asset's own end date wins over its
    campaign's, a rights row without an end date inherits the campaign's."""
    client = lib.create_client("Acme")
    old, fresh = lib.create_campaign(client.id, "Old"), lib.create_campaign(client.id, "Fresh")
    names = {}
    for n, (campaign, rgb) in enumerate([(old, (200, 0, 0)), (old, (0, 200, 0)), (old, (0, 0, 200)),
                                         (fresh, (200, 200, 0)), (fresh, (0, 200, 200)), (None, (90, 90, 90))]):
        path = tmp_path / f"a{n}.png"
        Image.new("RGB", (64, 48), rgb).save(path)
        target = lib.default_target(client_id=client.id, campaign_id=campaign.id if campaign else None)
        names[f"a{n}"] = lib.import_paths([path], target, workers=1).imported[0].id
    lib.find.clock = lambda: NOW
    lib.find.set_rights(campaign_id=old.id, valid_until="2026-03-01")  # expired for its assets
    lib.find.set_rights(campaign_id=fresh.id, valid_until="2026-06-10")  # expiring
    lib.find.set_rights(asset_id=names["a1"], valid_until="2027-01-01")  # its own: valid
    lib.find.set_rights(asset_id=names["a2"], licence="RM")  # no end date: the campaign's
    lib.find.set_rights(asset_id=names["a4"], valid_until="2026-05-01")  # its own: expired
    lib.find.set_rights(asset_id=names["a5"], valid_until="2026-06-20")  # unfiled: expiring
    uid = lib.local_user_id
    for state in ("expired", "expiring", "valid", "none"):
        found = set(lib.asset_ids(AssetQuery(user_id=uid, rules=(f"rights={state}",))))
        if state in ("expired", "expiring"):
            truth = {i for i in names.values() if lib.find.rights(i).status == state}
            assert found == truth, state
            found_not = set(lib.asset_ids(AssetQuery(user_id=uid, rules=(f"rights!={state}",))))
            assert found_not == set(names.values()) - truth
    expired = {n for n, i in names.items() if lib.find.rights(i).status == "expired"}
    assert expired == {"a0", "a2", "a4"}
