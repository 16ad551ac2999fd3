"""The object store stopped mid-upload: a clean 503, nothing kept, and uploads work once it is back."""

from __future__ import annotations

import io
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import requests

from tests import media
from tests.cluster.checks import assert_consistent
from tests.cluster.cluster import Cluster


def _multipart(data: bytes, filename: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_store_down_mid_upload_is_a_503_and_leaves_nothing(cluster: Cluster, tmp_path: Path) -> None:
    token = cluster.user(f"fault_{uuid.uuid4().hex[:8]}")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    sample = media.make_png(tmp_path, 900, 700)  # large enough to send in several pieces
    body, content_type = _multipart(sample.path.read_bytes(), "poster.png")
    half = len(body) // 2
    store_stopped = threading.Event()

    def pieces() -> Iterator[bytes]:
        yield body[:half]
        cluster.store.stop()  # while the server holds half of the body
        store_stopped.set()
        yield body[half:]

    before = cluster.library.count_assets()
    reply = session.post(
        f"{cluster.base_url}/api/v2/upload-asset",
        data=pieces(),
        headers={"Content-Type": content_type},
        timeout=60,
    )
    assert store_stopped.is_set()
    assert reply.status_code == 503, reply.text
    detail = reply.json()["detail"]
    assert detail.startswith("The file store is unavailable") and "\n" not in detail
    assert cluster.library.count_assets() == before
    for part in cluster.instances:
        assert list((part.data_dir / "assets" / ".incoming").iterdir()) == []

    cluster.store.start()
    again = session.post(
        f"{cluster.base_url}/api/v2/upload-asset",
        files={"file": ("poster.png", io.BytesIO(sample.path.read_bytes()))},
        timeout=60,
    )
    assert again.status_code == 201, again.text
    got = session.get(f"{cluster.base_url}/api/v2/assets/{again.json()['id']}", timeout=60)
    assert got.content == sample.path.read_bytes()
    assert_consistent(cluster)
