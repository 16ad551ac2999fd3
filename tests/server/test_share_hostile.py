"""A hostile visitor on the share pages: every page's headers, cookies across links, CSRF on
uploads, gone links on every route, and refused uploads that must leave nothing behind."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import requests
from sqlalchemy import func, select

from app.library.models import Asset
from app.library.share_models import ShareLink
from tests import media
from tests.server.conftest import Api, new_api
from tests.server.live import LiveServer, live_server
from tests.server.sharing import Visitor, create_link, make_campaign

PASSWORD = "blue whale 42"


class _Markup(HTMLParser):
    """What a CSP without 'unsafe-inline' would block: inline scripts, handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {n for n, _ in attrs}
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/s-static/"):
                self.problems.append(f"script without a same-origin src: {attrs}")
        if tag == "style":
            self.problems.append("a <style> element")
        self.problems += [f"<{tag} {n}>" for n in names if n.startswith("on") or n == "style"]
        for name, value in attrs:
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:>")


def assert_safe_page(r: requests.Response, status: int) -> None:
    assert r.status_code == status, (r.url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    for part in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                 "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"):
        assert part in csp, (r.url, part)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["referrer-policy"] == "no-referrer" and r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"
    markup = _Markup()
    markup.feed(r.text)
    assert markup.problems == [], (r.url, markup.problems)


def _expire(live: LiveServer, link_id: str) -> None:
    with live.library.writing() as s:
        s.get(ShareLink, link_id).expires_at = datetime.now(UTC) - timedelta(minutes=1)


def _asset_count(live: LiveServer) -> int:
    with live.library.reading() as s:
        return int(s.scalar(select(func.count()).select_from(Asset)) or 0)


