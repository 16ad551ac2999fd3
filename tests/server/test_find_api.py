"""The find extensions over HTTP: metadata, rating/label/rights, list filters, smart folders."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from tests.server.conftest import new_api
from tests.server.live import LiveServer


def _jpeg(path: Path, colour: tuple[int, int, int], seed: int, size: tuple[int, int] = (400, 300)) -> Path:
    im = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(im)
    for i in range(5):
        x, y = (seed * 61 + i * 73) % 340, (seed * 37 + i * 51) % 240
        draw.rectangle([x, y, x + 50, y + 40], fill=(250, 250, 250))
    im.save(path, "JPEG", quality=92)
    return path


def test_find_extensions(sqlite_server: LiveServer, tmp_path: Path) -> None:
    api = new_api(sqlite_server, "finder")
    other = new_api(sqlite_server, "other")
    red = api.upload(_jpeg(tmp_path / "red.jpg", (220, 20, 20), 1)).json()
    blue = api.upload(_jpeg(tmp_path / "blue.jpg", (20, 40, 220), 2)).json()
    with Image.open(tmp_path / "red.jpg") as im:
        im.resize((200, 150)).save(tmp_path / "red-small.jpg", "JPEG", quality=60)
    copy = api.upload(tmp_path / "red-small.jpg").json()

    meta = api.get(f"/api/v2/assets/{red['id']}/metadata")
    assert meta.status_code == 200, meta.text
    body = meta.json()
    assert body["rating"] == 0 and body["label"] is None and body["palette"]
    assert body["rights"]["status"] == "none"
    assert body["looksLike"] == [{"id": copy["id"], "name": copy["name"], "bits": body["looksLike"][0]["bits"]}]
    assert 0 <= body["looksLike"][0]["bits"] <= 10
    assert api.get(f"/api/v2/assets/{blue['id']}/metadata").json()["looksLike"] == []
    assert other.get(f"/api/v2/assets/{red['id']}/metadata").status_code == 404

    changed = api.patch(
        f"/api/v2/assets/{red['id']}/metadata",
        json={"rating": 5, "label": "red", "rights": {"licence": "RF", "validUntil": "2000-01-01"}},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["rating"] == 5 and changed.json()["rights"]["status"] == "expired"
    bad = api.patch(f"/api/v2/assets/{red['id']}/metadata", json={"rating": 9})
    assert bad.status_code == 422

    def ids(**params: object) -> list[str]:
        response = api.get("/api/v2/assets", params=params)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()]

    assert ids(rating=4) == [red["id"]]
    assert ids(label="red") == [red["id"]]
    assert ids(color="#1428dc") == [blue["id"]]
    assert ids(rights="expired") == [red["id"]]
    assert ids(similarTo=red["id"]) == [copy["id"]]
    assert ids(where=["orientation=landscape", "width>=300"]) == [blue["id"], red["id"]]
    assert len(ids()) == 3  # without the extensions: the spec'd listing, unchanged
    refused = api.get("/api/v2/assets", params={"where": "stars>=9"})
    assert refused.status_code == 400 and refused.json() == {"detail": "A rating is 0 to 5 stars"}
    assert other.get("/api/v2/assets", params={"similarTo": red["id"]}).status_code == 404

    made = api.post("/api/v2/smart-folders", json={"name": "Best", "rules": ["rating>=4"]})
    assert made.status_code == 201, made.text
    assert made.json()["count"] == 1
    listed = api.get("/api/v2/smart-folders").json()
    assert [(f["name"], f["count"]) for f in listed] == [("Best", 1)]
    assert other.get("/api/v2/smart-folders").json() == []
    assert other.delete(f"/api/v2/smart-folders/{made.json()['id']}").status_code == 404
    assert api.delete(f"/api/v2/smart-folders/{made.json()['id']}").status_code == 200

    spec = api.get("/openapi.json").json()
    assert "/api/v2/assets/{asset_id}/metadata" in spec["paths"]
    listing = {p["name"] for p in spec["paths"]["/api/v2/assets"]["get"]["parameters"]}
    assert {"rating", "label", "color", "similarTo", "q", "rights", "where"} <= listing
