"""ApiClient against the real server, plus a byte sink for streaming and a flaky server for retries."""

from __future__ import annotations

import hashlib
import json
import threading
import tracemalloc
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app.api.schemas import AssetUpdate, ImageAsset
from app.client import (
    ApiClient,
    AuthFailed,
    InvalidRequest,
    RemoteConflict,
    RemoteNotFound,
    ServerError,
    UnsafeRedirect,
)
from tests import media
from tests.sync.conftest import PASSWORD
from tests.sync.hostile import HostileServer, TokenCatcher

BIG = 24 * 1024 * 1024


def test_round_trip_and_errors_against_the_real_server(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with ApiClient(server.base_url) as api:
        info = api.server_info()
        assert info is not None and {"changes", "idempotency", "login"} <= set(info.extensions)
        with pytest.raises(AuthFailed, match="Wrong user name or password"):
            api.login(server.user, "nope")
        api.login(server.user, PASSWORD)
        photo = media.make_jpeg(tmp_path, 64, 48).path
        key = f"test-{uuid.uuid4()}"
        first = api.upload(photo, name="Photo", tags=["a"], idempotency_key=key)
        again = api.upload(photo, name="Photo", tags=["a"], idempotency_key=key)
        assert isinstance(first, ImageAsset) and (first.width, first.height) == (64, 48)
        assert again.id == first.id and first.tags == ["a"]
        with api.download(first.id) as dl:
            data = b"".join(dl.chunks())
        assert hashlib.sha256(data).digest() == hashlib.sha256(photo.read_bytes()).digest()
        assert api.update_asset(first.id, AssetUpdate(name="Renamed")).name == "Renamed"
        feed = api.changes(0)
        assert [s.asset.id for s in feed.assets] == [first.id]
        client = api.create_client("Acme")
        with pytest.raises(RemoteConflict):
            api.create_client("Acme")
        assert api.create_campaign(client.id, "Spring").clientId == client.id
        bad = tmp_path / "notes.txt"
        bad.write_text("plain text is not an asset\n" * 20)
        with pytest.raises(InvalidRequest, match="Invalid file type: text/plain"):
            api.upload(bad)
        with pytest.raises(RemoteNotFound, match="Asset not found"):
            api.delete_asset(str(uuid.uuid4()))
        assert api.delete_asset(first.id).success
        assert not api.exists(first.id)
    with ApiClient(server.base_url, "wrong-token") as api, pytest.raises(AuthFailed):
        api.list_assets()


class _Sink(BaseHTTPRequestHandler):
    """Reads uploads without keeping them; serves BIG bytes for any file."""

    protocol_version = "HTTP/1.1"
    received = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        left = int(self.headers["Content-Length"])
        got = 0
        while left:
            chunk = self.rfile.read(min(left, 65536))
            left -= len(chunk)
            got += len(chunk)
        type(self).received = got
        body = json.dumps(
            {
                "id": str(uuid.uuid4()), "name": "big", "url": "/x", "size": got,
                "uploadedAt": "2025-11-16T19:43:00Z", "format": "png", "type": "image",
                "width": 1, "height": 1,
            }
        ).encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", str(BIG))
        self.end_headers()
        block = b"\0" * 65536
        for _ in range(BIG // len(block)):
            self.wfile.write(block)


def test_uploads_and_downloads_stream_in_flat_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        for _ in range(BIG // (1024 * 1024)):
            f.write(b"\x89PNG" * (256 * 1024))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    seen: list[int] = []
    try:
        with ApiClient(f"http://127.0.0.1:{httpd.server_address[1]}", "t") as api:
            tracemalloc.start()
            asset = api.upload(big, progress=lambda done, total: seen.append(done))
            _, up_peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            with api.download(asset.id) as dl:
                total = sum(len(c) for c in dl.chunks())
            _, down_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert asset.size == _Sink.received > BIG and total == BIG
        assert seen[-1] == _Sink.received and len(seen) > 10
        assert up_peak < 6 * 1024 * 1024, up_peak
        assert down_peak < 6 * 1024 * 1024, down_peak
    finally:
        httpd.shutdown()
        httpd.server_close()


class _Flaky(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    calls: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        type(self).calls.append("GET")
        if len(self.calls) < 3:
            return self._answer(503, b'{"detail": "busy"}')
        self._answer(200, b"[]")

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append("POST")
        self._answer(500, b'{"detail": "boom"}')


def test_idempotent_requests_are_retried_others_are_not(tmp_path: Path) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    photo = media.make_jpeg(tmp_path, 20, 20).path
    try:
        with ApiClient(f"http://127.0.0.1:{httpd.server_address[1]}", "t", backoff=0.01) as api:
            assert api.list_assets() == []
            assert _Flaky.calls == ["GET"] * 3
            _Flaky.calls.clear()
            with pytest.raises(ServerError, match="boom"):
                api.upload(photo)
            assert _Flaky.calls == ["POST"]
            _Flaky.calls.clear()
            with pytest.raises(ServerError):
                api.upload(photo, idempotency_key="k1")
            assert _Flaky.calls == ["POST"] * 4
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_token_never_follows_a_redirect_to_another_host(tmp_path: Path) -> None:
    catcher = TokenCatcher()
    srv = HostileServer("tok")
    try:
        elsewhere, here = str(uuid.uuid4()), str(uuid.uuid4())
        srv.add(elsewhere, "x.jpg", "jpg", b"", redirect_to=f"{catcher.url}/grab")
        # Same host name, other port: another origin too.
        srv.add(here, "y.jpg", "jpg", b"", redirect_to=catcher.url.replace("localhost", "127.0.0.1"))
        with ApiClient(srv.url, "tok") as api:
            for asset_id in (elsewhere, here):
                with pytest.raises(UnsafeRedirect, match="another host"):
                    api.download(asset_id)
        assert catcher.record.seen == []
        # A redirect within the server is followed, with the token.
        own = str(uuid.uuid4())
        srv.add(own, "z.jpg", "jpg", b"abc")
        srv.add(str(uuid.uuid4()), "w.jpg", "jpg", b"", redirect_to=f"/api/v2/assets/{own}")
        moved = list(srv.assets)[-1]
        with ApiClient(srv.url, "tok") as api, api.download(moved) as dl:
            assert b"".join(dl.chunks()) == b"abc"
        assert srv.record.seen[-1] == ("GET", f"/api/v2/assets/{own}", "Bearer tok")
    finally:
        srv.close()
        catcher.close()