def _leftovers(live: LiveServer) -> tuple[list[str], list[str], list[str]]:
    """What a refused upload must not leave: staged files, stored files, previews."""
    storage = live.library.storage
    staged = sorted(p.name for p in storage.staging_dir.iterdir())
    stored = sorted(p.name for p in storage.assets_dir.iterdir() if p.name != storage.staging_dir.name)
    previews = sorted(p.name for p in storage.previews_dir.iterdir()) if storage.previews_dir.exists() else []
    return staged, stored, previews


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own (wrong passwords here count per address) with a 1 MB upload limit."""
    with live_server(tmp_path_factory.mktemp("hostile"), max_size_mb=1) as live:
        yield live


def test_every_page_state_is_served_with_the_policy_and_no_inline_code(
        hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    live = hostile
    api = new_api(live)
    c = make_campaign(api, samples, keys=("jpg", "mp4", "mp3", "pdf"))
    jpg = c.assets["jpg"]["id"]
    _, open_token = create_link(api, campaignId=c.spring_id)
    v = Visitor(live.base_url, open_token)
    assert_safe_page(v.get(), 200)  # the grid
    assert_safe_page(v.get("?type=video"), 200)
    assert_safe_page(v.get("?q=nothing-like-this"), 200)  # nothing matches
    for a in c.assets.values():
        assert_safe_page(v.get(f"/a/{a['id']}"), 200)  # image, video, audio, PDF
    assert_safe_page(v.get(f"/a/{c.other['id']}"), 404)  # not in this link
    v.get(f"/a/{jpg}")
    refused = v.post(f"/a/{jpg}/review", data={"csrf": v.csrf, "reviewer": "Dana", "decision": "maybe"})
    assert_safe_page(refused, 400)
    empty = api.post("/api/v2/campaigns", json={"clientId": c.client_id, "name": "Empty"}).json()
    assert_safe_page(Visitor(live.base_url, create_link(api, campaignId=empty["id"])[1]).get(), 200)

    locked_link, locked = create_link(api, campaignId=c.spring_id, password=PASSWORD)
    lv = Visitor(live.base_url, locked)
    assert_safe_page(lv.get(), 200)  # the password page
    assert_safe_page(lv.unlock("not it"), 401)
    assert_safe_page(lv.post("/unlock", data={"password": PASSWORD, "csrf": "0" * 64}), 403)

    _, upload = create_link(api, kind="upload", campaignId=c.spring_id)
    assert_safe_page(Visitor(live.base_url, upload).get(), 200)
    assert_safe_page(Visitor(live.base_url, "A" * 32).get(), 404)  # no such link
    assert_safe_page(Visitor(live.base_url, open_token).get("/no-such-page"), 404)
    _expire(live, locked_link["id"])
    assert_safe_page(Visitor(live.base_url, locked).get(), 410)
    assert_safe_page(lv.post("/unlock", data={"password": PASSWORD, "csrf": lv.csrf}), 410)


def test_a_forms_refusal_is_a_page_not_json(hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    """A browser posting a form shows what comes back: a stale token or a lapsed password
    is a page that says what to do, never a bare JSON body."""
    live = hostile
    api = new_api(live)
    c = make_campaign(api, samples, keys=("jpg",))
    jpg = c.assets["jpg"]["id"]
    _, token = create_link(api, campaignId=c.spring_id, password=PASSWORD)
    v = Visitor(live.base_url, token)
    assert v.unlock(PASSWORD).status_code == 303
    v.get(f"/a/{jpg}")
    form = {"reviewer": "Dana", "comment": "Warmer, please"}
    stale = v.post(f"/a/{jpg}/review", data={**form, "csrf": "f" * 64})
    assert_safe_page(stale, 403)
    assert "send it again" in stale.text and 'id="review-form"' in stale.text
    v.session.cookies.clear(path=f"/s/{token}", domain=v.session.cookies.list_domains()[0], name="atl_access")
    lapsed = v.post(f"/a/{jpg}/review", data={**form, "csrf": v.csrf})
    assert_safe_page(lapsed, 401)
    assert 'id="password-form"' in lapsed.text and "not saved" in lapsed.text
    as_json = v.post(f"/a/{jpg}/review", json=form, headers={"X-CSRF-Token": v.csrf})
    assert as_json.status_code == 401 and as_json.json()["detail"]  # JSON callers still get JSON
    assert api.get(f"/api/v2/assets/{jpg}/reviews").json()["reviews"] == []


def test_an_access_cookie_opens_only_its_own_link(hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    live = hostile
    api = new_api(live)
    c = make_campaign(api, samples, keys=("jpg",))
    jpg = c.assets["jpg"]["id"]
    _, first = create_link(api, campaignId=c.spring_id, password=PASSWORD)
    _, second = create_link(api, campaignId=c.spring_id, password="green owl 17")
    a = Visitor(live.base_url, first)
    assert a.unlock(PASSWORD).status_code == 303
    access = a.session.cookies.get("atl_access")
    assert access
    b = Visitor(live.base_url, second)
    b.session.cookies.set("atl_access", access, path=f"/s/{second}")  # copied by hand
    for path in ("", f"/t/{jpg}", f"/p/{jpg}", f"/f/{jpg}", f"/d/{jpg}", "/zip"):
        r = b.get(path)
        assert r.status_code in (200, 401), (path, r.status_code)
        assert c.assets["jpg"]["name"] not in r.text and r.headers["content-type"] != "image/jpeg", path
    assert 'id="password-form"' in b.get().text
    forged = access.rsplit(".", 1)[0] + "." + "0" * 64
    a.session.cookies.set("atl_access", forged, path=f"/s/{first}")
    assert a.get(f"/t/{jpg}").status_code == 401
    # An expiry pushed forward by hand breaks the signature.
    a.session.cookies.set("atl_access", "9999999999." + access.rsplit(".", 1)[1], path=f"/s/{first}")
    assert a.get(f"/t/{jpg}").status_code == 401


def test_reviews_reach_only_the_links_assets_in_json_too(hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    live = hostile
    alice, bob = new_api(live, "alice"), new_api(live, "bob")
    a = make_campaign(alice, samples, keys=("jpg",))
    b = make_campaign(bob, samples, keys=("png",))
    _, token = create_link(alice, campaignId=a.spring_id)
    v = Visitor(live.base_url, token)
    v.get(f"/a/{a.assets['jpg']['id']}")  # the page with the review form and its token
    assert v.csrf
    for foreign in (a.other["id"], b.assets["png"]["id"], "not-an-id"):
        r = v.post(f"/a/{foreign}/review", json={"reviewer": "Eve", "decision": "approved"},
                   headers={"X-CSRF-Token": v.csrf})
        assert r.status_code == 404, (foreign, r.status_code)
    assert bob.get(f"/api/v2/assets/{b.assets['png']['id']}/reviews").json()["reviews"] == []
    assert alice.get(f"/api/v2/assets/{a.other['id']}/reviews").json()["reviews"] == []


def test_tokens_are_kept_only_as_hashes(hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(hostile)
    c = make_campaign(api, samples, keys=())
    _, token = create_link(api, campaignId=c.spring_id, password=PASSWORD)
    database = hostile.library.data_dir / "library.db"
    raw = b"".join(p.read_bytes() for p in database.parent.glob("library.db*"))
    assert token.encode() not in raw and PASSWORD.encode() not in raw
    assert len(token) == 32 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # 192 bits


def _upload_link(api: Api, c_id: str, **options: object) -> tuple[dict[str, object], str]:
    return create_link(api, kind="upload", campaignId=c_id, **options)


def test_upload_posts_need_this_browsers_token_and_leave_nothing(
        hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    live = hostile
    api = new_api(live)
    c = make_campaign(api, samples, keys=())
    made, token = _upload_link(api, c.spring_id, quotaFiles=5)
    _, other_token = _upload_link(api, c.spring_id)
    v = Visitor(live.base_url, token)
    v.get()
    other = Visitor(live.base_url, other_token)
    other.get()
    before = (_asset_count(live), _leftovers(live))
    png = samples["png"].path

    def send(headers: dict[str, str], fields: dict[str, str]) -> requests.Response:
        with open(png, "rb") as f:
            return v.post("/upload", headers=headers, data={"uploader": "Eve", **fields},
                          files={"file": ("logo.png", f)})

    attempts = [
        ({}, {}),  # a plain form with no token at all
        ({}, {"csrf": "0" * 64}),  # a wrong one in the form
        ({"X-CSRF-Token": "0" * 64}, {}),  # a wrong one in the header
        ({"X-CSRF-Token": other.csrf}, {}),  # another link's
        ({"X-CSRF-Token": v.csrf, "Origin": "https://evil.example"}, {}),  # the right one, from elsewhere
    ]
    for headers, fields in attempts:
        r = send(headers, fields)
        assert r.status_code == 403, (headers, fields, r.status_code, r.text)
        assert r.json()["detail"]
    assert (_asset_count(live), _leftovers(live)) == before
    assert api.get(f"/api/v2/share-links/{made['id']}").json()["usedFiles"] == 0
    # The page's own form field works; fields naming another place or owner are ignored.
    bob = new_api(live, "bob")
    elsewhere = make_campaign(bob, samples, keys=())
    sent = send({}, {"csrf": v.csrf, "campaignId": elsewhere.spring_id, "clientId": elsewhere.client_id,
                     "userId": str(bob.user_id), "name": "renamed"})
    assert sent.status_code == 201, sent.text
    record = live.library.get_asset(sent.json()["id"])
    assert (record.campaign_id, record.user_id, record.name) == (c.spring_id, api.user_id, "logo.png")
    assert v.session.head(v.url(f"/t/{record.id}")).status_code == 405  # as before the catch-all


def test_gone_and_locked_upload_links_take_nothing(hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    live = hostile
    api = new_api(live)
    c = make_campaign(api, samples, keys=("jpg",))
    jpg = c.assets["jpg"]["id"]
    expired, e_token = _upload_link(api, c.spring_id)
    revoked, r_token = _upload_link(api, c.spring_id)
    _, l_token = _upload_link(api, c.spring_id, password=PASSWORD)
    visitors = {t: Visitor(live.base_url, t) for t in (e_token, r_token, l_token)}
    for v in visitors.values():
        v.get()
    _expire(live, expired["id"])
    api.delete(f"/api/v2/share-links/{revoked['id']}")
    before = (_asset_count(live), _leftovers(live))
    for t, status, word in ((e_token, 410, "expired"), (r_token, 410, "revoked"), (l_token, 401, "password")):
        r = visitors[t].upload(samples["png"].path)
        assert r.status_code == status and word in r.json()["detail"], (t, r.status_code, r.text)
    assert (_asset_count(live), _leftovers(live)) == before
    # A review link that is gone: its large preview and asset page say so too.
    review, token = create_link(api, campaignId=c.spring_id)
    v = Visitor(live.base_url, token)
    assert v.get(f"/p/{jpg}").status_code == 200
    api.delete(f"/api/v2/share-links/{review['id']}")
    assert v.get(f"/p/{jpg}").status_code == 410 and "revoked" in v.get(f"/p/{jpg}").json()["detail"]
    assert_safe_page(v.get(f"/a/{jpg}"), 410)
    assert v.post(f"/a/{jpg}/review", json={"reviewer": "x", "comment": "y"},
                  headers={"X-CSRF-Token": v.csrf}).status_code == 410


def _multipart(boundary: str, fields: dict[str, str], name: str, body: Iterator[bytes]) -> Iterator[bytes]:
    for key, value in fields.items():
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{key}\"\r\n\r\n{value}\r\n").encode()
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
           "Content-Type: image/jpeg\r\n\r\n").encode()
    yield from body
    yield f"\r\n--{boundary}--\r\n".encode()


def test_a_streamed_upload_past_the_limits_is_cut_off_and_leaves_nothing(
        hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    """No Content-Length (chunked), so only counting while streaming can stop it: past the
    server's 1 MB limit, and past a link's byte quota."""
    live = hostile
    api = new_api(live)
    c = make_campaign(api, samples, keys=())
    small = samples["jpg"].path.read_bytes()
    made, token = _upload_link(api, c.spring_id)
    quota, q_token = _upload_link(api, c.spring_id, quotaBytes=200_000)
    before = (_asset_count(live), _leftovers(live))
    sent: dict[str, int] = {}

    def body(total: int, key: str) -> Iterator[bytes]:
        sent[key] = 0
        yield small
        chunk = secrets.token_bytes(64 * 1024)
        while sent[key] < total:
            sent[key] += len(chunk)
            yield chunk

    for t, total, reason in ((token, 8 * 1024 * 1024, "File too large"), (q_token, 2 * 1024 * 1024, "quota")):
        v = Visitor(live.base_url, t)
        v.get()
        boundary = secrets.token_hex(12)
        try:
            r = v.session.post(v.url("/upload"), data=_multipart(boundary, {"uploader": "Eve"}, "big.jpg", body(total, t)),
                               headers={"X-CSRF-Token": v.csrf,
                                        "Content-Type": f"multipart/form-data; boundary={boundary}"},
                               timeout=60)
        except requests.ConnectionError:
            r = None  # the server stopped reading and closed: as good as an answer
        if r is not None:
            assert r.status_code in (400, 413) and reason in r.json()["detail"], r.text
        assert (_asset_count(live), _leftovers(live)) == before, t
    assert api.get(f"/api/v2/share-links/{quota['id']}").json()["usedBytes"] == 0
    assert api.get(f"/api/v2/share-links/{made['id']}").json()["usedFiles"] == 0


def test_the_asset_page_shows_no_text_from_its_address(hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    """Only the server writes the page's error line: a crafted link cannot put words on it."""
    api = new_api(hostile)
    c = make_campaign(api, samples, keys=("jpg",))
    jpg = c.assets["jpg"]["id"]
    _, token = create_link(api, campaignId=c.spring_id)
    v = Visitor(hostile.base_url, token)
    crafted = v.get(f"/a/{jpg}?error=Your+session+expired.+Call+555-0100&status=500")
    assert_safe_page(crafted, 200)
    assert "555-0100" not in crafted.text and 'id="review-error"' not in crafted.text


