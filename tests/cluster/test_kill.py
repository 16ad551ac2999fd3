"""kill -9 of one instance at random moments while 8 uploaders and a desktop sync work through HAProxy."""

from __future__ import annotations

import hashlib
import io
import random
import threading
import time
import uuid
from pathlib import Path

import requests
from PIL import Image

from app.library.service import LibraryService
from app.library.sync_store import SyncStore
from app.sync.engine import ClientOptions, SyncEngine
from tests.cluster.checks import assert_consistent
from tests.cluster.cluster import Cluster

KILLS = 20
UPLOADERS = 8
DEADLINE = 120.0  # seconds: the test fails rather than hang
RETRYABLE = (502, 503, 504)
SYNC_OPTIONS = ClientOptions(timeout=(3.0, 10.0), retries=2, backoff=0.05)


def _image(n: int) -> bytes:
    """A small PNG whose bytes no other upload of the run has."""
    img = Image.new("RGB", (24, 16), (n % 256, (n // 256) % 256, 77))
    img.putpixel((0, 0), (n % 251, n % 241, n % 239))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


class Uploads:
    """Every upload of the run: Idempotency-Key -> (sha256, asset id answered with 201)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answered: dict[str, tuple[str, str]] = {}
        self.problems: list[str] = []
        self.counter = 0

    def next_number(self) -> int:
        with self.lock:
            self.counter += 1
            return self.counter


def _upload_until_answered(session: requests.Session, url: str, data: bytes, key: str, stop: float) -> str | None:
    while time.monotonic() < stop:
        try:
            reply = session.post(
                url,
                files={"file": ("tile.png", io.BytesIO(data))},
                headers={"Idempotency-Key": key},
                timeout=30,
            )
        except requests.RequestException:
            continue  # the instance died under the request: retry with the same key
        if reply.status_code == 201:
            return str(reply.json()["id"])
        if reply.status_code not in RETRYABLE:
            raise AssertionError(f"upload answered {reply.status_code}: {reply.text[:200]}")
    return None


def _uploader(cluster: Cluster, token: str, uploads: Uploads, done: threading.Event, stop: float) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    url = f"{cluster.base_url}/api/v2/upload-asset"
    try:
        while not done.is_set() and time.monotonic() < stop:
            n = uploads.next_number()
            data, key = _image(n), f"kill-{uuid.uuid4()}"
            first = _upload_until_answered(session, url, data, key, stop)
            if first is None:
                continue
            with uploads.lock:
                uploads.answered[key] = (hashlib.sha256(data).hexdigest(), first)
            if n % 3 == 0:
                # The answer "got lost": the retry (round-robin: another instance) gets the first asset.
                again = _upload_until_answered(session, url, data, key, stop)
                if again is not None and again != first:
                    uploads.problems.append(f"key {key} stored twice: {first} then {again}")
    except Exception as exc:  # reported by the test, not lost in a thread
        uploads.problems.append(repr(exc))


def _probe(url: str) -> bool:
    try:
        return requests.get(f"{url}/api/v2/server-info", timeout=0.5).status_code == 200
    except requests.RequestException:
        return False


def _killer(cluster: Cluster, done: threading.Event, stop: float) -> None:
    """One thread restarts the dead and kills one more at random moments, one serving at least.

    Victims are serving instances while two serve, else instances still starting (a crash loop).
    """
    rng = random.Random(20261202)
    kills = 0
    while time.monotonic() < stop:
        time.sleep(rng.uniform(0.2, 0.7))
        for part in cluster.instances:
            if part.process is None or part.process.poll() is not None:
                part.start()
            elif not part.ready and _probe(part.url):
                part.ready = True
        if kills >= KILLS:
            if all(p.ready for p in cluster.instances):
                break
            continue
        serving = [p for p in cluster.instances if p.ready]
        starting = [p for p in cluster.instances if not p.ready]
        victims = serving if len(serving) >= 2 else (starting if serving else [])
        if victims:
            rng.choice(victims).kill()
            kills += 1
    done.set()


def _desktop_sync(lib: LibraryService, done: threading.Event, results: list[bool]) -> None:
    while not done.is_set():
        try:
            results.append(SyncEngine(lib, options=SYNC_OPTIONS).run().ok)
        except Exception:
            results.append(False)  # an instance died under it; the next run resumes


def test_kill_nine_during_uploads_and_sync(cluster: Cluster, tmp_path: Path) -> None:
    name = f"studio_{uuid.uuid4().hex[:8]}"
    token = cluster.user(name)
    desktop = LibraryService(tmp_path / "desktop")
    try:
        for n in range(5):
            (tmp_path / f"local{n}.png").write_bytes(_image(1_000_000 + n))
        desktop.import_paths([tmp_path / f"local{n}.png" for n in range(5)])
        SyncStore(desktop).add_remote(cluster.base_url, cluster.base_url, "v2", name, token)

        uploads, done = Uploads(), threading.Event()
        stop = time.monotonic() + DEADLINE
        syncs: list[bool] = []
        threads = [
            threading.Thread(target=_uploader, args=(cluster, token, uploads, done, stop), daemon=True)
            for _ in range(UPLOADERS)
        ]
        threads.append(threading.Thread(target=_desktop_sync, args=(desktop, done, syncs), daemon=True))
        killer = threading.Thread(target=_killer, args=(cluster, done, stop), daemon=True)
        for thread in [*threads, killer]:
            thread.start()
        killer.join(timeout=DEADLINE + 60)
        for thread in threads:
            thread.join(timeout=60)

        assert sum(p.kills for p in cluster.instances) >= KILLS
        assert not uploads.problems, uploads.problems[:5]
        assert len(uploads.answered) >= 40, "too few uploads to say anything"
        for part in cluster.instances:
            part.wait_up()

        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        listed: dict[str, str] = {}
        offset = 0
        while page := session.get(f"{cluster.base_url}/api/v2/assets?limit=100&offset={offset}", timeout=30).json():
            listed.update({a["id"]: a["name"] for a in page})
            offset += len(page)
        for sha, asset_id in uploads.answered.values():
            assert asset_id in listed, f"answered 201 but not listed: {asset_id}"
            body = session.get(f"{cluster.base_url}/api/v2/assets/{asset_id}", timeout=30).content
            assert hashlib.sha256(body).hexdigest() == sha
        records = cluster.library.list_assets(limit=100_000)
        mine = [r for r in records if r.user_id == cluster.library.get_user(name).id]
        shas = [r.sha256 for r in mine]
        assert len(shas) == len(set(shas)), "an upload was stored twice"

        final = SyncEngine(desktop, options=SYNC_OPTIONS).run()
        assert final.ok, final.outcome.failed
        assert {r.sha256 for r in desktop.list_assets(limit=100_000)} == set(shas)
        assert_consistent(cluster)
    finally:
        desktop.close()
