"""A client's day in a real chromium: password, grid, image and video, review, ZIP, upload link."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from tests import media
from tests.browser import shoot
from tests.server.conftest import new_api
from tests.server.live import LiveServer, live_server
from tests.server.sharing import create_link

pytestmark = pytest.mark.slow


def _poster(folder: Path, name: str, size: tuple[int, int], colors: tuple[tuple[int, int, int], ...]) -> Path:
    """A designed-looking picture: a diagonal gradient with a few shapes."""
    w, h = size
    im = Image.new("RGB", size)
    top, bottom, accent = colors
    draw = ImageDraw.Draw(im)
    for y in range(h):
        t = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(top[i] + (bottom[i] - top[i]) * t) for i in range(3)))
    draw.ellipse([w * 0.55, h * 0.15, w * 0.95, h * 0.15 + w * 0.4], fill=accent)
    draw.rectangle([w * 0.08, h * 0.62, w * 0.5, h * 0.7], fill=(255, 255, 255))
    draw.rectangle([w * 0.08, h * 0.74, w * 0.35, h * 0.78], fill=(255, 255, 255))
    path = folder / name
    im.save(path, "PNG" if name.endswith(".png") else "JPEG", quality=90)
    return path


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Any:
    # Its own server at log level info: its access log shows the players' Range requests (206).
    with live_server(tmp_path_factory.mktemp("share-browser"), extra_args=("--log-level", "info")) as live:
        yield live


@pytest.fixture(scope="module")
def campaign(studio: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("campaign-media")
    files = {
        "hero": _poster(folder, "Hero banner.jpg", (1600, 900), ((28, 32, 64), (220, 90, 120), (255, 196, 64))),
        "square": _poster(folder, "Instagram square.png", (1080, 1080), ((16, 120, 110), (200, 240, 220), (250, 250, 250))),
        "poster": _poster(folder, "Billboard 48 sheet.jpg", (1800, 900), ((240, 236, 228), (180, 170, 160), (30, 30, 30))),
        "video": media.make_mp4(folder, 640, 360, 3.0, name="Product teaser.mp4").path,
        "audio": media.make_mp3(folder, 3.0, name="Radio spot.mp3").path,
        "pdf": media.make_pdf(folder, 3, name="Brand guidelines.pdf").path,
    }
    api = new_api(studio, "agency")
    client = api.post("/api/v2/clients", json={"name": "Northwind Coffee"}).json()
    spring = api.post("/api/v2/campaigns", json={"clientId": client["id"], "name": "Spring launch"}).json()
    ids = {}
    for key, path in files.items():
        r = api.upload(path, campaignId=spring["id"], name=path.stem)
        assert r.status_code == 201, r.text
        ids[key] = r.json()["id"]
    return {"api": api, "files": files, "ids": ids, "campaign": spring["id"]}


def _wait(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting in the browser")
        time.sleep(0.1)


def test_review_link_in_a_real_browser(studio: LiveServer, campaign: dict[str, Any], browser: Any, browser_downloads: Path) -> None:
    from selenium.webdriver.common.by import By

    api, ids = campaign["api"], campaign["ids"]
    made, token = create_link(api, campaignId=campaign["campaign"], password="blue whale 42",
                              expiresAt="2027-01-31T00:00:00Z")
    base = f"{studio.base_url}/s/{token}"
    browser.get(base)
    browser.find_element(By.ID, "password").send_keys("wrong guess")
    browser.find_element(By.ID, "unlock").click()
    assert "not right" in _wait(lambda: browser.find_element(By.ID, "password-error")).text
    shoot(browser, "share-password")
    browser.find_element(By.ID, "password").send_keys("blue whale 42")
    browser.find_element(By.ID, "unlock").click()
    cards = _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#grid .card"))
    assert len(cards) == 6
    assert browser.find_element(By.CSS_SELECTOR, "header h1").text == "Spring launch"
    _wait(lambda: browser.execute_script(
        "return [...document.querySelectorAll('#grid img')].every(i => i.complete && i.naturalWidth > 0)"))

    # Open the image: its large preview loads.
    browser.find_element(By.CSS_SELECTOR, f'.card[data-id="{ids["hero"]}"] a').click()
    width = _wait(lambda: browser.execute_script(
        "const i = document.getElementById('preview'); return i && i.complete && i.naturalWidth"))
    assert width == 1600
    shoot(browser, "share-asset-image")
    # Approve it, with the name typed once.
    browser.find_element(By.ID, "reviewer").send_keys("Dana Whitfield")
    browser.find_element(By.ID, "approve").click()
    assert _wait(lambda: browser.find_elements(By.ID, "status"))[0].text == "Approved"

    # The video: metadata loads, through Range requests the server answers with 206.
    browser.get(f"{base}/a/{ids['video']}")
    assert _wait(lambda: browser.execute_script("return document.getElementById('player').readyState >= 1"))
    _wait(lambda: f"/s/{token}/f/{ids['video']} HTTP/1.1\" 206" in studio.output())

    # Comment on the square; the name field is filled in already.
    browser.get(f"{base}/a/{ids['square']}")
    assert browser.find_element(By.ID, "reviewer").get_attribute("value") == "Dana Whitfield"
    browser.find_element(By.ID, "comment").send_keys("Could the logo sit a little higher?")
    browser.find_element(By.ID, "request-changes").click()
    notes = _wait(lambda: browser.find_elements(By.CSS_SELECTOR, ".note-text"))
    assert notes[0].text == "Could the logo sit a little higher?"
    shoot(browser, "share-asset-comment")

    browser.get(base)
    badges = {b.text for b in browser.find_elements(By.CSS_SELECTOR, "#grid .badge")}
    assert badges == {"Approved", "Changes requested"}
    shoot(browser, "share-review-grid")
    feedback = api.get(f"/api/v2/share-links/{made['id']}/feedback").json()
    assert [(f["reviewer"], f["decision"]) for f in feedback] == [
        ("Dana Whitfield", "approved"), ("Dana Whitfield", "changes_requested")]

    # Download everything as one ZIP and compare every member with what was uploaded.
    for old in browser_downloads.glob("*"):
        old.unlink()
    browser.find_element(By.ID, "download-all").click()
    archive = _wait(lambda: [p for p in browser_downloads.glob("*.zip")], timeout=60)[0]
    _wait(lambda: not list(browser_downloads.glob("*.crdownload")))
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    expected = {p.name: p.read_bytes() for p in campaign["files"].values()}
    assert members == expected


def test_upload_link_in_a_real_browser(studio: LiveServer, campaign: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    api = campaign["api"]
    made, token = create_link(api, kind="upload", campaignId=campaign["campaign"], quotaFiles=10)
    before = len(api.get(f"/api/v2/assets?campaignId={campaign['campaign']}&limit=100").json())
    good = [media.make_jpeg(tmp_path, 320, 200, name="moodboard.jpg").path,
            media.make_wav(tmp_path, 1.0, name="jingle idea.wav").path,
            media.make_pdf(tmp_path, 1, name="brief notes.pdf").path]
    bad = tmp_path / "contract.docx"
    bad.write_bytes(b"PK\x03\x04 not really a document" * 10)
    browser.get(f"{studio.base_url}/s/{token}")
    browser.find_element(By.ID, "uploader").send_keys("Dana Whitfield")
    browser.find_element(By.ID, "email").send_keys("dana@northwind.example")
    browser.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in [*good, bad]))
    _wait(lambda: len(browser.find_elements(By.CSS_SELECTOR, ".file.ok, .file.refused")) == 4, timeout=60)
    ok = browser.find_elements(By.CSS_SELECTOR, ".file.ok .file-name")
    refused = browser.find_elements(By.CSS_SELECTOR, ".file.refused")
    assert sorted(e.text for e in ok) == sorted(p.name for p in good)
    assert len(refused) == 1 and "contract.docx" in refused[0].text
    assert "Invalid file type" in refused[0].find_element(By.CSS_SELECTOR, ".file-status").text
    browser.execute_script("document.getElementById('summary').scrollIntoView({block: 'end'})")
    shoot(browser, "share-upload")
    after = api.get(f"/api/v2/assets?campaignId={campaign['campaign']}&limit=100").json()
    assert len(after) == before + 3
    assert not any(studio.library.storage.staging_dir.iterdir())


def _policy_violations(browser: Any) -> list[str]:
    """Console messages of blocked inline code or foreign loads since the last call."""
    return [e["message"] for e in browser.get_log("browser")
            if "Content Security Policy" in e["message"] or "Refused to" in e["message"]]


def test_every_page_state_in_a_real_browser(studio: LiveServer, campaign: dict[str, Any], browser: Any) -> None:
    """Each state a client can reach, shot for a person to look at, none with a CSP violation."""
    from selenium.webdriver.common.by import By

    api, ids = campaign["api"], campaign["ids"]
    _, token = create_link(api, campaignId=campaign["campaign"], password="blue whale 42")
    base = f"{studio.base_url}/s/{token}"
    _policy_violations(browser)
    browser.get(base)
    shoot(browser, "state-password")
    browser.find_element(By.ID, "password").send_keys("blue whale 42")
    browser.find_element(By.ID, "unlock").click()
    _wait(lambda: browser.find_elements(By.ID, "grid"))
    browser.get(f"{base}/a/{ids['audio']}")
    assert _wait(lambda: browser.execute_script("return document.getElementById('player').readyState >= 1"))
    shoot(browser, "state-asset-audio")
    browser.get(f"{base}/a/{ids['pdf']}")
    _wait(lambda: browser.execute_script(
        "const i = document.getElementById('preview'); return i && i.complete && i.naturalWidth"))
    shoot(browser, "state-asset-pdf")
    # The page stays open while the browser's CSRF cookie is replaced (as a link opened
    # again elsewhere can): the form's token is stale now, and the page says what to do.
    browser.delete_cookie("atl_csrf")
    browser.find_element(By.ID, "reviewer").send_keys("Dana Whitfield")
    browser.find_element(By.ID, "comment").send_keys("Page 2 has an old logo")
    browser.find_element(By.ID, "send-comment").click()
    error = _wait(lambda: browser.find_elements(By.ID, "review-error"))[0]
    assert "send it again" in error.text
    assert browser.find_element(By.ID, "comment").get_attribute("value") == "Page 2 has an old logo"
    shoot(browser, "state-review-stale-token")
    browser.find_element(By.ID, "send-comment").click()  # the same click, on the fresh page
    assert _wait(lambda: browser.find_elements(By.CSS_SELECTOR, ".note-text"))[0].text == "Page 2 has an old logo"
    # The password lapses while the page is open: the next post asks for it again.
    browser.get(f"{base}/a/{ids['pdf']}")
    browser.delete_cookie("atl_access")
    browser.find_element(By.ID, "reviewer").send_keys("Dana Whitfield")
    browser.find_element(By.ID, "comment").send_keys("Page 2 has an old logo")
    browser.find_element(By.ID, "send-comment").click()
    assert "not saved" in _wait(lambda: browser.find_elements(By.ID, "password-error"))[0].text
    shoot(browser, "state-password-again")
    browser.find_element(By.ID, "password").send_keys("blue whale 42")
    browser.find_element(By.ID, "unlock").click()
    _wait(lambda: browser.find_elements(By.ID, "grid"))
    browser.get(f"{base}?q=nothing-like-this")
    assert "Nothing matches" in browser.find_element(By.CSS_SELECTOR, ".empty").text
    shoot(browser, "state-grid-nothing-matches")
    browser.get(f"{base}/no-such-page")
    assert "no such page" in browser.find_element(By.ID, "gone-message").text
    shoot(browser, "state-no-such-page")
    gone, gone_token = create_link(api, campaignId=campaign["campaign"])
    api.delete(f"/api/v2/share-links/{gone['id']}")
    browser.get(f"{studio.base_url}/s/{gone_token}")
    assert "revoked" in browser.find_element(By.ID, "gone-message").text
    shoot(browser, "state-revoked")
    assert _policy_violations(browser) == []


def test_a_link_opened_again_from_an_e_mail_stays_unlocked(studio: LiveServer, campaign: dict[str, Any], browser: Any,
                                                           tmp_path: Path) -> None:
    """The client unlocked the link, then clicks it again in webmail (another site): the
    password is not asked again, and a page already open still posts its form."""
    import http.server
    import threading
    from functools import partial

    from selenium.webdriver.common.by import By

    api, ids = campaign["api"], campaign["ids"]
    _, token = create_link(api, campaignId=campaign["campaign"], password="green owl 17")
    url = f"{studio.base_url}/s/{token}"
    (tmp_path / "mail.html").write_text(f'<p>Your review link: <a id="link" href="{url}">{url}</a></p>')
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    mail = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=mail.serve_forever, daemon=True).start()
    try:
        browser.get(url)
        browser.find_element(By.ID, "password").send_keys("green owl 17")
        browser.find_element(By.ID, "unlock").click()
        _wait(lambda: browser.find_elements(By.ID, "grid"))
        browser.get(f"{url}/a/{ids['square']}")
        first_tab = browser.current_window_handle
        # "localhost" is another site than 127.0.0.1: the click is a cross-site navigation.
        browser.switch_to.new_window("tab")
        browser.get(f"http://localhost:{mail.server_address[1]}/mail.html")
        browser.find_element(By.ID, "link").click()
        assert _wait(lambda: browser.find_elements(By.ID, "grid") or browser.find_elements(By.ID, "password-form"))
        assert browser.find_elements(By.ID, "grid"), "asked for the password again"
        browser.close()
        browser.switch_to.window(first_tab)
        browser.find_element(By.ID, "reviewer").send_keys("Dana Whitfield")
        browser.find_element(By.ID, "approve").click()
        assert _wait(lambda: browser.find_elements(By.ID, "status"))[0].text == "Approved"
    finally:
        mail.shutdown()
        mail.server_close()