def test_a_refused_note_is_handed_back_to_the_reviewer(hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    """A note refused for a stale page comes back in the form (as text), ready to send again."""
    api = new_api(hostile)
    c = make_campaign(api, samples, keys=("jpg",))
    jpg = c.assets["jpg"]["id"]
    _, token = create_link(api, campaignId=c.spring_id)
    v = Visitor(hostile.base_url, token)
    v.get(f"/a/{jpg}")
    note = "Warmer <b>blue</b>, please"
    stale = v.post(f"/a/{jpg}/review", data={"csrf": "f" * 64, "reviewer": "Dana", "comment": note})
    assert_safe_page(stale, 403)
    assert "Warmer &lt;b&gt;blue&lt;/b&gt;, please</textarea>" in stale.text and 'value="Dana"' in stale.text
    assert "send it again" in stale.text
    v.csrf = re.search(r'name="csrf" value="([^"]+)"', stale.text).group(1)  # the fresh token
    again = v.post(f"/a/{jpg}/review", data={"csrf": v.csrf, "reviewer": "Dana", "comment": note})
    assert again.status_code == 303


def test_control_characters_in_a_review_or_an_upload_are_refused(
        hostile: LiveServer, samples: dict[str, media.Sample]) -> None:
    """NUL and escapes (PostgreSQL stores no NUL) get the page with a reason and leave nothing."""
    api = new_api(hostile)
    c = make_campaign(api, samples, keys=("jpg",))
    jpg = c.assets["jpg"]["id"]
    made, token = create_link(api, campaignId=c.spring_id)
    v = Visitor(hostile.base_url, token)
    for reviewer, comment, reason in (("Dana", "Warmer\x00 blue", "A comment cannot contain control characters"),
                                      ("Da\x1bna", "Warmer blue", "Your name cannot contain control characters")):
        r = v.review(jpg, reviewer, comment=comment)
        assert_safe_page(r, 400)
        assert reason in r.text
    assert api.get(f"/api/v2/share-links/{made['id']}/feedback").json() == []
    ok = v.review(jpg, "Dana", comment="Line one\nline two")
    assert ok.status_code == 303

    _, upload_token = _upload_link(api, c.spring_id)
    u = Visitor(hostile.base_url, upload_token)
    before = (_asset_count(hostile), _leftovers(hostile))
    for uploader, email in (("Eve\x00", ""), ("", "eve\x00@example.com")):
        r = u.upload(samples["png"].path, uploader=uploader, email=email)
        assert r.status_code == 400, r.text
        assert "control characters" in r.text or "does not look right" in r.text
    assert (_asset_count(hostile), _leftovers(hostile)) == before
