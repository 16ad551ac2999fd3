"""Interrupted syncs resume: a server killed mid-upload, lost answers, cut downloads, 500s and timeouts."""

from __future__ import annotations

import random
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.client import ServerUnreachable
from app.core.errors import AtelierError
from app.library.records import AssetChanges
from app.library.service import LibraryService
from app.sync import ClientOptions, SyncEngine, SyncStore
from tests import media
from tests.server.live import live_server
from tests.sync.conftest import (
    PASSWORD,
    connect,
    files_intact,
    jpegs,
    local_state,
    open_library,
    server_state,
    sync,
)
from tests.sync.faults import PASS, Fault, FaultProxy

# Short timeouts so a silent connection costs little; still room for a busy machine.
FAULTY = ClientOptions(timeout=(2.0, 4.0), retries=2, backoff=0.01)
ONE_RETRY = ClientOptions(timeout=(2.0, 4.0), retries=1, backoff=0.01)
UPLOAD = b"POST /api/v2/upload-asset"


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def _distinct(state: list[tuple[object, ...]]) -> bool:
    return len({row[0] for row in state}) == len(state)


def _staging_empty(lib: LibraryService) -> bool:
    return not any(lib.storage.staging_dir.iterdir())


def test_server_killed_mid_upload_resumes_without_duplicates(tmp_path: Path) -> None:
    a = open_library(tmp_path / "a")
    try:
        (tmp_path / "m").mkdir()
        big = media.make_wav(tmp_path / "m", seconds=30.0, name="long.wav")  # about 1.3 MB
        a.import_paths([big.path, *jpegs(tmp_path / "m", 2)])
        with live_server(tmp_path / "srv") as srv:
            token = srv.user("studio", PASSWORD)
            proxy = FaultProxy(_port(srv.base_url), lambda n: Fault("hook", 400_000, UPLOAD))
            proxy.hook = srv.process.kill
            connect(a, proxy.url, token)
            with pytest.raises(ServerUnreachable):
                SyncEngine(a, options=FAULTY).run()
            srv.process.wait(10)
            assert srv.process.returncode is not None
        assert SyncStore(a).get_remote().last_status == "offline"
        with live_server(tmp_path / "srv") as again:
            proxy.target_port = _port(again.base_url)
            proxy.choose = lambda n: PASS
            sync(a, options=FAULTY)
            assert server_state(again) == local_state(a)
            assert len(local_state(a)) == 3 and _distinct(server_state(again))
            assert again.library.check().clean
        proxy.close()
    finally:
        a.close()


def test_lost_answers_to_uploads_are_not_uploaded_twice(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    a.import_paths(jpegs(tmp_path / "m", 3))
    # The first two connections carry an upload to the server but lose its answer.
    with FaultProxy(
        _port(server.base_url), lambda n: Fault("cut-down", 0, UPLOAD) if n < 2 else PASS
    ) as proxy:
        connect(a, proxy.url, server.token)
        sync(a, options=FAULTY)
        assert proxy.connections >= 3
    state = server_state(server)
    assert state == local_state(a) and len(state) == 3 and _distinct(state)


def test_cut_downloads_keep_nothing_half_done(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    (tmp_path / "m").mkdir()
    big = media.make_wav(tmp_path / "m", seconds=20.0, name="long.wav")
    a.import_paths([big.path])
    connect(a, server.base_url, server.token)
    sync(a)
    asset_id = next(iter(server.library.iter_assets())).id
    get_file = f"GET /api/v2/assets/{asset_id} ".encode()
    with FaultProxy(_port(server.base_url), lambda n: Fault("cut-down", 200_000, get_file)) as proxy:
        connect(b, proxy.url, server.token)
        for _ in range(2):
            with pytest.raises(ServerUnreachable):
                SyncEngine(b, options=FAULTY).run()
            assert b.count_assets() == 0 and _staging_empty(b)
        proxy.choose = lambda n: PASS
        sync(b, options=FAULTY)
    assert local_state(b) == local_state(a)
    files_intact(b)


def _faults(seed: int):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)

    def choose(n: int) -> Fault:
        roll = rng.random()
        if roll < 0.45:
            # Kept-alive connections would carry every later request untouched: give each
            # one a byte budget, after which it is cut wherever it is.
            return Fault("cut-down", rng.randint(20_000, 400_000))
        if roll < 0.6:
            return Fault("cut-down", rng.choice([0, 300, 5_000, 60_000]))
        if roll < 0.75:
            return Fault("cut-up", rng.choice([200, 3_000, 40_000]))
        if roll < 0.95:
            return Fault("500")
        return Fault("stall")

    return choose


def test_random_faults_end_byte_for_byte_equal(server, libs, tmp_path: Path, samples: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    a.import_paths([samples["jpg"], samples["mp4"], samples["pdf"], *jpegs(tmp_path / "a", 3)])
    b.import_paths([samples["wav"], samples["png"], *jpegs(tmp_path / "b", 3, start=20)])
    with FaultProxy(_port(server.base_url), _faults(1)) as proxy:
        connect(a, proxy.url, server.token)
        connect(b, proxy.url, server.token)
        failures = 0
        for round_no in range(6):
            proxy.choose = _faults(round_no)
            if round_no == 3:
                # Edits and deletions while the network misbehaves.
                mine = next(r for r in a.iter_assets() if r.name == "photo.jpg")
                a.update_asset(mine.id, AssetChanges(name="renamed in the storm"))
                victim = next(r for r in b.iter_assets() if r.format == "png")
                b.delete_asset(victim.id)
            for lib in (a, b):
                try:
                    report = SyncEngine(lib, options=ONE_RETRY).run()
                    failures += not report.ok
                except AtelierError:
                    failures += 1
        assert failures, "the faults should have broken some syncs"
        proxy.choose = lambda n: PASS
        for lib in (a, b, a, b):
            sync(lib, options=FAULTY)
    want = local_state(a)
    assert local_state(b) == want == server_state(server)
    assert _distinct(want) and len(want) == 10
    assert any(row[1] == "renamed in the storm" for row in want)
    for lib in (a, b):
        files_intact(lib)
        assert _staging_empty(lib)


def test_a_download_cut_inside_its_headers_is_resumed_not_skipped(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    connect(a, server.base_url, server.token)
    a.import_paths(jpegs(tmp_path / "m", 1))
    sync(a)
    port = urlsplit(server.base_url).port
    assert port is not None
    with FaultProxy(port) as proxy:
        connect(b, proxy.url, server.token)
        # 1221 bytes of answers: the plan's requests get through, the download's headers do not.
        proxy.choose = lambda n: Fault("cut-down", 1221)
        options = ClientOptions(timeout=(3.0, 10.0), retries=1, backoff=0.01)
        try:
            report = SyncEngine(b, options=options).run()
        except ServerUnreachable:
            pass
        else:
            assert not report.outcome.skipped, report.outcome.skipped
        proxy.choose = lambda n: PASS
        sync(b)
    assert [l.state for l in SyncStore(b).links(SyncStore(b).get_remote().id)] == ["linked"]
    assert local_state(b) == local_state(a)
