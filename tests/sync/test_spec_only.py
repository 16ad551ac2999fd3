"""Against a server with none of our extensions, sync works by listing and diffing."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.client import ServerUnreachable
from app.library.records import AssetChanges, AssetQuery
from app.library.service import LibraryService
from app.sync import ClientOptions, SyncEngine
from tests.sync.conftest import connect, files_intact, jpegs, sync
from tests.sync.faults import PASS, Fault, FaultProxy
from tests.sync.spec_server import spec_server


def _files(lib: LibraryService, user_id: int | None = None) -> list[tuple[str, str]]:
    uid = lib.local_user_id if user_id is None else user_id
    return sorted((a.sha256, a.name) for a in lib.iter_assets(AssetQuery(user_id=uid)))


def test_two_libraries_converge_through_a_spec_only_server(libs, tmp_path: Path, samples: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    a, b = libs
    with spec_server(tmp_path / "spec") as srv:
        connect(a, srv.url, srv.token)
        connect(b, srv.url, srv.token)
        a.import_paths([samples["jpg"], samples["pdf"], *jpegs(tmp_path / "a", 2)])
        b.import_paths([samples["png"], samples["mp4"]])
        report = sync(a)
        assert report.plan.mode == "list" and "only the spec" in report.plan.caps.server
        sync(b)
        sync(a)
        assert _files(a) == _files(b) and len(_files(a)) == 6
        # The same file imported on both sides before syncing is matched, not doubled.
        a.import_paths([samples["webp"]])
        b.import_paths([samples["webp"]])
        sync(a)
        report = sync(b)
        assert report.outcome.done.get("link") == 1
        # Deletions on either side; an edit the server cannot take stays local, no error.
        a.delete_asset(next(r for r in a.iter_assets() if r.format == "pdf").id)
        b.delete_asset(next(r for r in b.iter_assets() if r.format == "mp4").id)
        a.update_asset(next(r for r in a.iter_assets() if r.format == "png").id, AssetChanges(tags=["x"]))
        for lib in (a, b, a, b):
            sync(lib)
        assert _files(a) == _files(b) == _files(srv.lib, srv.lib.get_user("studio").id)
        assert len(_files(a)) == 5
        assert not sync(a).plan.visible() and not sync(b).plan.visible()
        assert SyncEngine(a).pending_here() == 1  # the tag edit, kept here
        for lib in (a, b):
            files_intact(lib)


def test_lost_upload_answer_without_idempotency_is_matched_not_repeated(libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, _ = libs
    a.import_paths(jpegs(tmp_path / "m", 1))
    with spec_server(tmp_path / "spec") as srv:
        port = urlsplit(srv.url).port
        assert port is not None
        upload = b"POST /api/v2/upload-asset"
        with FaultProxy(port, lambda n: Fault("cut-down", 0, upload)) as proxy:
            connect(a, proxy.url, srv.token)
            options = ClientOptions(timeout=(2.0, 4.0), retries=1, backoff=0.01)
            with pytest.raises(ServerUnreachable):
                SyncEngine(a, options=options).run()
            assert srv.lib.count_assets() == 1  # it did land
            proxy.choose = lambda n: PASS
            report = sync(a, options=options)
            assert report.outcome.done == {"link": 1}
        assert srv.lib.count_assets() == 1
