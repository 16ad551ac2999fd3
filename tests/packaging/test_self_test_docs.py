"""The self-test's /docs check: it reads the page a real headless chromium rendered."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.cli.selftest_docs import DocsCheckFailed, check_docs_page, find_browser
from tests.browser import CHROMIUM, have_browser
from tests.server.live import LiveServer, live_server

needs_chromium = pytest.mark.skipif(not have_browser(), reason="chromium is not installed")


@pytest.fixture(scope="module")
def atelier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("docs-self-test")) as live:
        yield live


@contextmanager
def fake_docs(script: bytes, page_extra: str = "") -> Iterator[str]:
    """A server on 127.0.0.1 with a /docs page, its script and an OpenAPI 3.1 document."""
    files = {
        "/docs": ('<html><body><div id="x"></div>' + page_extra
                  + '<script src="/s.js"></script></body></html>').encode(),
        "/s.js": script,
        "/openapi.json": json.dumps({"openapi": "3.1.0", "paths": {}}).encode(),
    }  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = files.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@needs_chromium
def test_chromium_renders_atelier_docs(atelier: LiveServer) -> None:
    detail = check_docs_page(atelier.base_url, CHROMIUM)
    assert detail.startswith("/docs rendered ") and " operations in chromium (Swagger UI 5." in detail
    assert int(detail.split()[2]) >= 20, detail


def test_without_a_browser_the_check_says_so(atelier: LiveServer) -> None:
    detail = check_docs_page(atelier.base_url, None)
    assert detail.startswith("/docs not rendered: no browser (serves Swagger UI 5."), detail


def test_swagger_ui_4_is_refused_for_openapi_3_1() -> None:
    with fake_docs(b'var v={PACKAGE_VERSION:"4.15.5"};') as url:
        with pytest.raises(DocsCheckFailed, match=r"Swagger UI 4\.15\.5, which cannot read OpenAPI 3\.1\.0"):
            check_docs_page(url, None)


@needs_chromium
def test_a_page_that_refuses_the_definition_fails_in_chromium() -> None:
    # The script writes Swagger UI 4's refusal into the page: only a browser that ran it sees it.
    script = (b'var v={PACKAGE_VERSION:"5.0.0"};document.getElementById("x").textContent='
              b'"Unable to render this definition";')  # fmt: skip
    with fake_docs(script) as url:
        with pytest.raises(DocsCheckFailed, match="Unable to render this definition"):
            check_docs_page(url, CHROMIUM)


@needs_chromium
def test_a_page_that_draws_no_operation_fails_in_chromium() -> None:
    with fake_docs(b'var v={PACKAGE_VERSION:"5.0.0"};') as url:
        with pytest.raises(DocsCheckFailed, match="rendered no operation"):
            check_docs_page(url, CHROMIUM)


def test_the_browser_is_found_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from app.settings import AtelierSettings

    monkeypatch.setenv("ATELIER_CHROMIUM", str(tmp_path / "absent"))
    assert find_browser(AtelierSettings().chromium) is None
    monkeypatch.setenv("ATELIER_CHROMIUM", CHROMIUM)
    assert find_browser(AtelierSettings().chromium) == (CHROMIUM if Path(CHROMIUM).exists() else None)
