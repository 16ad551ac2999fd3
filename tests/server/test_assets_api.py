"""The five v2 endpoints through a real server, on SQLite and PostgreSQL: shapes, filters, files."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from app.api.schemas import asset_adapter
from app.library.service import Target
from tests import media
from tests.server.conftest import Api, new_api
from tests.server.live import LiveServer

BASE_KEYS = {"id", "userId", "clientId", "campaignId", "name", "url", "size", "uploadedAt", "tags", "type", "format"}
TYPE_KEYS = {
    "image": {"width", "height"},
    "video": {"width", "height", "duration", "thumbnailUrl"},
    "audio": {"duration", "waveformUrl"},
    "document": {"pageCount", "thumbnailUrl"},
}


def _uploaded(api: Api, sample: media.Sample, **fields: str) -> dict:
    response = api.upload(sample.path, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_upload_every_type_gives_the_spec_shape(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(server)
    for fmt, sample in samples.items():
        body = _uploaded(api, sample)
        assert set(body) == BASE_KEYS | TYPE_KEYS[sample.asset_type], fmt
        asset_adapter.validate_python(body)
        assert body["type"] == sample.asset_type and body["format"] == fmt
        assert body["name"] == sample.path.name
        assert body["size"] == sample.path.stat().st_size
        assert body["userId"] == api.user_id
        assert body["tags"] is None and body["clientId"] is None and body["campaignId"] is None
        assert body["url"] == f"{server.base_url}/api/v2/assets/{body['id']}"
        when = datetime.strptime(body["uploadedAt"].split(".")[0].rstrip("Z"), "%Y-%m-%dT%H:%M:%S")
        assert body["uploadedAt"].endswith("Z")
        assert abs((when.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()) < 120
        if sample.asset_type in ("image", "video"):
            assert (body["width"], body["height"]) == (sample.width, sample.height)
        if sample.asset_type in ("video", "audio"):
            assert body["duration"] == sample.duration
        if sample.asset_type in ("video", "document"):
            assert body["thumbnailUrl"] == body["url"] + "/thumbnail"
        if sample.asset_type == "audio":
            assert body["waveformUrl"] == body["url"] + "/waveform"
        if sample.asset_type == "document":
            assert body["pageCount"] == sample.page_count


def test_list_filters_and_pagination(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(server)
    client = api.post("/api/v2/clients", json={"name": "Acme"}).json()
    other_client = api.post("/api/v2/clients", json={"name": "Globex"}).json()
    campaign = api.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "Spring"}).json()
    logo = _uploaded(api, samples["png"], clientId=client["id"], name="Company Logo")
    video = _uploaded(api, samples["mp4"], campaignId=campaign["id"])
    both = _uploaded(api, samples["jpg"], clientId=client["id"], campaignId=campaign["id"])
    loose = _uploaded(api, samples["mp3"])
    elsewhere = _uploaded(api, samples["pdf"], clientId=other_client["id"])
    assert logo["name"] == "Company Logo" and logo["clientId"] == client["id"]
    assert video["campaignId"] == campaign["id"]

    def ids(query: str = "") -> list[str]:
        response = api.get("/api/v2/assets" + query)
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list)
        return [a["id"] for a in response.json()]

    everything = ids()
    assert everything == [elsewhere["id"], loose["id"], both["id"], video["id"], logo["id"]]  # newest first
    # A campaign's assets belong to its client too.
    assert set(ids(f"?clientId={client['id']}")) == {logo["id"], video["id"], both["id"]}
    assert set(ids(f"?campaignId={campaign['id']}")) == {video["id"], both["id"]}
    assert ids(f"?campaignId={campaign['id']}&asset_type=video") == [video["id"]]
    assert set(ids(f"?clientId={client['id']}&asset_type=image")) == {logo["id"], both["id"]}
    assert ids("?asset_type=audio") == [loose["id"]]
    assert ids("?asset_type=document") == [elsewhere["id"]]
    # `type`, the name the assets themselves carry, is a documented alias, never ignored.
    assert ids("?type=video") == [video["id"]]
    assert ids("?type=audio&asset_type=audio") == [loose["id"]]
    assert ids("?type=audio&asset_type=video") == []  # both filters apply
    assert ids("?clientId=client-uuid-123") == []
    assert ids("?clientId=00000000-0000-4000-8000-000000000000") == []
    assert ids("?asset_type=image&limit=1&offset=0") == [both["id"]]
    assert ids("?asset_type=image&limit=1&offset=1") == [logo["id"]]
    assert ids("?asset_type=image&limit=20&offset=2") == []
    pages = [ids(f"?limit=2&offset={o}") for o in (0, 2, 4)]
    assert [i for page in pages for i in page] == everything
    for query, word in [
        ("?limit=101", "limit"),
        ("?limit=0", "limit"),
        ("?offset=-1", "offset"),
        ("?asset_type=spreadsheet", "asset_type"),
        ("?limit=abc", "limit"),
        ("?type=spreadsheet", "type"),
    ]:
        response = api.get("/api/v2/assets" + query)
        assert response.status_code == 422, query
        assert isinstance(response.json()["detail"], str) and word in response.json()["detail"]


def test_default_page_is_50_and_max_100(server: LiveServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    api = new_api(server)
    for i in range(105):
        # Straight into the shared library: the subject is paging, not uploading.
        png = media.make_png(tmp_path, 8 + i % 7, 8 + i // 7, alpha=False, name=f"p{i}.png")
        with png.path.open("rb") as f:
            server.library.import_stream(f, png.path.name, Target(user_id=api.user_id))
    assert len(api.get("/api/v2/assets").json()) == 50
    assert len(api.get("/api/v2/assets?limit=100").json()) == 100
    assert len(api.get("/api/v2/assets?limit=100&offset=100").json()) == 5


def test_download_with_and_without_range(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(server)
    video = _uploaded(api, samples["mp4"], name="Démo vidéo")
    data = samples["mp4"].path.read_bytes()
    full = api.get(f"/api/v2/assets/{video['id']}")
    assert full.status_code == 200 and full.content == data
    assert full.headers["Content-Type"] == "video/mp4"
    assert full.headers["X-Content-Type-Options"] == "nosniff"
    assert full.headers["Accept-Ranges"] == "bytes"
    assert full.headers["Content-Disposition"] == (
        "inline; filename=\"Demo video.mp4\"; filename*=UTF-8''D%C3%A9mo%20vid%C3%A9o.mp4"
    )
    etag = full.headers["ETag"]

    part = api.get(f"/api/v2/assets/{video['id']}", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == data[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(data)}"
    tail = api.get(f"/api/v2/assets/{video['id']}", headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == data[-500:]
    seek = api.get(f"/api/v2/assets/{video['id']}", headers={"Range": f"bytes={len(data) - 10}-"})
    assert seek.status_code == 206 and seek.content == data[-10:]
    beyond = api.get(f"/api/v2/assets/{video['id']}", headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(data)}"
    assert beyond.json() == {"detail": "Requested range not satisfiable"}
    ignored = api.get(f"/api/v2/assets/{video['id']}", headers={"Range": "pages=1-2"})
    assert ignored.status_code == 200 and ignored.content == data
    stale = api.get(
        f"/api/v2/assets/{video['id']}", headers={"Range": "bytes=0-9", "If-Range": '"stale"'}
    )
    assert stale.status_code == 200 and stale.content == data

    cached = api.get(f"/api/v2/assets/{video['id']}", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["ETag"] == etag
    changed = api.get(f"/api/v2/assets/{video['id']}", headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200
    since = api.get(
        f"/api/v2/assets/{video['id']}", headers={"If-Modified-Since": full.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_thumbnails_and_waveform(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(server)
    for fmt in ("mp4", "pdf", "png", "mp3"):
        asset = _uploaded(api, samples[fmt])
        thumb = api.get(f"/api/v2/assets/{asset['id']}/thumbnail")
        assert thumb.status_code == 200, (fmt, thumb.text)
        assert thumb.headers["Content-Type"] == "image/jpeg"
        assert thumb.headers["X-Content-Type-Options"] == "nosniff"
        picture = Image.open(io.BytesIO(thumb.content))
        assert picture.format == "JPEG" and max(picture.size) <= 1024
        again = api.get(
            f"/api/v2/assets/{asset['id']}/thumbnail", headers={"If-None-Match": thumb.headers["ETag"]}
        )
        assert again.status_code == 304
        waveform = api.get(f"/api/v2/assets/{asset['id']}/waveform")
        if fmt == "mp3":
            assert asset["waveformUrl"] == asset["url"] + "/waveform"
            assert waveform.status_code == 200 and waveform.headers["Content-Type"] == "image/jpeg"
            assert Image.open(io.BytesIO(waveform.content)).format == "JPEG"
        else:
            assert waveform.status_code == 404
            assert waveform.json() == {"detail": "Only audio assets have a waveform"}


def test_delete_removes_row_file_and_thumbnail(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(server)
    video = _uploaded(api, samples["mp4"])
    record = server.library.get_asset(video["id"])
    # Through the storage interface: a folder on one server, the object store on a cluster.
    assert server.library.stored_file(record) and server.library.stored_thumb(record)
    response = api.delete(f"/api/v2/assets/{video['id']}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": f"Asset {video['id']} deleted successfully"}
    assert server.library.stored_file(record) is None and server.library.stored_thumb(record) is None
    assert api.get(f"/api/v2/assets/{video['id']}").json() == {"detail": "Asset not found"}
    again = api.delete(f"/api/v2/assets/{video['id']}")
    assert again.status_code == 404 and again.json() == {"detail": "Asset not found"}
    assert video["id"] not in [a["id"] for a in api.get("/api/v2/assets").json()]


@pytest.mark.parametrize(
    "method,suffix", [("GET", ""), ("DELETE", ""), ("GET", "/thumbnail"), ("GET", "/waveform"), ("PATCH", "")]
)
def test_malformed_asset_ids_are_refused_before_any_lookup(
    sqlite_server: LiveServer, method: str, suffix: str
) -> None:
    api = new_api(sqlite_server)
    for bad in ("asset-uuid-abc", "..%5C..%5Clibrary.db", "123", "%00"):
        response = api.request(method, f"/api/v2/assets/{bad}{suffix}", json={})
        assert response.status_code == 400, (bad, response.text)
        assert response.json() == {"detail": "Invalid asset ID format"}


def test_public_base_url_makes_every_url(tmp_path, samples: dict[str, media.Sample]) -> None:  # type: ignore[no-untyped-def]
    from tests.server.live import live_server

    with live_server(tmp_path / "lib", public_url="https://assets.example.com/") as live:
        api = new_api(live)
        video = _uploaded(api, samples["mp4"])
        assert video["url"] == f"https://assets.example.com/api/v2/assets/{video['id']}"
        assert video["thumbnailUrl"] == video["url"] + "/thumbnail"
        listed = api.get("/api/v2/assets").json()
        assert listed[0]["url"] == video["url"]
        feed = api.get("/api/v2/changes").json()
        assert feed["assets"][0]["asset"]["url"] == video["url"]
