"""Bucket uploads that expire, and the size limit on decoded bytes, enforced while they stream in."""

from __future__ import annotations

import base64
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

from tests import media
from tests.server.live import LiveServer
from tests.server_v1.conftest import SHORT_TTL_HOURS, V1, assert_error, incoming_files, new_v1


def wait_until(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_bucket_upload_has_no_row_and_expires(
    small_server: LiveServer, images: dict[str, media.Sample]
) -> None:
    api = new_v1(small_server)
    png = images["png"].path
    response = api.upload_json(png.read_bytes(), "bucket", mimeType="image/png", filename="tmp.png")
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["id"] == "" and data["width"] is None and data["height"] is None
    assert data["type"] == "bucket" and data["name"] == "tmp.png" and data["mimeType"] == "image/png"
    url = data["url"]
    assert url.startswith(f"{api.base_url}/api/assets/bucket/") and len(url.rsplit("/", 1)[1]) == 36
    # Reachable by its unguessable url alone, listed for its owner only, never in the library.
    anonymous = V1(api.base_url, None)
    assert anonymous.get(url).content == png.read_bytes()
    assert [a["url"] for a in api.get("/api/assets?type=bucket").json()["data"]["assets"]] == [url]
    assert new_v1(small_server).get("/api/assets?type=bucket").json()["data"]["assets"] == []
    assert api.get("/api/assets").json()["data"]["assets"] == []
    assert small_server.library.count_assets() == 0
    stored = small_server.library.data_dir / "bucket" / url.rsplit("/", 1)[1]
    assert stored.exists()
    # Then the periodic cleanup removes it.
    ttl = SHORT_TTL_HOURS * 3600
    assert wait_until(lambda: not stored.exists(), timeout=ttl + 15)
    assert_error(anonymous.get(url), 404, "NOT_FOUND", "expired")
    assert api.get("/api/assets?type=bucket").json()["data"]["assets"] == []


def test_multipart_bucket_upload(small_server: LiveServer, images: dict[str, media.Sample]) -> None:
    api = new_v1(small_server)
    response = api.upload_form(images["gif"].path, "bucket", description="frames")
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert (data["id"], data["width"], data["height"]) == ("", None, None)
    assert data["description"] == "frames" and data["mimeType"] == "image/gif"
    assert V1(api.base_url, None).get(data["url"]).headers["Content-Type"] == "image/gif"


def _big_jpeg_base64() -> Iterator[bytes]:
    """1.5 MB once decoded: a real JPEG followed by padding, sent as an unsized (chunked) body."""
    import io

    from PIL import Image

    head = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 10, 10)).save(head, "JPEG")
    raw = head.getvalue() + bytes(-len(head.getvalue()) % 3)
    yield b'{"type": "face", "base64": "data:image/jpeg;base64,' + base64.b64encode(raw)
    block = base64.b64encode(bytes(3 * 16384))
    for _ in range(1536 * 1024 // (3 * 16384)):
        yield block
    yield b'"}'


def test_the_limit_applies_to_decoded_bytes_while_streaming(small_server: LiveServer) -> None:
    api = new_v1(small_server)
    response = api.post(
        "/api/assets", data=_big_jpeg_base64(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "FILE_TOO_LARGE", "File too large. Maximum size is 1.0MB")
    assert incoming_files(small_server) == []
    assert small_server.library.count_assets() == 0


def test_a_declared_2_gb_body_is_refused_before_reading_it(small_server: LiveServer) -> None:
    api = new_v1(small_server)
    url = urlsplit(api.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as conn:
        conn.sendall(
            b"POST /api/assets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"x-api-key: {api.key}\r\n".encode()
            + b"Content-Length: 2147483648\r\n\r\n"
            + b'{"type": "face", "base64": "'
        )
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), reply
    assert b"connection: close" in head.lower()
    assert b'"FILE_TOO_LARGE"' in body


def test_persons_body_limit_uses_the_envelope(small_server: LiveServer) -> None:
    api = new_v1(small_server)
    big = {"name": "x", "imageIds": ["y" * 2_000_000]}
    assert_error(api.post("/api/persons", json=big), 413, "PAYLOAD_TOO_LARGE")
