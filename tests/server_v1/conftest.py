"""Fixtures of the v1 suite: live servers, users with API keys, a small v1 client, the spec's examples."""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests import media
from tests.server.conftest import (
    cluster_server,
    pg_url,  # noqa: F401  (the fixture: a fresh PostgreSQL schema)
)
from tests.server.live import LiveServer, live_server

# A verbatim copy of the v1 document, so that its examples are tested exactly as written.
SPEC = Path(__file__).with_name("assets-api-v1.txt")
SHORT_TTL_HOURS = 0.002  # 7.2 s


def spec_text() -> str:
    return SPEC.read_text(encoding="utf-8")


def spec_example(title: str) -> Any:
    """The JSON example that follows a heading of the document, e.g. "List Response"."""
    text = spec_text()
    start = text.index("{", text.index(f"\n{title}\n"))
    return json.JSONDecoder().raw_decode(text[start:])[0]


def shape(value: Any) -> Any:
    """The keys (recursively) of a JSON value, with the first list item standing for all."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


class V1:
    """requests with the server's base URL and an x-api-key; every call returns the raw response."""

    def __init__(self, base_url: str, key: str | None, username: str = "") -> None:
        self.base_url = base_url
        self.key = key
        self.username = username
        self.session = requests.Session()
        if key:
            self.session.headers["x-api-key"] = key

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        url = path if path.startswith("http") else self.base_url + path
        return self.session.request(method, url, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def upload_json(self, data: bytes, type: str = "face", **fields: Any) -> requests.Response:
        return self.post(
            "/api/assets",
            json={"base64": base64.b64encode(data).decode(), "type": type, **fields},
        )

    def upload_form(self, path: Path, type: str = "face", **fields: str) -> requests.Response:
        with path.open("rb") as f:
            return self.post("/api/assets", files={"file": (path.name, f)}, data={"type": type, **fields})


def new_v1(live: LiveServer) -> V1:
    """A fresh user with an API key on the live server."""
    name = f"v1user_{secrets.token_hex(4)}"
    live.library.create_user(name, None)
    return V1(live.base_url, live.library.create_token(name, kind="apikey"), name)


@pytest.fixture(scope="session", params=["sqlite", "cluster"])
def v1_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server on SQLite, and three behind HAProxy over PostgreSQL and S3 storage."""
    if request.param == "cluster":
        with cluster_server(tmp_path_factory.mktemp("v1-cluster")) as cluster:
            yield cluster
        return
    with live_server(tmp_path_factory.mktemp("v1-server")) as live:
        yield live


@pytest.fixture(scope="session")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A 1 MB upload limit and bucket files that live 3.6 seconds."""
    with live_server(
        tmp_path_factory.mktemp("v1-small"),
        max_size_mb=1,
        extra_args=("--bucket-ttl-hours", str(SHORT_TTL_HOURS)),
    ) as live:
        yield live


@pytest.fixture
def api(v1_server: LiveServer) -> V1:
    return new_v1(v1_server)


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, media.Sample]:
    folder = tmp_path_factory.mktemp("v1-images")
    return {
        "jpg": media.make_jpeg(folder, 64, 48, name="face-photo.jpg"),
        "jpg2": media.make_jpeg(folder, 40, 30, name="side.jpg"),
        "png": media.make_png(folder, 80, 60),
        "gif": media.make_gif(folder),
        "webp": media.make_webp(folder),
        "pdf": media.make_pdf(folder, 1),
        "mp4": media.make_mp4(folder, 160, 120, 1.0),
    }


def data_url(path: Path, mime: str = "image/jpeg") -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


def assert_error(response: requests.Response, status: int, code: str, message: str = "") -> None:
    """The v1 error envelope with this status and code (and, if given, text in the message)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "error"} and body["success"] is False, body
    assert set(body["error"]) == {"code", "message"} and body["error"]["code"] == code, body
    assert body["error"]["message"] and message in body["error"]["message"], body


def incoming_files(live: LiveServer) -> list[str]:
    return sorted(p.name for p in live.library.storage.staging_dir.iterdir())


DOC_URL = re.compile(r"https://youthumb\.ai/api")
