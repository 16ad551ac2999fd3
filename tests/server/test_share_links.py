"""Share links on a live server: the owner's API, the pages, files, ZIP, reviews and upload links."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tests import media
from tests.server.conftest import new_api
from tests.server.live import LiveServer
from tests.server.sharing import Visitor, create_link, make_campaign


def test_owner_creates_lists_and_revokes_links(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=("jpg",))
    made, token = create_link(api, campaignId=c.spring_id, expiresAt="2099-01-31T00:00:00Z",
                              password="blue whale 42", allowDownload=False)
    assert len(token) >= 22 and made["title"] == "Spring launch" and made["hasPassword"]
    assert made["allowDownload"] is False and made["active"] and "password" not in made
    listed = api.get("/api/v2/share-links").json()
    assert [x["id"] for x in listed] == [made["id"]] and "url" not in listed[0]
    assert api.delete(f"/api/v2/share-links/{made['id']}").json()["active"] is False
    assert api.get(f"/api/v2/share-links/{made['id']}").json()["revokedAt"]
    for body, reason in (({}, "one client"), ({"campaignId": c.spring_id, "expiresAt": "2001-01-01T00:00:00Z"}, "past"),
                         ({"kind": "upload", "clientId": c.client_id}, "campaign")):
        r = api.post("/api/v2/share-links", json=body)
        assert r.status_code == 400 and reason in r.json()["detail"], r.text
    spec = api.get("/openapi.json").json()
    for path in ("/api/v2/share-links", "/api/v2/share-links/{link_id}/feedback",
                 "/api/v2/share-links/{link_id}/activity", "/api/v2/assets/{asset_id}/reviews"):
        assert path in spec["paths"], path
        for op in spec["paths"][path].values():
            assert op.get("security"), path  # Bearer


def test_grid_preview_player_zip_and_activity(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples)
    made, token = create_link(api, campaignId=c.spring_id)
    v = Visitor(sqlite_server.base_url, token)
    page = v.get()
    assert page.status_code == 200 and "Spring launch" in page.text and "Northwind" in page.text
    for a in c.assets.values():
        assert a["id"] in page.text
        thumb = v.get(f"/t/{a['id']}")
        assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert v.get("?type=video").text.count('class="card"') == 1
    assert v.get("?q=voiceover").text.count('class="card"') == 1
    preview = v.get(f"/p/{c.assets['jpg']['id']}")
    from PIL import Image
    assert Image.open(io.BytesIO(preview.content)).size == (64, 48)  # never enlarged
    pdf_page = v.get(f"/p/{c.assets['pdf']['id']}")
    assert pdf_page.status_code == 200 and max(Image.open(io.BytesIO(pdf_page.content)).size) == 1600
    video = c.assets["mp4"]
    ranged = v.get(f"/f/{video['id']}", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100
    assert ranged.content == samples["mp4"].path.read_bytes()[:100]
    one = v.get(f"/d/{c.assets['png']['id']}")
    assert one.content == samples["png"].path.read_bytes() and "attachment" in one.headers["content-disposition"]
    zipped = v.get("/zip")
    assert zipped.status_code == 200 and int(zipped.headers["content-length"]) == len(zipped.content)
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    expected = {s.path.read_bytes() for k, s in samples.items() if k in c.assets}
    assert set(members.values()) == expected and len(members) == len(c.assets)
    activity = api.get(f"/api/v2/share-links/{made['id']}/activity").json()
    kinds = [e["kind"] for e in activity]
    assert kinds.count("opened") == 1 and kinds.count("downloaded") == 2


def test_reviews_flow_back_to_the_owner(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=("jpg", "png"))
    made, token = create_link(api, campaignId=c.spring_id)
    v = Visitor(sqlite_server.base_url, token)
    jpg, png = c.assets["jpg"]["id"], c.assets["png"]["id"]
    r = v.review(jpg, "Dana Client", "approved")
    assert r.status_code == 303, r.text
    assert "atl_name" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    assert 'value="Dana Client"' in v.get(f"/a/{png}").text  # the name is asked once
    assert v.review(png, "Dana Client", comment="Logo a touch larger").status_code == 303
    assert v.review(png, "Dana Client").status_code == 400  # neither decision nor comment
    feedback = api.get(f"/api/v2/share-links/{made['id']}/feedback").json()
    assert [(f["assetId"], f["decision"], f["comment"]) for f in feedback] == [
        (jpg, "approved", None), (png, None, "Logo a touch larger")]
    state = api.get(f"/api/v2/assets/{png}/reviews").json()
    assert state["status"] == "commented" and state["comments"] == 1
    assert api.get(f"/api/v2/assets/{jpg}/reviews").json()["status"] == "approved"
    assert "Approved" in v.get().text


def test_previews_only_link(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=("jpg", "mp4", "mp3", "pdf"))
    _, token = create_link(api, campaignId=c.spring_id, allowDownload=False, allowReview=False)
    v = Visitor(sqlite_server.base_url, token)
    page = v.get()
    assert "Download all" not in page.text
    assert v.get("/zip").status_code == 403
    assert v.get(f"/d/{c.assets['jpg']['id']}").status_code == 403
    assert v.get(f"/f/{c.assets['jpg']['id']}").status_code == 403
    assert v.get(f"/f/{c.assets['pdf']['id']}").status_code == 403
    # Video and audio are previews by nature: the players still stream them, with Range.
    for key in ("mp4", "mp3"):
        played = v.get(f"/f/{c.assets[key]['id']}", headers={"Range": "bytes=0-9"})
        assert played.status_code == 206 and played.content == samples[key].path.read_bytes()[:10], key
        assert "attachment" not in played.headers.get("content-disposition", ""), key
        assert v.get(f"/d/{c.assets[key]['id']}").status_code == 403, key
    assert v.get(f"/p/{c.assets['jpg']['id']}").status_code == 200  # the large preview shows
    assert 'id="review-form"' not in v.get(f"/a/{c.assets['jpg']['id']}").text
    assert v.review(c.assets["jpg"]["id"], "Dana", "approved").status_code == 403


def test_deleting_an_asset_removes_its_cached_preview(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=("jpg", "pdf"))
    _, token = create_link(api, campaignId=c.spring_id)
    v = Visitor(sqlite_server.base_url, token)
    folder = sqlite_server.library.storage.previews_dir
    for key in ("jpg", "pdf"):
        assert v.get(f"/p/{c.assets[key]['id']}").status_code == 200
        assert len(list(folder.glob(f"{c.assets[key]['id']}-*"))) == 1, key
    assert api.delete(f"/api/v2/assets/{c.assets['jpg']['id']}").status_code == 200
    assert list(folder.glob(f"{c.assets['jpg']['id']}-*")) == []
    assert len(list(folder.glob(f"{c.assets['pdf']['id']}-*"))) == 1  # the other stays cached
    assert v.get(f"/p/{c.assets['jpg']['id']}").status_code == 404


def test_upload_link_takes_good_files_and_explains_refusals(sqlite_server: LiveServer, samples: dict[str, media.Sample], tmp_path: Path) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=())
    made, token = create_link(api, kind="upload", campaignId=c.spring_id, quotaFiles=3)
    v = Visitor(sqlite_server.base_url, token)
    page = v.get()
    assert page.status_code == 200 and "Send files for Spring launch" in page.text
    bad = tmp_path / "notes.txt"
    bad.write_text("not a picture")
    refused = v.upload(bad, uploader="Dana", email="dana@example.com")
    assert refused.status_code == 400 and refused.json()["detail"].startswith("Invalid file type: text/plain")
    for key in ("jpg", "mp3", "pdf"):
        r = v.upload(samples[key].path, uploader="Dana", email="dana@example.com")
        assert r.status_code == 201, r.text
    over = v.upload(samples["png"].path)
    assert over.status_code == 400 and "at most 3 files" in over.json()["detail"]
    assets = api.get(f"/api/v2/assets?campaignId={c.spring_id}").json()
    assert len(assets) == 3
    uploads = [e for e in api.get(f"/api/v2/share-links/{made['id']}/activity").json() if e["kind"] == "uploaded"]
    assert [e["actor"] for e in uploads] == ["Dana <dana@example.com>"] * 3
    lib = sqlite_server.library
    assert "Dana <dana@example.com>" in (lib.get_asset(assets[0]["id"]).description or "")
    assert not any(lib.storage.staging_dir.iterdir())  # nothing left of the refused files


def test_upload_byte_quota_is_enforced_while_streaming(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=())
    small = samples["png"].path.stat().st_size
    made, token = create_link(api, kind="upload", campaignId=c.spring_id, quotaBytes=small + 10)
    v = Visitor(sqlite_server.base_url, token)
    big = v.upload(samples["mp4"].path)
    assert big.status_code == 400 and "quota" in big.json()["detail"]
    assert v.upload(samples["png"].path).status_code == 201
    assert api.get(f"/api/v2/share-links/{made['id']}").json()["usedBytes"] == small
    assert v.upload(samples["png"].path, uploader="", email="").status_code == 400
    assert not any(sqlite_server.library.storage.staging_dir.iterdir())


def test_the_whole_loop_on_postgresql(pg_url: str, tmp_path: Path, samples: dict[str, media.Sample]) -> None:
    from tests.server.live import live_server

    with live_server(tmp_path / "pg-lib", pg_url) as live:
        api = new_api(live)
        c = make_campaign(api, samples, keys=("jpg", "png"))
        made, token = create_link(api, campaignId=c.spring_id, password="blue whale 42")
        v = Visitor(live.base_url, token)
        assert v.unlock("wrong").status_code == 401
        assert v.unlock("blue whale 42").status_code == 303
        assert v.review(c.assets["jpg"]["id"], "Dana", "approved").status_code == 303
        assert v.get(f"/t/{c.other['id']}").status_code == 404
        feed = api.get("/api/v2/reviews?after=0").json()
        assert [r["decision"] for r in feed["reviews"]] == ["approved"] and not feed["hasMore"]
        assert api.get(f"/api/v2/reviews?after={feed['cursor']}").json()["reviews"] == []
        up, up_token = create_link(api, kind="upload", campaignId=c.spring_id, quotaFiles=1)
        assert Visitor(live.base_url, up_token).upload(samples["pdf"].path).status_code == 201
        assert api.get(f"/api/v2/share-links/{up['id']}").json()["usedFiles"] == 1
        assert api.delete(f"/api/v2/share-links/{made['id']}").status_code == 200
        assert v.get().status_code == 410
