"""Pushes keep several uploads in flight: they overlap for real, and cancel and faults still resume cleanly."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.client import ApiClient, ServerUnreachable
from app.client.multipart import MultipartFile
from app.library.records import CancelToken
from app.sync import Cancelled, ClientOptions, SyncEngine, SyncProgress, SyncStore
from app.sync.remote import Filing, Snapshot
from tests.sync.conftest import connect, jpegs, local_state, server_state, sync
from tests.sync.faults import PASS, Fault, FaultProxy

UPLOAD = b"POST /api/v2/upload-asset"
FAULTY = ClientOptions(timeout=(2.0, 4.0), retries=2, backoff=0.01)
SLOTS = ClientOptions().parallel_uploads


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


class Rendezvous:
    """A proxy hook: holds each upload back until `want` of them are on the wire at once.

    Only uploads sent side by side can meet here; one at a time, the first waits out the
    timeout alone and `peak` stays 1. `then` runs once, when they have met. The timeout is
    shorter than the sync's read timeout, so a push that sends one at a time still finishes.
    """

    def __init__(self, want: int, then=lambda: None, timeout: float = 4.0) -> None:  # type: ignore[no-untyped-def]
        self.want = want
        self.then = then
        self.timeout = timeout
        self.waiting = 0
        self.peak = 0
        self.met = False
        self._cond = threading.Condition()

    def __call__(self) -> None:
        with self._cond:
            self.waiting += 1
            self.peak = max(self.peak, self.waiting)
            if self.waiting >= self.want and not self.met:
                self.met = True
                self.then()
                self._cond.notify_all()
            self._cond.wait_for(lambda: self.met, timeout=self.timeout)
            self.waiting -= 1


def _distinct(state: list[tuple[object, ...]]) -> bool:
    return len({row[0] for row in state}) == len(state)


def test_uploads_overlap_and_progress_stays_monotonic(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    a.import_paths(jpegs(tmp_path / "m", 9))
    meet = Rendezvous(SLOTS)
    # Every connection's first upload passes the rendezvous (each worker has its own connection).
    with FaultProxy(_port(server.base_url), lambda n: Fault("hook", 0, UPLOAD)) as proxy:
        proxy.hook = meet
        connect(a, proxy.url, server.token)
        seen: list[SyncProgress] = []
        report = sync(a, progress=seen.append)
    assert meet.met and meet.peak == SLOTS, f"at most {meet.peak} uploads were in flight at once"
    assert report.outcome.done == {"upload": 9}
    state = server_state(server)
    assert state == local_state(a) and len(state) == 9 and _distinct(state)
    assert SyncStore(a).count_links(SyncStore(a).get_remote().id) == 9

    # Progress: actions done never go back; bytes of the push only grow, up to their total.
    assert [p.done for p in seen] == sorted(p.done for p in seen)
    assert seen[-1].done == seen[-1].total == 9 and seen[-1].message == "done"
    moving = [p for p in seen if p.bytes_total]
    assert moving and len({p.bytes_total for p in moving}) == 1
    total = moving[0].bytes_total
    assert total == sum(r.size for r in a.iter_assets())
    assert [p.bytes_done for p in moving] == sorted(p.bytes_done for p in moving)
    assert moving[-1].bytes_done == total
    assert all(p.message.startswith("Uploading ") for p in moving)


def test_cancel_with_uploads_in_flight_resumes_without_duplicates(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    a.import_paths(jpegs(tmp_path / "m", 10))
    cancel = CancelToken()
    # Cancel once several uploads are on the wire, then let them through.
    meet = Rendezvous(2, then=cancel.cancel)
    with FaultProxy(_port(server.base_url), lambda n: Fault("hook", 0, UPLOAD)) as proxy:
        proxy.hook = meet
        connect(a, proxy.url, server.token)
        with pytest.raises(Cancelled):
            SyncEngine(a, options=FAULTY).run(cancel=cancel)
        assert meet.met
        store = SyncStore(a)
        remote = store.get_remote()
        assert remote.last_status == "cancelled"
        # Only uploads in flight may have landed (one whose body was still being sent when
        # Cancel came is cut short); each that landed is linked, only those started but not
        # landed stay journalled (the ones never sent are plain new uploads next time).
        landed = len(server_state(server))
        assert landed <= SLOTS
        assert store.count_links(remote.id, "linked") == landed
        assert store.count_links(remote.id, "uploading") <= SLOTS - landed

        proxy.choose = lambda n: PASS
        report = sync(a, options=FAULTY)
        assert sync(a, options=FAULTY).plan.visible() == []
    assert report.outcome.done == {"upload": 10 - landed}
    state = server_state(server)
    assert state == local_state(a) and len(state) == 10 and _distinct(state)
    assert server.library.check().clean


def test_a_lost_answer_among_uploads_in_flight_is_not_stored_twice(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    a.import_paths(jpegs(tmp_path / "m", 8))
    # Connection 0 plans; 1..SLOTS are the uploaders'. One of those carries its first upload
    # to the server and loses the answer: the retry (same key) must get the same asset.
    cut = 2
    with FaultProxy(
        _port(server.base_url), lambda n: Fault("cut-down", 0, UPLOAD) if n == cut else PASS
    ) as proxy:
        connect(a, proxy.url, server.token)
        report = sync(a, options=FAULTY)
        assert proxy.connections >= SLOTS + 2  # the planner's, the uploaders', and the retry's
    assert report.outcome.done == {"upload": 8}
    state = server_state(server)
    assert state == local_state(a) and len(state) == 8 and _distinct(state)


def test_uploads_cut_until_the_sync_gives_up_resume_without_duplicates(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    a.import_paths(jpegs(tmp_path / "m", 8))
    # Every upload reaches the server and every answer is lost: the sync stops as offline.
    with FaultProxy(
        _port(server.base_url), lambda n: Fault("cut-down", 0, UPLOAD) if n >= 1 else PASS
    ) as proxy:
        connect(a, proxy.url, server.token)
        with pytest.raises(ServerUnreachable):
            SyncEngine(a, options=FAULTY).run()
        store = SyncStore(a)
        remote = store.get_remote()
        assert remote.last_status == "offline"
        landed = len(server_state(server))
        assert 1 <= landed < 8 and _distinct(server_state(server))
        assert store.count_links(remote.id, "linked") == 0

        proxy.choose = lambda n: PASS
        sync(a, options=FAULTY)
    state = server_state(server)
    assert state == local_state(a) and len(state) == 8 and _distinct(state)
    assert SyncStore(a).count_links(remote.id, "linked") == 8


def test_server_takes_an_upload_while_another_is_still_arriving(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Nothing server-wide is held while an upload streams in: a second one completes meanwhile."""
    first, second = jpegs(tmp_path / "m", 2)
    body = MultipartFile([], "file", first, first.name, "image/jpeg")
    data = body.read(body.length)
    body.close()
    host = urlsplit(server.base_url)
    head = (
        f"POST /api/v2/upload-asset HTTP/1.1\r\nHost: {host.netloc}\r\n"
        f"Authorization: Bearer {server.token}\r\nContent-Type: {body.content_type}\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection((host.hostname, host.port), timeout=10) as slow:
        slow.sendall(head + data[: len(data) // 2])
        with ApiClient(server.base_url, server.token, timeout=(3.0, 10.0), retries=0) as api:
            assert api.upload(second).name == second.name
        slow.sendall(data[len(data) // 2 :])
        answer = slow.recv(65536)
    assert answer.startswith(b"HTTP/1.1 201")
    assert len(server_state(server)) == 2


def test_batched_bookkeeping_matches_one_row_at_a_time(libs) -> None:  # type: ignore[no-untyped-def]
    one, many = libs
    base = Snapshot("pic.jpg", ("a",), Filing())
    # Later rows replace earlier ones that share the asset or the remote asset.
    rows = [
        ("asset-1", "remote-1", "sha-1", base, None),
        ("asset-2", "remote-2", "sha-2", base, None),
        ("asset-1", "remote-3", "sha-1", Snapshot("renamed", (), None), None),
        ("asset-3", "remote-2", "sha-3", base, None),
    ]
    stores = []
    for lib in (one, many):
        rid = connect(lib, "http://127.0.0.1:9", "token")
        store = SyncStore(lib)
        journal = store.begin_uploads(rid, [("asset-1", "sha-1", base), ("asset-4", "sha-4", base)])
        again = store.begin_uploads(rid, [("asset-4", "sha-4", base), ("asset-1", "sha-1", base)])
        # A journalled upload keeps its key, so a resumed one is never stored twice.
        assert [l.idem_key for l in again] == [journal[1].idem_key, journal[0].idem_key]
        assert all(l.state == "uploading" and l.idem_key for l in journal)
        if lib is one:
            for row in rows:
                store.set_linked(rid, *row)
        else:
            store.set_linked_many(rid, rows)
        stores.append((store, rid))

    def view(store: SyncStore, rid: int) -> list[tuple[object, ...]]:
        return sorted(
            (l.asset_id, l.remote_asset_id, l.state, l.sha256, l.base) for l in store.links(rid)
        )

    (s1, r1), (s2, r2) = stores
    assert view(s1, r1) == view(s2, r2)
    assert {(l.asset_id, l.remote_asset_id) for l in s2.links(r2) if l.state == "linked"} == {
        ("asset-1", "remote-3"),
        ("asset-3", "remote-2"),
    }
    found = s2.links_for_assets(r2, ["asset-1", "asset-4", "nothing"])
    assert set(found) == {"asset-1", "asset-4"} and found["asset-4"].state == "uploading"
