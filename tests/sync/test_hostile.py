"""A hostile server never overwrites a good local file, never gets a bad file in, never gets the token elsewhere."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from app.library.service import LibraryService
from app.sync import SyncEngine, SyncStore
from tests import media
from tests.sync.conftest import FAST, connect
from tests.sync.hostile import HostileServer, TokenCatcher

TOKEN = "not-for-other-hosts"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _jpeg(folder: Path, width: int, name: str) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    return media.make_jpeg(folder, width, 40, name=name).path.read_bytes()


def _file_shas(lib: LibraryService) -> dict[str, str]:
    return {a.id: _sha(lib.file_path(a).read_bytes()) for a in lib.iter_assets()}


def test_hostile_feed_server(tmp_path: Path) -> None:
    lib = LibraryService(tmp_path / "lib", workers=1, max_bytes=150_000)
    catcher, srv = TokenCatcher(), HostileServer(TOKEN, feed=True)
    try:
        good = lib.import_paths([media.make_png(_dir(tmp_path / "own"), 80, 60).path]).imported[0]
        before = _file_shas(lib)
        announced, sent = _jpeg(tmp_path / "m", 50, "a.jpg"), _jpeg(tmp_path / "m", 51, "b.jpg")
        huge = _jpeg(tmp_path / "m", 52, "c.jpg") + b"\0" * 300_000
        ids = [str(uuid.uuid4()) for _ in range(3)]
        srv.add(ids[0], "wrong.jpg", "jpg", sent, sha256=_sha(announced))
        srv.add(ids[1], "huge.jpg", "jpg", huge, announced_size=2_000, sha256=_sha(huge))
        srv.add(ids[2], "moved.jpg", "jpg", sent, sha256=_sha(sent), redirect_to=f"{catcher.url}/steal")
        # An asset claiming the good local asset's id, with other bytes.
        srv.add(good.id, "impostor.jpg", "jpg", announced, sha256=_sha(announced))
        connect(lib, srv.url, TOKEN)

        report = SyncEngine(lib, options=FAST).run()

        failed = "\n".join(report.outcome.failed)
        assert "other bytes than it announced" in failed
        assert "redirected to another host" in failed
        assert any("File too large. Maximum size is 0.1MB" in s for s in report.outcome.skipped)
        assert SyncStore(lib).get_remote().last_status == "error"
        assert catcher.record.seen == []  # the redirect was never followed
        assert set(srv.record.tokens()) == {f"Bearer {TOKEN}"}
        # The good file is untouched; the impostor came in under an id of its own.
        after = _file_shas(lib)
        assert after[good.id] == before[good.id] == good.sha256
        assert sorted(a.name for a in lib.iter_assets()) == ["impostor.jpg", "logo.png"]
        assert lib.check().clean and not any(lib.storage.staging_dir.iterdir())

        # Next time the lies are still refused; the oversized file is not fetched again.
        report = SyncEngine(lib, options=FAST).run()
        assert len(report.outcome.failed) == 2
        assert not any(f"/api/v2/assets/{ids[1]}" in p for _, p, _ in srv.record.seen[-6:])
        assert lib.count_assets() == 2
    finally:
        srv.close()
        catcher.close()
        lib.close()


def test_hostile_spec_only_server(tmp_path: Path) -> None:
    lib = LibraryService(tmp_path / "lib", workers=1)
    catcher, srv = TokenCatcher(), HostileServer(TOKEN, feed=False)
    try:
        png = media.make_png(_dir(tmp_path / "m"), 30, 30, name="x.png").path.read_bytes()
        jpg = _jpeg(tmp_path / "m", 44, "y.jpg")
        srv.add(str(uuid.uuid4()), "claims-jpeg.jpg", "jpg", png)
        srv.add(str(uuid.uuid4()), "elsewhere.jpg", "jpg", jpg, redirect_to=f"{catcher.url}/x")
        srv.add(str(uuid.uuid4()), "fine.jpg", "jpg", jpg, width=44, height=40)
        connect(lib, srv.url, TOKEN)
        report = SyncEngine(lib, options=FAST).run()
        assert report.plan.mode == "list"
        failed = "\n".join(report.outcome.failed)
        assert "a png file" in failed and "redirected to another host" in failed
        assert [a.name for a in lib.iter_assets()] == ["fine.jpg"]
        assert catcher.record.seen == []
    finally:
        srv.close()
        catcher.close()
        lib.close()


def _dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
