"""Fixtures of the server suite: live servers on SQLite and PostgreSQL, sample media, an API client."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests import media
from tests.server.live import LiveServer, live_server

PG_ENV = "ATELIER_TEST_PG_URL"


@contextmanager
def fresh_schema(prefix: str) -> Iterator[str]:
    """ATELIER_TEST_PG_URL narrowed to a fresh schema, dropped with everything in it at the end."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set (`bash .ci/setup test` starts PostgreSQL and sets it)")
    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """ATELIER_TEST_PG_URL narrowed to a fresh schema, dropped with everything in it at the end."""
    with fresh_schema("atelier_server") as url:
        yield url


@contextmanager
def cluster_server(folder: Path, **kwargs: Any) -> Iterator[Any]:
    """Three instances behind HAProxy over S3 storage (SeaweedFS) and a schema of their own."""
    from tests.cluster.cluster import start_cluster

    with fresh_schema("atelier_cluster") as url, start_cluster(folder, url, **kwargs) as cluster:
        yield cluster


@pytest.fixture(scope="session", params=["sqlite", "postgres", "cluster"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server over a library of its own, on each database, and a cluster of three."""
    if request.param == "cluster":
        with cluster_server(tmp_path_factory.mktemp("cluster")) as cluster:
            yield cluster
        return
    db_url = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    with live_server(tmp_path_factory.mktemp(f"server-{request.param}"), db_url) as live:
        yield live


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server on SQLite only, for tests whose subject is not the database."""
    with live_server(tmp_path_factory.mktemp("server-sqlite-only")) as live:
        yield live


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, media.Sample]:
    """One small real file of every accepted format."""
    folder = tmp_path_factory.mktemp("samples")
    return {
        "jpg": media.make_jpeg(folder, 64, 48),
        "png": media.make_png(folder, 80, 60, name="logo.png"),
        "gif": media.make_gif(folder),
        "webp": media.make_webp(folder),
        "mp4": media.make_mp4(folder, 160, 120, 2.0, name="product_demo.mp4"),
        "mov": media.make_mov(folder, 160, 120, 1.0),
        "mp3": media.make_mp3(folder, 2.0, name="voiceover.mp3"),
        "wav": media.make_wav(folder, 1.0),
        "pdf": media.make_pdf(folder, 2, name="brand_guidelines.pdf"),
    }


class Api:
    """requests with a base URL and a Bearer token; every call returns the raw response."""

    def __init__(self, base_url: str, token: str | None, username: str = "", user_id: int = 0) -> None:
        self.base_url = base_url
        self.token = token
        self.username = username
        self.user_id = user_id
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return self.session.request(method, self.base_url + path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def upload(
        self, path: Path, filename: str | None = None, headers: dict[str, str] | None = None, **fields: str
    ) -> requests.Response:
        with path.open("rb") as f:
            return self.post(
                "/api/v2/upload-asset",
                files={"file": (filename or path.name, f)},
                data=fields,
                headers=headers,
            )


_users = iter(range(1, 1_000_000))


def new_api(live: LiveServer, prefix: str = "user", password: str | None = None) -> Api:
    """A fresh user on the live server and an Api acting as it."""
    name = f"{prefix}{next(_users)}_{secrets.token_hex(3)}"
    token = live.user(name, password)
    return Api(live.base_url, token, name, live.library.get_user(name).id)
