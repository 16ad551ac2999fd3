"""/docs is an accurate, self-contained OpenAPI page: it renders without reaching the internet."""

from __future__ import annotations

import re

import requests

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
