"""A lying server (stdlib http.server): wrong bytes, oversized files, redirects to another host."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Served:
    """One asset as announced, and what is really sent for its file."""

    meta: dict[str, object]
    body: bytes
    sha256: str | None = None
    redirect_to: str | None = None


@dataclass
class Recorder:
    """Every request a server saw: (method, path, Authorization header or None)."""

    seen: list[tuple[str, str, str | None]] = field(default_factory=list)

    def tokens(self) -> list[str]:
        return [auth for _, _, auth in self.seen if auth]


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def _start(handler: type[BaseHTTPRequestHandler]) -> tuple[_Server, int]:
    httpd = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, httpd.server_address[1]


class TokenCatcher:
    """Another host (reached as 'localhost'): records whatever is sent to it."""

    def __init__(self) -> None:
        self.record = Recorder()
        record = self.record

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                record.seen.append(("GET", self.path, self.headers.get("Authorization")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd, port = _start(Handler)
        self.url = f"http://localhost:{port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class HostileServer:
    """Speaks enough v2 to be synced with (optionally the change feed), and lies about files."""

    def __init__(self, token: str, *, feed: bool = True) -> None:
        self.token = token
        self.feed = feed
        self.assets: dict[str, Served] = {}
        self.record = Recorder()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _json(self, status: int, value: object) -> None:
                body = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                outer.record.seen.append(("POST", self.path, self.headers.get("Authorization")))
                self.close_connection = True
                self._json(400, {"detail": "This server takes no uploads"})

            def do_GET(self) -> None:  # noqa: N802
                auth = self.headers.get("Authorization")
                outer.record.seen.append(("GET", self.path, auth))
                parts = urlsplit(self.path)
                path, query = parts.path, parse_qs(parts.query)
                if path == "/api/v2/server-info":
                    if not outer.feed:
                        return self._json(404, {"detail": "Not Found"})
                    return self._json(
                        200,
                        {
                            "name": "Hostile", "version": "6.6.6", "apiVersion": 2,
                            "extensions": ["changes", "idempotency"], "maxUploadBytes": 10**9,
                        },
                    )
                if auth != f"Bearer {outer.token}":
                    return self._json(401, {"detail": "Not authenticated"})
                if path == "/api/v2/changes":
                    cursor = int(query.get("cursor", ["0"])[0])
                    states = [
                        {
                            "asset": s.meta, "sha256": s.sha256 or "0" * 64,
                            "updatedAt": s.meta["uploadedAt"],
                        }
                        for s in outer.assets.values()
                    ] if cursor == 0 else []
                    return self._json(200, {"cursor": 1, "hasMore": False, "assets": states, "deleted": []})
                if path == "/api/v2/assets":
                    offset = int(query.get("offset", ["0"])[0])
                    limit = int(query.get("limit", ["50"])[0])
                    rows = [s.meta for s in outer.assets.values()][offset : offset + limit]
                    return self._json(200, rows)
                asset_id = path.rsplit("/", 1)[-1]
                served = outer.assets.get(asset_id)
                if served is None:
                    return self._json(404, {"detail": "Asset not found"})
                if served.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", served.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(served.body)))
                self.end_headers()
                try:
                    self.wfile.write(served.body)
                except OSError:
                    pass  # the client gave up reading: that is the point

        self.httpd, port = _start(Handler)
        self.url = f"http://127.0.0.1:{port}"

    def add(
        self,
        asset_id: str,
        name: str,
        fmt: str,
        body: bytes,
        *,
        announced_size: int | None = None,
        sha256: str | None = None,
        redirect_to: str | None = None,
        width: int = 10,
        height: int = 10,
    ) -> None:
        kind = {"jpg": "image", "png": "image"}[fmt]
        meta: dict[str, object] = {
            "id": asset_id, "userId": 1, "clientId": None, "campaignId": None, "name": name,
            "url": f"{self.url}/api/v2/assets/{asset_id}",
            "size": len(body) if announced_size is None else announced_size,
            "uploadedAt": "2025-11-16T19:43:00Z", "tags": None, "type": kind, "format": fmt,
            "width": width, "height": height,
        }
        self.assets[asset_id] = Served(meta, body, sha256, redirect_to)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
