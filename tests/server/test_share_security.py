"""Share links under attack: XSS, IDOR across links and users, expiry, revocation, throttling, CSRF."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from app.library.share_models import ShareLink
from tests import media
from tests.server.conftest import new_api
from tests.server.live import LiveServer, live_server
from tests.server.sharing import XSS_NAME, Visitor, create_link, make_campaign


def _attributes(html: str) -> set[str]:
    """Every attribute name of every element, as a browser's parser sees them."""
    names: set[str] = set()

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            names.update(name for name, _ in attrs)

    Collect().feed(html)
    return names


def test_names_and_comments_render_as_text(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=("jpg",), client=XSS_NAME, campaign=XSS_NAME + " launch")
    asset = c.assets["jpg"]["id"]
    assert api.patch(f"/api/v2/assets/{asset}", json={"name": XSS_NAME}).status_code == 200
    _, token = create_link(api, campaignId=c.spring_id)
    v = Visitor(sqlite_server.base_url, token)
    assert v.review(asset, XSS_NAME, comment="<script>alert(2)</script>").status_code == 303
    for page in (v.get(), v.get(f"/a/{asset}")):
        assert "<img src=x" not in page.text and "<script>alert" not in page.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert page.headers["referrer-policy"] == "no-referrer"
        # Every script is a file from this server: none inline, no event-handler attributes.
        assert all(re.search(r'src="/s-static/[\w.]+"', s) for s in re.findall(r"<script[^>]*>", page.text))
        assert not [a for a in _attributes(page.text) if a.startswith("on")]
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in v.get(f"/a/{asset}").text


