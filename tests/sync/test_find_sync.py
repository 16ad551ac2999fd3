"""Ratings, labels, usage rights and smart folders travel like names and tags (README "Sync")."""

from __future__ import annotations

from pathlib import Path

from app.client import ApiClient
from app.library.service import LibraryService
from app.sync import SyncEngine
from tests.sync.conftest import FAST, connect, jpegs, sync


def _pair(server, libs, tmp_path: Path, count: int = 2) -> tuple[LibraryService, LibraryService]:  # type: ignore[no-untyped-def]
    a, b = libs
    connect(a, server.base_url, server.token)
    connect(b, server.base_url, server.token)
    a.import_paths(jpegs(tmp_path / "m", count))
    sync(a)
    sync(b)
    return a, b


def _id(lib: LibraryService, name: str, user_id: int | None = None) -> str:
    return next(r.id for r in lib.iter_assets() if r.name == name and (user_id is None or r.user_id == user_id))


def _facts(lib: LibraryService, name: str, user_id: int | None = None) -> tuple[object, ...]:
    meta = lib.find.metadata(_id(lib, name, user_id))
    rights = meta["rights"]
    return (meta["rating"], meta["label"], rights["licence"], rights["credit"], rights["validUntil"])


def _server_facts(server, name: str) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    return _facts(server.library, name, server.library.get_user(server.user).id)


