"""The find-sync and smart-folder-sync extensions over HTTP: feed values, edit times, folder merges."""

from __future__ import annotations

import uuid
from pathlib import Path

from PIL import Image

from tests.server.conftest import new_api
from tests.server.live import LiveServer

EARLY, LATE = "1700000000000.0000.aaaa", "1900000000000.0000.bbbb"


def test_feed_carries_rating_label_rights_with_the_times_given(sqlite_server: LiveServer, tmp_path: Path) -> None:
    api = new_api(sqlite_server, "findsync")
    Image.new("RGB", (40, 30), (10, 200, 30)).save(tmp_path / "g.jpg", "JPEG")
    asset = api.upload(tmp_path / "g.jpg").json()
    plain = api.get("/api/v2/changes").json()["assets"][0]
    assert (plain["rating"], plain["label"]) == (0, None)
    assert plain["rights"] == {k: None for k in ("licence", "source", "credit", "validFrom", "validUntil")}

    r = api.patch(
        f"/api/v2/assets/{asset['id']}/metadata",
        json={"rating": 4, "label": "green", "rights": {"licence": "CC0", "validUntil": "2030-01-01"},
              "editTimes": {"rating": LATE, "label": LATE, "rights": LATE}},
    )
    assert r.status_code == 200, r.text
    state = api.get("/api/v2/changes").json()["assets"][0]
    assert (state["rating"], state["label"], state["rights"]["licence"]) == (4, "green", "CC0")
    assert state["rights"]["validUntil"].startswith("2030-01-01")
    assert {k: state["editTimes"][k] for k in ("rating", "label", "rights")} == {
        "rating": LATE, "label": LATE, "rights": LATE,
    }
    assert set(state["asset"]) == set(asset)  # the spec'd asset, no new keys in it

    bad = api.patch(f"/api/v2/assets/{asset['id']}/metadata", json={"rating": 1, "editTimes": {"rating": "soon"}})
    assert bad.status_code == 422 and isinstance(bad.json()["detail"], str)
    assert api.get("/api/v2/changes").json()["assets"][0]["rating"] == 4  # nothing half done


def test_smart_folder_sync_later_edit_wins(sqlite_server: LiveServer) -> None:
    api = new_api(sqlite_server, "smartsync")
    other = new_api(sqlite_server, "smartother")
    assert api.get("/api/v2/changes").json()["smartFoldersAt"] is None
    uid = str(uuid.uuid4())
    folder = {"uid": uid, "editedAt": EARLY, "name": "Best", "match": "all", "rules": ["rating>=4"]}
    merged = api.post("/api/v2/smart-folder-sync", json={"folders": [folder]})
    assert merged.status_code == 200, merged.text
    assert merged.json()["folders"] == [folder]
    assert [f["name"] for f in api.get("/api/v2/smart-folders").json()] == ["Best"]
    assert api.get("/api/v2/changes").json()["smartFoldersAt"] == EARLY
    assert other.post("/api/v2/smart-folder-sync", json={"folders": []}).json()["folders"] == []
    # Another user sending the same uid takes nothing over: not yours, not changed.
    theft = {**folder, "editedAt": LATE, "name": "Mine now"}
    assert other.post("/api/v2/smart-folder-sync", json={"folders": [theft]}).json()["folders"] == []
    assert other.post("/api/v2/smart-folder-sync", json={"folders": [{"uid": uid, "editedAt": LATE}]}).status_code == 200
    assert [f["name"] for f in api.get("/api/v2/smart-folders").json()] == ["Best"]

    # An older edit loses; a later deletion wins and is kept as a tombstone.
    stale = {**folder, "editedAt": "1600000000000.0000.cccc", "name": "Old"}
    assert api.post("/api/v2/smart-folder-sync", json={"folders": [stale]}).json()["folders"] == [folder]
    gone = {"uid": uid, "editedAt": LATE}
    answer = api.post("/api/v2/smart-folder-sync", json={"folders": [gone]}).json()["folders"]
    assert answer == [{**gone, "name": None, "match": "all", "rules": []}]
    assert api.get("/api/v2/smart-folders").json() == []

    for body in ({"folders": "x"}, {"folders": [{"uid": uid}]}, {"folders": [{"editedAt": LATE}]}):
        r = api.post("/api/v2/smart-folder-sync", json=body)
        assert r.status_code == 422 and isinstance(r.json()["detail"], str), r.text
    # A malformed uid, stamp or rule is left out, never half applied.
    junk = [{"uid": "nope", "editedAt": LATE, "name": "X", "rules": ["rating>=1"]},
            {"uid": str(uuid.uuid4()), "editedAt": "later", "name": "Y", "rules": ["rating>=1"]},
            {"uid": str(uuid.uuid4()), "editedAt": LATE, "name": "Z", "rules": ["bogus~~"]}]
    assert api.post("/api/v2/smart-folder-sync", json={"folders": junk}).status_code == 200
    assert api.get("/api/v2/smart-folders").json() == []