def test_a_link_reaches_only_its_own_assets(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    alice, bob = new_api(sqlite_server, "alice"), new_api(sqlite_server, "bob")
    a = make_campaign(alice, samples, keys=("jpg", "mp4"))
    b = make_campaign(bob, samples, keys=("png",))
    a_link, a_token = create_link(alice, campaignId=a.spring_id)
    _, b_token = create_link(bob, campaignId=b.spring_id)
    v = Visitor(sqlite_server.base_url, a_token)
    foreign = [a.other["id"], b.assets["png"]["id"], "00000000-0000-4000-8000-000000000000", "../../etc/passwd"]
    for asset_id in foreign:
        for kind in ("t", "p", "f", "d", "a"):
            r = v.get(f"/{kind}/{asset_id}")
            assert r.status_code == 404, (kind, asset_id, r.status_code)
        assert v.review(asset_id, "Eve", "approved").status_code in (403, 404)
    # Bob's link does not open Alice's assets, and Bob's token cannot manage Alice's link.
    assert Visitor(sqlite_server.base_url, b_token).get(f"/t/{a.assets['jpg']['id']}").status_code == 404
    for method, path in (("GET", ""), ("DELETE", ""), ("GET", "/feedback"), ("GET", "/activity")):
        assert bob.request(method, f"/api/v2/share-links/{a_link['id']}{path}").status_code == 404
    assert bob.get(f"/api/v2/assets/{a.assets['jpg']['id']}/reviews").status_code == 404
    assert bob.post("/api/v2/share-links", json={"campaignId": a.spring_id}).status_code == 404
    assert bob.post("/api/v2/share-links", json={"assetIds": [a.assets["jpg"]["id"]]}).status_code == 400
    # An upload link into the campaign shows nothing of what is already in it.
    _, up_token = create_link(alice, kind="upload", campaignId=a.spring_id)
    uploader = Visitor(sqlite_server.base_url, up_token)
    assert a.assets["jpg"]["name"] not in uploader.get().text
    for kind in ("t", "p", "f", "d", "a"):
        assert uploader.get(f"/{kind}/{a.assets['jpg']['id']}").status_code == 404, kind
    assert uploader.get("/zip").status_code == 404
    uploader.get()
    assert uploader.post(f"/a/{a.assets['jpg']['id']}/review", data={
        "csrf": uploader.csrf, "reviewer": "Eve", "decision": "approved"}).status_code == 404
    assert Visitor(sqlite_server.base_url, a_token[:-1] + ("A" if a_token[-1] != "A" else "B")).get().status_code == 404
    assert alice.session.get(sqlite_server.base_url + "/api/v2/share-links", headers={"Authorization": ""}).status_code == 401


def test_expired_and_revoked_links_say_so(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=("jpg",))
    asset = c.assets["jpg"]["id"]
    expired, e_token = create_link(api, campaignId=c.spring_id, expiresAt="2099-01-01T00:00:00Z")
    with sqlite_server.library.writing() as s:  # time passes: the expiry is now behind us
        s.get(ShareLink, expired["id"]).expires_at = datetime.now(UTC) - timedelta(minutes=1)
    revoked, r_token = create_link(api, campaignId=c.spring_id)
    v = Visitor(sqlite_server.base_url, r_token)
    assert v.get().status_code == 200
    api.delete(f"/api/v2/share-links/{revoked['id']}")
    for token, word in ((e_token, "expired"), (r_token, "revoked")):
        visitor = Visitor(sqlite_server.base_url, token)
        page = visitor.get()
        assert page.status_code == 410 and word in page.text, page.text
        assert "<img" not in page.text  # nothing of the campaign shows
        for path in (f"/t/{asset}", f"/d/{asset}", "/zip", f"/f/{asset}"):
            r = visitor.get(path)
            assert r.status_code == 410 and word in r.json()["detail"], (path, r.text)
    assert v.post(f"/a/{asset}/review", json={"reviewer": "x", "decision": "approved"}).status_code == 410


def test_csrf_and_cookie_flags(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    c = make_campaign(api, samples, keys=("jpg",))
    asset = c.assets["jpg"]["id"]
    link, token = create_link(api, campaignId=c.spring_id, password="blue whale 42")
    _, other_token = create_link(api, campaignId=c.spring_id)
    v = Visitor(sqlite_server.base_url, token)
    first = v.get()
    cookie = first.headers["set-cookie"]
    assert "atl_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert v.post("/unlock", data={"password": "blue whale 42"}).status_code == 403  # no token
    assert v.post("/unlock", data={"password": "blue whale 42", "csrf": "0" * 64}).status_code == 403
    assert v.get(f"/t/{asset}").status_code == 401  # locked until the password is given
    unlocked = v.unlock("blue whale 42")
    assert unlocked.status_code == 303 and "HttpOnly" in unlocked.headers["set-cookie"]
    assert "SameSite=lax" in unlocked.headers["set-cookie"]
    assert f"Path=/s/{token}" in unlocked.headers["set-cookie"]
    assert v.get(f"/t/{asset}").status_code == 200
    v.get(f"/a/{asset}")
    form = {"reviewer": "Dana", "decision": "approved"}
    assert v.post(f"/a/{asset}/review", data=form).status_code == 403
    other = Visitor(sqlite_server.base_url, other_token)
    other.get()
    assert v.post(f"/a/{asset}/review", data={**form, "csrf": other.csrf}).status_code == 403  # another link's
    stranger = Visitor(sqlite_server.base_url, token)
    stranger.session.cookies.update(v.session.cookies)
    stranger.session.cookies.set("atl_csrf", "x" * 43, path="/s/")
    assert stranger.post(f"/a/{asset}/review", data={**form, "csrf": v.csrf}).status_code == 403  # another browser's
    assert v.post(f"/a/{asset}/review", data={**form, "csrf": v.csrf},
                  headers={"Origin": "https://evil.example"}).status_code == 403
    assert v.post(f"/a/{asset}/review", json=form).status_code == 403
    assert v.post(f"/a/{asset}/review", json=form, headers={"X-CSRF-Token": v.csrf}).status_code == 201
    assert v.post(f"/a/{asset}/review", data={**form, "csrf": v.csrf}).status_code == 303
    assert len(api.get(f"/api/v2/share-links/{link['id']}/feedback").json()) == 2


def test_password_guessing_is_slowed_per_link_and_per_address(tmp_path: Path, samples: dict[str, media.Sample]) -> None:
    # A server of its own: the per-address count would slow every other test from 127.0.0.1.
    with live_server(tmp_path / "lib") as live:
        api = new_api(live)
        c = make_campaign(api, samples, keys=("jpg",))
        _, token = create_link(api, campaignId=c.spring_id, password="blue whale 42")
        v = Visitor(live.base_url, token)
        wrong = v.unlock("nope")
        assert wrong.status_code == 401 and "not right" in wrong.text
        for _ in range(4):
            assert v.unlock("nope").status_code == 401
        slowed = v.unlock("blue whale 42")  # even the right one waits now
        assert slowed.status_code == 429 and "Too many wrong passwords" in slowed.text
        # The same address, on another link: its earlier failures count there too.
        _, token2 = create_link(api, campaignId=c.spring_id, password="green owl 17")
        assert Visitor(live.base_url, token2).unlock("green owl 17").status_code == 429
        rows = live.library.reading
        with rows() as s:
            from sqlalchemy import func, select

            from app.library.share_models import ShareAttempt
            assert s.scalar(select(func.count()).select_from(ShareAttempt)) == 5  # in the database
