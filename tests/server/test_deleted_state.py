"""The change feed's "deleted-state" extension: a deletion carries what its asset last held."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.server.conftest import new_api
from tests.server.live import LiveServer

LATE = "1900000000000.0000.bbbb"


def test_deletion_in_the_feed_carries_the_last_fields_and_edit_times(
    sqlite_server: LiveServer, tmp_path: Path
) -> None:
    api = new_api(sqlite_server, "deletedstate")
    Image.new("RGB", (40, 30), (200, 20, 30)).save(tmp_path / "r.jpg", "JPEG")
    asset = api.upload(tmp_path / "r.jpg").json()
    r = api.patch(
        f"/api/v2/assets/{asset['id']}",
        json={"name": "final name", "tags": ["kept"], "editTimes": {"name": LATE}},
    )
    assert r.status_code == 200, r.text
    cursor = api.get("/api/v2/changes").json()["cursor"]
    assert api.delete(f"/api/v2/assets/{asset['id']}").status_code == 200

    feed = api.get("/api/v2/changes", params={"cursor": cursor}).json()
    [gone] = feed["deleted"]
    assert gone["id"] == asset["id"] and gone["deletedAt"]
    last = gone["last"]
    assert (last["asset"]["name"], last["asset"]["tags"]) == ("final name", ["kept"])
    assert last["editTimes"]["name"] == LATE and last["editTimes"]["tags"]
    assert last["sha256"] and last["rating"] == 0
    assert set(last["asset"]) <= set(asset)  # the spec'd asset's keys, nothing new in it
