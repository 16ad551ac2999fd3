"""Each dialect's error answers, byte for byte: v2's {"detail"} and v1's {success, error} envelope.

The bodies and headers below are what the server answered before the dialects rendered
their own errors; any change of shape, code, message or header fails here.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.server.live import LiveServer

BIG_JSON = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
HUGE_UPLOAD_JSON = b"{" + b" " * (60 * 1024 * 1024) + b"}"
MISSING = str(uuid.uuid4())
HEADERS = ("content-type", "www-authenticate", "allow", "retry-after", "connection")
JSON = {"Content-Type": "application/json"}


def _chunked_big() -> Iterator[bytes]:
    """A body over the JSON limit with no Content-Length: the guard stops it while it arrives."""
    yield b'{"name": "'
    for _ in range(300):
        yield b"x" * 4096
    yield b'"}'


# name: (method, path, credential ("bearer", "apikey", a header dict or None), body)
REQUESTS: dict[str, tuple[str, str, Any, Any]] = {
    "v2 unknown path": ("GET", "/api/v2/nope", "bearer", None),
    "v2 no token": ("GET", "/api/v2/assets", None, None),
    "v2 bad token": ("GET", "/api/v2/assets", {"Authorization": "Bearer nope"}, None),
    "v2 missing asset": ("GET", f"/api/v2/assets/{MISSING}", "bearer", None),
    "v2 bad limit": ("GET", "/api/v2/assets?limit=abc", "bearer", None),
    "v2 method": ("PUT", "/api/v2/assets", "bearer", None),
    "v2 bad json": ("POST", "/api/v2/clients", ("bearer", JSON), b"{nope"),
    "v2 missing field": ("POST", "/api/v2/clients", ("bearer", JSON), b"{}"),
    "v2 declared too large": ("POST", "/api/v2/clients", ("bearer", JSON), BIG_JSON),
    "v2 chunked too large": ("POST", "/api/v2/clients", ("bearer", JSON), _chunked_big),
    "v1 unknown path": ("GET", "/api/assets/a/b/c", "apikey", None),
    "v1 no key": ("GET", "/api/assets", None, None),
    "v1 bad key": ("GET", "/api/assets", {"x-api-key": "nope"}, None),
    "v1 missing asset": ("GET", f"/api/assets/{MISSING}", "apikey", None),
    "v1 missing person": ("GET", f"/api/persons/{MISSING}", "apikey", None),
    "v1 bad limit": ("GET", "/api/persons?limit=101", "apikey", None),
    "v1 method": ("PUT", "/api/assets", "apikey", None),
    "v1 method persons": ("PATCH", "/api/persons", "apikey", None),
    "v1 bad json": ("POST", "/api/persons", ("apikey", JSON), b"{nope"),
    "v1 missing field": ("POST", "/api/persons", ("apikey", JSON), b"{}"),
    "v1 declared too large": ("POST", "/api/persons", ("apikey", JSON), BIG_JSON),
    "v1 chunked too large": ("POST", "/api/persons", ("apikey", JSON), _chunked_big),
    "v1 bad upload json": ("POST", "/api/assets", ("apikey", JSON), b'{"type": "face"}'),
    "v1 upload declared huge": ("POST", "/api/assets", ("apikey", JSON), HUGE_UPLOAD_JSON),
}

# name: (status, body, headers among HEADERS)
EXPECTED: dict[str, tuple[int, str, dict[str, str]]] = {
    'v2 unknown path': (404, '{"detail":"Not Found"}', {'content-type': 'application/json'}),
    'v2 no token': (401, '{"detail":"Not authenticated"}', {'www-authenticate': 'Bearer', 'content-type': 'application/json'}),
    'v2 bad token': (401, '{"detail":"Invalid or revoked token"}', {'www-authenticate': 'Bearer', 'content-type': 'application/json'}),
    'v2 missing asset': (404, '{"detail":"Asset not found"}', {'content-type': 'application/json'}),
    'v2 bad limit': (422, '{"detail":"Invalid request: limit: Input should be a valid integer, unable to parse string as an integer"}', {'content-type': 'application/json'}),
    'v2 method': (405, '{"detail":"Method Not Allowed"}', {'content-type': 'application/json', 'allow': 'GET'}),
    'v2 bad json': (422, '{"detail":"Invalid request: 1: JSON decode error"}', {'content-type': 'application/json'}),
    'v2 missing field': (422, '{"detail":"Invalid request: name: Field required"}', {'content-type': 'application/json'}),
    'v2 declared too large': (413, '{"detail": "Request body too large"}', {'content-type': 'application/json', 'connection': 'close'}),
    'v2 chunked too large': (413, '{"detail":"Request body too large"}', {'content-type': 'application/json'}),
    'v1 unknown path': (404, '{"success":false,"error":{"code":"NOT_FOUND","message":"Not Found"}}', {'content-type': 'application/json'}),
    'v1 no key': (401, '{"success":false,"error":{"code":"UNAUTHORIZED","message":"Missing API key: send it in the x-api-key header"}}', {'www-authenticate': 'ApiKey header="x-api-key"', 'content-type': 'application/json'}),
    'v1 bad key': (401, '{"success":false,"error":{"code":"UNAUTHORIZED","message":"Invalid or revoked API key"}}', {'www-authenticate': 'ApiKey header="x-api-key"', 'content-type': 'application/json'}),
    'v1 missing asset': (404, '{"success":false,"error":{"code":"NOT_FOUND","message":"Asset not found"}}', {'content-type': 'application/json'}),
    'v1 missing person': (404, '{"success":false,"error":{"code":"NOT_FOUND","message":"Person not found"}}', {'content-type': 'application/json'}),
    'v1 bad limit': (422, '{"success":false,"error":{"code":"VALIDATION_ERROR","message":"Invalid request: limit: Input should be less than or equal to 100"}}', {'content-type': 'application/json'}),
    'v1 method': (405, '{"success":false,"error":{"code":"METHOD_NOT_ALLOWED","message":"Method Not Allowed"}}', {'allow': 'GET, POST', 'content-type': 'application/json'}),
    'v1 method persons': (405, '{"success":false,"error":{"code":"METHOD_NOT_ALLOWED","message":"Method Not Allowed"}}', {'allow': 'GET, POST', 'content-type': 'application/json'}),
    'v1 bad json': (422, '{"success":false,"error":{"code":"VALIDATION_ERROR","message":"Invalid request: 1: JSON decode error"}}', {'content-type': 'application/json'}),
    'v1 missing field': (422, '{"success":false,"error":{"code":"VALIDATION_ERROR","message":"Invalid request: name: Field required"}}', {'content-type': 'application/json'}),
    'v1 declared too large': (413, '{"success":false,"error":{"code":"PAYLOAD_TOO_LARGE","message":"Request body too large"}}', {'connection': 'close', 'content-type': 'application/json'}),
    'v1 chunked too large': (413, '{"success":false,"error":{"code":"PAYLOAD_TOO_LARGE","message":"Request body too large"}}', {'content-type': 'application/json'}),
    'v1 bad upload json': (422, '{"success":false,"error":{"code":"VALIDATION_ERROR","message":"Invalid request: base64: Field required"}}', {'content-type': 'application/json'}),
    'v1 upload declared huge': (400, '{"success":false,"error":{"code":"INVALID_BODY","message":"The JSON fields besides the file are too large"}}', {'content-type': 'application/json'}),
}


@pytest.fixture(scope="module")
def credentials(sqlite_server: LiveServer) -> dict[str, dict[str, str]]:
    name = f"pin_{uuid.uuid4().hex[:6]}"
    token = sqlite_server.user(name)
    key = sqlite_server.library.create_token(name, kind="apikey")
    return {"bearer": {"Authorization": f"Bearer {token}"}, "apikey": {"x-api-key": key}}


def _headers(credential: Any, credentials: dict[str, dict[str, str]]) -> dict[str, str]:
    if credential is None:
        return {}
    if isinstance(credential, str):
        return dict(credentials[credential])
    if isinstance(credential, tuple):
        return {**credentials[credential[0]], **credential[1]}
    return dict(credential)


@pytest.mark.parametrize("name", list(REQUESTS))
def test_error_answers_keep_their_exact_shape(
    name: str, sqlite_server: LiveServer, credentials: dict[str, dict[str, str]]
) -> None:
    method, path, credential, body = REQUESTS[name]
    data = body() if callable(body) else body
    response = requests.request(
        method, sqlite_server.base_url + path, headers=_headers(credential, credentials),
        data=data, timeout=60,
    )  # fmt: skip
    kept = {k: v for k, v in ((h, response.headers.get(h)) for h in HEADERS) if v is not None}
    if callable(body):
        # Whether the answer closes the connection depends on how much of the chunked body
        # had arrived when it was refused (timing, on any version): not the dialect's part.
        kept.pop("connection", None)
    assert (response.status_code, response.content.decode(), kept) == EXPECTED[name]
    assert response.headers["content-length"] == str(len(response.content))


def test_a_conflict_and_a_throttled_login_in_the_v2_shape(
    sqlite_server: LiveServer, credentials: dict[str, dict[str, str]]
) -> None:
    base = sqlite_server.base_url
    bearer = credentials["bearer"]
    name = f"Dup {uuid.uuid4().hex[:6]}"
    assert requests.post(f"{base}/api/v2/clients", json={"name": name}, headers=bearer, timeout=30).ok
    dup = requests.post(f"{base}/api/v2/clients", json={"name": name}, headers=bearer, timeout=30)
    assert dup.status_code == 409 and set(dup.json()) == {"detail"}
    assert dup.json()["detail"].startswith("A client named")
    user = f"locked_{uuid.uuid4().hex[:6]}"
    sqlite_server.library.create_user(user, "right-password-1")
    answers = [
        requests.post(f"{base}/api/v2/auth/login", json={"username": user, "password": "wrong"}, timeout=30)
        for _ in range(7)
    ]
    throttled = answers[-1]
    assert throttled.status_code == 429
    assert throttled.content == b'{"detail":"Too many failed logins: try again later"}'
    assert int(throttled.headers["Retry-After"]) >= 1
    assert answers[0].status_code == 401 and answers[0].headers["WWW-Authenticate"] == "Bearer"


def test_a_route_answers_in_its_dialect_and_a_path_in_the_one_claiming_it() -> None:
    import re

    from fastapi import APIRouter, FastAPI
    from fastapi.testclient import TestClient

    from app.library.errors import NotFound
    from app.server import errors
    from app.server.v1.errors import V1, V1Route

    app = FastAPI()
    dialects = errors.install(app)
    older = APIRouter(prefix="/elsewhere", route_class=V1Route)
    plain = APIRouter(prefix="/plain")

    def missing(n: int) -> None:
        raise NotFound(f"No thing {n}")

    older.get("/{n}")(missing)
    plain.get("/{n}")(missing)
    app.include_router(older)
    app.include_router(plain)
    with TestClient(app) as client:
        answer = client.get("/elsewhere/3")
        assert (answer.status_code, answer.content) == (
            404, b'{"success":false,"error":{"code":"NOT_FOUND","message":"No thing 3"}}'
        )  # fmt: skip
        invalid = client.get("/elsewhere/x").json()
        assert invalid["error"]["code"] == "VALIDATION_ERROR" and invalid["success"] is False
        assert client.get("/plain/3").content == b'{"detail":"No thing 3"}'
        assert client.get("/plain/x").json()["detail"].startswith("Invalid request: n:")
        # No route matched: the path decides, and v2 unless a dialect claims it.
        assert client.get("/elsewhere/3/4").content == b'{"detail":"Not Found"}'
        dialects.claim(re.compile("^/elsewhere/"), V1)
        unmatched = client.get("/elsewhere/3/4")
        assert unmatched.json() == {"success": False, "error": {"code": "NOT_FOUND", "message": "Not Found"}}


def test_the_one_lifespan_starts_and_stops_every_part_each_time(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from app.library.service import LibraryService
    from app.server.app import create_app
    from app.server.settings import ServerSettings
    from app.server.v1.bucket import BUCKET_DIR_NAME

    with LibraryService(tmp_path / "lib") as lib:
        app = create_app(ServerSettings(data_dir=tmp_path / "lib"), lib)
        bucket = tmp_path / "lib" / BUCKET_DIR_NAME
        bucket.mkdir(exist_ok=True)
        for run in range(2):  # a second start gets fresh parts, not spent ones
            stray = bucket / f"stray-{run}.png"  # an upload that never finished, long ago
            stray.write_bytes(b"x")
            os.utime(stray, (time.time() - 3600, time.time() - 3600))
            with TestClient(app) as client:
                assert not stray.exists()  # v1's part swept the bucket on start
                assert client.get("/api/v2/server-info").status_code == 200
        assert lib.count_assets() == 0  # the library passed in is left open
