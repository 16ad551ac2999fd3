"""`atelier storage migrate --to s3://...`: killed halfway, run again, every object checked, served from S3."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PIL import Image

from app.library.blobs import s3_client
from app.library.service import LibraryService, Target
from app.library.storage import asset_name, thumb_name
from tests.cluster.cluster import BUCKET, REPO_ROOT, S3_ENV, ObjectStore, free_ports
from tests.server.live import live_server

ASSETS = 30


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectStore]:
    os.environ.update({k: os.environ.get(k, v) for k, v in S3_ENV.items()})
    running = ObjectStore(tmp_path_factory.mktemp("seaweedfs"), free_ports(9))
    running.start()
    try:
        yield running
    finally:
        running.stop()


def _noise_png(path: Path, seed: int) -> Path:
    """About 0.5 MB that no other file of the run has, so each copy takes a moment."""
    Image.frombytes("RGB", (420, 420), hashlib.shake_256(str(seed).encode()).digest(420 * 420 * 3)).save(path)
    return path


def _migrate(data_dir: Path, url: str, endpoint: str) -> subprocess.Popen[str]:
    env = {**os.environ, "ATELIER_S3_ENDPOINT": endpoint, "PYTHONUNBUFFERED": "1"}
    env.pop("ATELIER_DATA_DIR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), "storage", "migrate", "--to", url],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _keys(client: object, prefix: str) -> set[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)  # type: ignore[attr-defined]
    return {o["Key"] for page in pages for o in page.get("Contents", [])}


def test_migrate_resumes_verifies_and_the_server_serves_from_s3(store: ObjectStore, tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    lib = LibraryService(data_dir)
    try:
        lib.create_user("studio", None)
        target = Target(user_id=lib.get_user("studio").id)
        records = []
        for n in range(ASSETS):
            path = _noise_png(tmp_path / f"art{n}.png", n)
            with path.open("rb") as f:
                records.append(lib.import_stream(f, path.name, target))
        files = {asset_name(r.id, r.format): r.sha256 for r in records}
        thumbs = {thumb_name(r.id): None for r in records}
    finally:
        lib.close()
    url = f"s3://{BUCKET}/migrated"
    client = s3_client(store.endpoint)
    everything = len(files) + len(thumbs)

    # First run: kill -9 once about a third of the objects are in the store.
    first = _migrate(data_dir, url, store.endpoint)
    deadline = time.monotonic() + 120
    while len(_keys(client, "migrated/")) < everything // 3:
        assert first.poll() is None, f"finished before it could be interrupted: {first.communicate()[0]}"
        assert time.monotonic() < deadline, "the migration made no progress"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    interrupted = len(_keys(client, "migrated/"))
    assert interrupted < everything, "the migration was not interrupted halfway"

    second = _migrate(data_dir, url, store.endpoint)
    output, _ = second.communicate(timeout=300)
    assert second.returncode == 0, output
    found = re.search(r"Copied (\d+) file\(s\); (\d+) already there", output)
    assert found, output
    copied, already = int(found[1]), int(found[2])
    assert already >= interrupted // 2 - 1 and copied + already == everything, output  # resumed, not redone

    # Every object, read back from the store, has the bytes the library has.
    for name, sha in {**files, **thumbs}.items():
        key = f"migrated/assets/{name}"
        body = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        local = (data_dir / "assets" / name).read_bytes()
        assert hashlib.sha256(body).hexdigest() == (sha or hashlib.sha256(local).hexdigest()), key
        assert client.head_object(Bucket=BUCKET, Key=key)["Metadata"].get("sha256"), f"{key} not marked verified"

    # The local files gone, the server answers every download (and a range) from S3.
    shutil.move(data_dir / "assets", tmp_path / "assets-moved")
    (data_dir / "assets").mkdir()
    with live_server(data_dir, extra_args=("--storage", url, "--s3-endpoint", store.endpoint)) as srv:
        token = srv.library.create_token("studio")
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        for record in records:
            reply = session.get(f"{srv.base_url}/api/v2/assets/{record.id}", timeout=30)
            assert reply.status_code == 200 and hashlib.sha256(reply.content).hexdigest() == record.sha256
            assert session.get(f"{srv.base_url}/api/v2/assets/{record.id}/thumbnail", timeout=30).status_code == 200
        part = session.get(
            f"{srv.base_url}/api/v2/assets/{records[0].id}", headers={"Range": "bytes=10-19"}, timeout=30
        )
        assert part.status_code == 206 and len(part.content) == 10