def test_rating_label_and_rights_travel_both_ways(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = _pair(server, libs, tmp_path)
    pic0 = _id(a, "pic0.jpg")
    a.find.set_rating([pic0], 4)
    a.find.set_label([pic0], "red")
    a.find.set_rights(asset_id=pic0, licence="CC BY 4.0", credit="Ana Lima", valid_until="2031-01-31")
    sync(a)
    want = (4, "red", "CC BY 4.0", "Ana Lima", "2031-01-31T00:00:00+00:00")
    assert _server_facts(server, "pic0.jpg") == want
    sync(b)
    assert _facts(b, "pic0.jpg") == want
    assert _facts(b, "pic1.jpg") == (0, None, None, None, None)

    # And back: B clears the label and rates it 1; A takes both.
    b.find.set_label([_id(b, "pic0.jpg")], None)
    b.find.set_rating([_id(b, "pic0.jpg")], 1)
    sync(b)
    sync(a)
    assert _facts(a, "pic0.jpg") == (1, None, "CC BY 4.0", "Ana Lima", "2031-01-31T00:00:00+00:00")

    # Nothing left to do on either side: no value bounces back.
    for lib in (a, b):
        report = SyncEngine(lib, None, options=FAST).run()
        assert report.plan.visible() == [], [x.describe() for x in report.plan.visible()]


def test_new_assets_carry_their_rating_on_upload_and_download(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    connect(a, server.base_url, server.token)
    connect(b, server.base_url, server.token)
    [first] = [r.id for r in a.import_paths(jpegs(tmp_path / "n", 1)).imported]
    a.find.set_rating([first], 5)
    a.find.set_label([first], "green")
    sync(a)
    assert _server_facts(server, "pic0.jpg")[:2] == (5, "green")
    sync(b)
    assert _facts(b, "pic0.jpg")[:2] == (5, "green")
    for lib in (a, b):
        report = SyncEngine(lib, None, options=FAST).run()
        assert report.plan.visible() == [], [x.describe() for x in report.plan.visible()]
    assert _facts(a, "pic0.jpg")[:2] == _facts(b, "pic0.jpg")[:2] == (5, "green")


def test_same_rating_edited_on_both_sides_later_edit_wins_and_shows_in_history(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = _pair(server, libs, tmp_path)
    a.find.set_rating([_id(a, "pic0.jpg")], 2)  # earlier
    b.find.set_rating([_id(b, "pic0.jpg")], 5)  # later
    b.find.set_label([_id(b, "pic0.jpg")], "blue")
    a.find.set_label([_id(a, "pic0.jpg")], "purple")  # later than B's label
    sync(b)
    report = sync(a)
    assert _facts(a, "pic0.jpg")[:2] == (5, "purple")
    [action] = report.plan.visible()
    assert action.pull == {"rating": 5}
    assert action.push == {"label": "purple"}
    sync(b)
    assert _facts(b, "pic0.jpg")[:2] == (5, "purple")
    assert _server_facts(server, "pic0.jpg")[:2] == (5, "purple")

    entries = {(e.field, e.side): e for e in a.sync_history()}
    rating = entries[("rating", "here")]
    assert (rating.old_value, rating.new_value, rating.conflict) == (2, 5, True)
    label = entries[("label", "server")]
    assert (label.old_value, label.new_value, label.conflict) == ("blue", "purple", True)


def test_rights_set_through_the_api_reach_the_library(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = _pair(server, libs, tmp_path)
    with ApiClient(server.base_url, server.token) as api:
        remote = next(x for x in api.iter_assets() if x.name == "pic1.jpg")
        api.update_metadata(
            remote.id, {"rating": 3, "rights": {"licence": "Editorial", "validUntil": "2030-06-30"}}
        )
        state = next(s for s in api.changes(0).assets if s.asset.id == remote.id)
    assert state.rating == 3
    assert state.rights is not None and state.rights.licence == "Editorial"
    assert state.editTimes is not None and state.editTimes.rating and state.editTimes.rights
    sync(a)
    assert _facts(a, "pic1.jpg") == (3, None, "Editorial", None, "2030-06-30T00:00:00+00:00")


def test_smart_folders_created_and_deleted_on_one_side_follow_on_the_other(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = _pair(server, libs, tmp_path)
    a.find.add_smart("Best", ["rating>=4"], "all", a.local_user_id)
    a.find.add_smart("Reds", ["label=red"], "any", a.local_user_id)
    sync(a)
    sync(b)
    assert {(f.name, f.match, tuple(map(str, f.rules))) for f in b.find.smart_folders(b.local_user_id)} == {
        ("Best", "all", ("rating>=4",)),
        ("Reds", "any", ("label=red",)),
    }
    uid = server.library.get_user(server.user).id
    assert {f.name for f in server.library.find.smart_folders(uid)} == {"Best", "Reds"}

    # B edits one and deletes the other; A follows.
    b.find.edit_smart("Best", b.local_user_id, name="Best of all", rules=["rating>=5"])
    b.find.remove_smart("Reds", b.local_user_id)
    sync(b)
    sync(a)
    assert [(f.name, tuple(map(str, f.rules))) for f in a.find.smart_folders(a.local_user_id)] == [
        ("Best of all", ("rating>=5",))
    ]
    # The deletion does not come back from a side that had not heard of it yet.
    sync(b)
    assert [f.name for f in b.find.smart_folders(b.local_user_id)] == ["Best of all"]
    assert [f.name for f in server.library.find.smart_folders(uid)] == ["Best of all"]


def test_smart_folder_edited_on_both_sides_later_edit_wins(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = _pair(server, libs, tmp_path)
    a.find.add_smart("Picks", ["rating>=3"], "all", a.local_user_id)
    sync(a)
    sync(b)
    a.find.edit_smart("Picks", a.local_user_id, rules=["rating>=4"])  # earlier
    b.find.edit_smart("Picks", b.local_user_id, rules=["rating>=5"])  # later
    sync(a)
    sync(b)
    sync(a)
    for lib in (a, b):
        assert [tuple(map(str, f.rules)) for f in lib.find.smart_folders(lib.local_user_id)] == [("rating>=5",)]
    # A deletion later than an edit wins over it.
    b.find.edit_smart("Picks", b.local_user_id, rules=["rating>=1"])
    a.find.remove_smart("Picks", a.local_user_id)
    sync(b)
    sync(a)
    sync(b)
    assert a.find.smart_folders(a.local_user_id) == b.find.smart_folders(b.local_user_id) == []


def test_same_name_made_on_both_sides_keeps_both(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = _pair(server, libs, tmp_path)
    a.find.add_smart("Todo", ["rating=0"], "all", a.local_user_id)
    b.find.add_smart("todo", ["label=red"], "all", b.local_user_id)
    sync(a)
    sync(b)
    sync(a)
    names_a = sorted(f.name for f in a.find.smart_folders(a.local_user_id))
    names_b = sorted(f.name for f in b.find.smart_folders(b.local_user_id))
    assert names_a == names_b and len(names_a) == 2
