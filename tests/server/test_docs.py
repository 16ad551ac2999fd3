"""/docs is an accurate, self-contained OpenAPI page: it renders without reaching the internet."""

from __future__ import annotations

import re

import requests

from app.server.docs import bundle_version, landing_html, swagger_ui_dir
from tests.browser import shoot
from tests.server.live import LiveServer


def test_docs_page_uses_bundled_assets(sqlite_server: LiveServer) -> None:
    page = requests.get(f"{sqlite_server.base_url}/docs", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert assets, page.text
    for url in assets:
        assert not url.startswith("http"), f"/docs loads {url} from another host"
        got = requests.get(f"{sqlite_server.base_url}{url}", timeout=10)
        assert got.status_code == 200 and got.content, url
    spec = requests.get(f"{sqlite_server.base_url}/openapi.json", timeout=10).json()
    for path in ("/api/v2/upload-asset", "/api/v2/assets", "/api/v2/assets/{asset_id}",
                 "/api/v2/assets/{asset_id}/thumbnail"):
        assert path in spec["paths"], path
    assert "delete" in spec["paths"]["/api/v2/assets/{asset_id}"]


def test_bundled_swagger_ui_reads_the_openapi_version_served(sqlite_server: LiveServer) -> None:
    """Swagger UI 4 refuses OpenAPI 3.1; the bundle served must be 5 or newer, as VERSION says."""
    spec = requests.get(f"{sqlite_server.base_url}/openapi.json", timeout=10).json()
    script = requests.get(f"{sqlite_server.base_url}/docs-static/swagger-ui-bundle.js", timeout=10)
    version = bundle_version(script.content)
    assert version == (swagger_ui_dir() / "VERSION").read_text().strip()
    if spec["openapi"].startswith("3.1"):
        assert int(version.split(".")[0]) >= 5, version


def test_docs_renders_its_operations_in_chromium(sqlite_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{sqlite_server.base_url}/docs")

    def settled(driver) -> bool:  # type: ignore[no-untyped-def]
        text = driver.find_element(By.TAG_NAME, "body").text
        return "Unable to render this definition" in text or bool(
            driver.find_elements(By.CSS_SELECTOR, ".opblock"))

    WebDriverWait(browser, 30).until(settled)
    path = shoot(browser, "docs")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Unable to render this definition" not in body, f"{body[:400]} (see {path})"
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/api/v2/assets" in {p.replace("\u200b", "") for p in paths}, paths
    assert len(browser.find_elements(By.CSS_SELECTOR, ".opblock")) >= 20
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_root_is_a_landing_page_with_links(sqlite_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    page = requests.get(f"{sqlite_server.base_url}/", timeout=10, allow_redirects=False)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    info = requests.get(f"{sqlite_server.base_url}/api/v2/server-info", timeout=10).json()
    assert info["version"] in page.text
    for link in ("/docs", "/openapi.json", "/api/v2/server-info"):
        assert f'href="{link}"' in page.text
        assert requests.get(f"{sqlite_server.base_url}{link}", timeout=10).status_code == 200
    browser.get(f"{sqlite_server.base_url}/")
    shoot(browser, "landing")
    assert browser.title == "Atelier Asset API"


def test_landing_page_escapes_what_it_prints() -> None:
    page = landing_html('<script>alert("x")</script>', "1.0&<b>", '/o"><script>.json')
    assert "<script>" not in page
    assert "&lt;script&gt;" in page and "1.0&amp;&lt;b&gt;" in page
    assert 'href="/o&quot;&gt;&lt;script&gt;.json"' in page
