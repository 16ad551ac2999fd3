"""File transfers through a proxy that gzips whatever the client says it accepts."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from app.client import ApiClient
from tests import media

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


@contextmanager
def gzip_proxy(upstream: str, *, always: bool = False) -> Iterator[tuple[str, list[str]]]:
    """A reverse proxy on 127.0.0.1 that compresses every body whose client accepts gzip
    (as nginx with `gzip on; gzip_types *;` does), or every body if `always` (a broken proxy);
    yields its URL and the Accept-Encodings seen."""
    target = urlsplit(upstream)
    seen: list[str] = []

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            accepts = self.headers.get("Accept-Encoding", "")
            seen.append(accepts)
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                out = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP]
                status = answer.status
            finally:
                conn.close()
            if data and ("gzip" in accepts or always):
                data = gzip.compress(data)
                out.append(("Content-Encoding", "gzip"))
            self.send_response(status)
            for key, value in out:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_HEAD = do_PATCH = do_DELETE = _forward  # noqa: N815

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_upload_and_download_through_a_gzip_proxy(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    photo = media.make_jpeg(tmp_path, 320, 240).path
    with gzip_proxy(server.base_url) as (url, seen), ApiClient(url, server.token) as api:
        asset = api.upload(photo, content_type="image/jpeg")
        upload_accepts = seen[-1]
        with api.download(asset.id) as download:
            data = b"".join(download.chunks())  # was: "stopped after N of M bytes"
        assert (upload_accepts, seen[-1]) == ("identity", "identity")
        assert hashlib.sha256(data).digest() == hashlib.sha256(photo.read_bytes()).digest()
        with api.download(asset.id, thumbnail=True) as thumb:
            assert b"".join(thumb.chunks())[:2] == b"\xff\xd8"
        assert api.server_info() is not None  # JSON calls may still be compressed
        assert "gzip" in seen[-1]


def test_a_proxy_that_compresses_anyway_still_yields_the_file(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    photo = media.make_jpeg(tmp_path, 200, 100).path
    with ApiClient(server.base_url, server.token) as direct:
        asset = direct.upload(photo, content_type="image/jpeg")
    with gzip_proxy(server.base_url, always=True) as (url, _), ApiClient(url, server.token) as api:
        with api.download(asset.id) as download:
            assert b"".join(download.chunks()) == photo.read_bytes()
            assert download.size is None  # the Content-Length counted the compressed bytes
