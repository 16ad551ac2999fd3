"""Uploads: every bad file refused with its reason and nothing kept; limits enforced while streaming."""

from __future__ import annotations

import io
import json
import select
import socket
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from tests import media
from tests.server.conftest import Api, new_api
from tests.server.live import LiveServer

LIMIT = 50 * 1024 * 1024
TOO_LARGE = "File too large. Maximum size is 50.0MB"


def _stored_files(live: LiveServer) -> list[str]:
    return sorted(p.name for p in live.library.storage.iter_files())


def _incoming(live: LiveServer) -> list[str]:
    return sorted(p.name for p in live.library.storage.staging_dir.iterdir())


def _wait_for(condition, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _assert_nothing_stored(live: LiveServer, api: Api, files_before: list[str]) -> None:
    assert api.get("/api/v2/assets").json() == []
    assert _stored_files(live) == files_before
    assert _wait_for(lambda: _incoming(live) == []), _incoming(live)


def test_bad_corpus_is_refused_with_reasons(server: LiveServer, tmp_path: Path) -> None:
    api = new_api(server)
    before = _stored_files(server)
    corpus = media.bad_corpus(tmp_path / "bad")
    for path, expected in corpus:
        response = api.upload(path)
        assert 400 <= response.status_code < 500, (path.name, response.status_code)
        detail = response.json()["detail"]
        assert isinstance(detail, str) and expected in detail, (path.name, detail)
        assert "\n" not in detail and "Traceback" not in detail
    _assert_nothing_stored(server, api, before)


def _multipart(parts: list[tuple[str, str | None, bytes]], boundary: str = "b0undary") -> bytes:
    out = io.BytesIO()
    for name, filename, data in parts:
        out.write(f"--{boundary}\r\n".encode())
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out.write(f"Content-Disposition: {disposition}\r\n".encode())
        if filename is not None:
            out.write(b"Content-Type: application/octet-stream\r\n")
        out.write(b"\r\n" + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


def _post_raw(api: Api, body: bytes, content_type: str = "multipart/form-data; boundary=b0undary", **headers: str):  # type: ignore[no-untyped-def]
    return api.post("/api/v2/upload-asset", data=body, headers={"Content-Type": content_type, **headers})


def test_form_fields_before_or_after_the_file(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api = new_api(sqlite_server)
    client = api.post("/api/v2/clients", json={"name": "Acme"}).json()
    data = samples["png"].path.read_bytes()
    after = _post_raw(
        api,
        _multipart([("file", "logo.png", data), ("clientId", None, client["id"].encode()),
                    ("name", None, b"Company Logo")]),
    )
    assert after.status_code == 201, after.text
    assert (after.json()["name"], after.json()["clientId"]) == ("Company Logo", client["id"])
    before = _post_raw(
        api,
        _multipart([("clientId", None, client["id"].encode()), ("tags", None, b'["hero", "blue"]'),
                    ("file", "Café.png", data)]),
    )
    assert before.status_code == 201, before.text
    assert before.json()["name"] == "Café.png" and before.json()["tags"] == ["hero", "blue"]
    assert before.json()["clientId"] == client["id"]


@pytest.mark.parametrize(
    "body,content_type,status,detail",
    [
        (_multipart([("name", None, b"x")]), None, 400, "No file in the upload: send it in the form field 'file'"),
        (b'{"file": "x"}', "application/json", 400,
         "Send the upload as multipart/form-data with the file in the field 'file'"),
        (_multipart([("file", "a.png", b"1"), ("file", "b.png", b"2")]), None, 400,
         "Only one file can be uploaded at a time"),
        (_multipart([("file", "a.png", b"\x89PNG\r\n")])[:-30], None, 400, "The upload ended"),
        (_multipart([("file", "a.png", b"")]), None, 400, "File is empty"),
        (_multipart([("file", "a.png", b"x"), ("note", None, b"y" * 70000)]), None, 400,
         "The form field 'note' is too long"),
        (_multipart([("file", "a.png", b"x"), ("tags", None, b"hero, blue")]), None, 400,
         "tags must be a JSON array of strings"),
        (_multipart([("file", "a.png", b"x"), ("clientId", None, b"client-uuid-123")]), None, 400,
         "Invalid client ID format"),
    ],
)
def test_malformed_uploads(
    sqlite_server: LiveServer, samples: dict[str, media.Sample],
    body: bytes, content_type: str | None, status: int, detail: str,
) -> None:
    api = new_api(sqlite_server)
    before = _stored_files(sqlite_server)
    # A valid picture where the case has a one-byte placeholder, so only the form is wrong.
    body = body.replace(b"\r\n\r\nx\r\n", b"\r\n\r\n" + samples["png"].path.read_bytes() + b"\r\n")
    response = _post_raw(api, body, content_type or "multipart/form-data; boundary=b0undary")
    assert response.status_code == status, response.text
    assert detail in response.json()["detail"]
    _assert_nothing_stored(sqlite_server, api, before)


def test_unknown_or_foreign_client_and_campaign(sqlite_server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api, other = new_api(sqlite_server), new_api(sqlite_server)
    before = _stored_files(sqlite_server)
    foreign = other.post("/api/v2/clients", json={"name": "Theirs"}).json()
    mine = api.post("/api/v2/clients", json={"name": "Mine"}).json()
    second = api.post("/api/v2/clients", json={"name": "Second"}).json()
    campaign = api.post("/api/v2/campaigns", json={"clientId": second["id"], "name": "C"}).json()
    png = samples["png"].path
    for fields, status, detail in [
        ({"clientId": str(uuid.uuid4())}, 404, "Client not found"),
        ({"clientId": foreign["id"]}, 404, "Client not found"),
        ({"campaignId": str(uuid.uuid4())}, 404, "Campaign not found"),
        ({"clientId": mine["id"], "campaignId": campaign["id"]}, 409, "The campaign belongs to another client"),
    ]:
        response = api.upload(png, **fields)
        assert (response.status_code, response.json()) == (status, {"detail": detail})
    _assert_nothing_stored(sqlite_server, api, before)


def test_idempotency_key_replays_the_first_upload(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    api, other = new_api(server), new_api(server)
    key = {"Idempotency-Key": f"sync-{uuid.uuid4()}"}
    first = api.upload(samples["jpg"].path, headers=key, name="First")
    second = api.upload(samples["jpg"].path, headers=key, name="Second")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert len(api.get("/api/v2/assets").json()) == 1
    # A retry that would be refused on its own is refused, key or not: no file, a bad field.
    empty = api.post(
        "/api/v2/upload-asset",
        data=b"--b0undary--\r\n",
        headers={**key, "Content-Type": "multipart/form-data; boundary=b0undary"},
    )
    assert empty.status_code == 400 and "No file in the upload" in empty.text, empty.text
    bad_client = api.upload(samples["jpg"].path, headers=key, clientId="not-a-uuid")
    assert bad_client.status_code in (400, 422), bad_client.text
    theirs = other.upload(samples["jpg"].path, headers=key)
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    too_long = api.upload(samples["jpg"].path, headers={"Idempotency-Key": "k" * 201})
    assert too_long.status_code == 422 and "Idempotency-Key" in too_long.json()["detail"]
    assert len(api.get("/api/v2/assets").json()) == 1


def _http_head(live: LiveServer, token: str, extra: str) -> bytes:
    host = urlsplit(live.base_url).netloc
    return (
        f"POST /api/v2/upload-asset HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary=b0undary\r\n{extra}\r\n"
    ).encode()


def _file_part_start() -> bytes:
    jpeg = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(jpeg, "JPEG")
    return (
        b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="huge.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + jpeg.getvalue()
    )


def _send_until_answered(sock: socket.socket, first: bytes, chunk: bytes, chunked: bool, cap: int) -> tuple[int, bytes]:
    """Send first, then chunk after chunk until the server answers; (bytes sent, answer)."""
    sent = 0
    frame = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") if chunked else chunk
    sock.sendall(first)
    while sent < cap:
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            break
        try:
            sock.sendall(frame)
        except (BrokenPipeError, ConnectionResetError):
            break
        sent += len(chunk)
    answer = b""
    sock.settimeout(10)
    try:
        while part := sock.recv(65536):
            answer += part
    except (ConnectionResetError, TimeoutError):
        pass
    return sent, answer


@pytest.mark.parametrize("declared", [False, True], ids=["chunked", "content-length"])
def test_a_2gb_body_is_cut_off_just_past_the_limit(sqlite_server: LiveServer, declared: bool) -> None:
    api = new_api(sqlite_server)
    before = _stored_files(sqlite_server)
    extra = "Content-Length: 2147483648\r\n" if declared else "Transfer-Encoding: chunked\r\n"
    head = _http_head(sqlite_server, api.token or "", extra)
    start = _file_part_start()
    first = head + (start if declared else f"{len(start):x}\r\n".encode() + start + b"\r\n")
    url = urlsplit(sqlite_server.base_url)
    with socket.create_connection((url.hostname, url.port)) as sock:
        sent, answer = _send_until_answered(sock, first, bytes(1024 * 1024), not declared, 2**31)
    status_line, _, rest = answer.partition(b"\r\n")
    assert b" 400 " in status_line, answer[:300]
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"connection: close" in headers.lower()
    assert json.loads(body) == {"detail": TOO_LARGE}
    if declared:
        assert sent < 8 * 1024 * 1024  # refused from the headers, before the body
    else:
        # Socket buffers hold a few MB; everything past that was never read.
        assert LIMIT <= sent < LIMIT + 24 * 1024 * 1024
    _assert_nothing_stored(sqlite_server, api, before)


def test_an_interrupted_upload_leaves_nothing(sqlite_server: LiveServer) -> None:
    api = new_api(sqlite_server)
    before = _stored_files(sqlite_server)
    head = _http_head(sqlite_server, api.token or "", "Content-Length: 10000000\r\n")
    url = urlsplit(sqlite_server.base_url)
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(head + _file_part_start() + bytes(3 * 1024 * 1024))
        # The server is now staging the file; the client goes away mid-body.
        assert _wait_for(lambda: _incoming(sqlite_server) != [], timeout=10)
    _assert_nothing_stored(sqlite_server, api, before)


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc to read memory use")
def test_a_45mb_upload_streams_in_flat_memory(sqlite_server: LiveServer, tmp_path: Path) -> None:
    api = new_api(sqlite_server)
    big = tmp_path / "big.jpg"
    jpeg = io.BytesIO()
    Image.new("RGB", (32, 32), "blue").save(jpeg, "JPEG")
    with big.open("wb") as f:
        f.write(jpeg.getvalue())
        f.truncate(45 * 1024 * 1024)  # bytes after the JPEG's end are ignored by decoders
    api.get("/api/v2/assets")  # warm up before measuring
    peak_before = _peak_rss_kb(sqlite_server.process.pid)

    def body():  # type: ignore[no-untyped-def]
        yield b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n\r\n'
        with big.open("rb") as f:
            while chunk := f.read(1024 * 1024):
                yield chunk
        yield b"\r\n--b0undary--\r\n"

    response = _post_raw(api, body())  # type: ignore[arg-type]
    assert response.status_code == 201, response.text
    assert response.json()["size"] == big.stat().st_size
    growth_mb = (_peak_rss_kb(sqlite_server.process.pid) - peak_before) / 1024
    assert growth_mb < 20, f"the server's peak memory grew by {growth_mb:.0f} MB for a 45 MB upload"
    assert api.get(f"/api/v2/assets/{response.json()['id']}").content[:3] == b"\xff\xd8\xff"


def test_concurrent_uploads(server: LiveServer, samples: dict[str, media.Sample]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    api = new_api(server)
    formats = ["png", "jpg", "gif", "webp"]
    key = {"Idempotency-Key": f"same-{uuid.uuid4()}"}

    def upload(i: int) -> tuple[int, dict]:  # type: ignore[type-arg]
        # Fresh sessions: requests.Session is not meant to be shared between threads.
        one = Api(api.base_url, api.token)
        headers = key if i >= len(formats) else None
        response = one.upload(samples[formats[i % len(formats)]].path, headers=headers)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=7) as pool:
        results = list(pool.map(upload, range(len(formats) + 3)))
    assert all(status == 201 for status, _ in results), results
    distinct = {body["id"] for _, body in results[: len(formats)]}
    assert len(distinct) == len(formats)
    replayed = {body["id"] for _, body in results[len(formats) :]}
    assert len(replayed) == 1  # three racing retries with one key made one asset
    feed = api.get("/api/v2/changes").json()
    assert len(feed["assets"]) == len(formats) + 1
    assert len({s["asset"]["id"] for s in feed["assets"]}) == len(formats) + 1
