"""Sync test helpers: real servers, real libraries, generated media, and a way to compare sides."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.library.records import AssetQuery
from app.library.service import LibraryService
from app.sync import ClientOptions, SyncEngine, SyncReport, SyncStore
from tests import media
from tests.server.live import LiveServer, live_server

PASSWORD = "correct horse"
FAST = ClientOptions(timeout=(3.0, 10.0), retries=2, backoff=0.02)


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One file of each kind, made once; tests copy them."""
    folder = tmp_path_factory.mktemp("samples")
    made = [
        media.make_jpeg(folder, 120, 80),
        media.make_png(folder, 90, 60),
        media.make_gif(folder),
        media.make_webp(folder),
        media.make_mp4(folder, 64, 48, 1.0),
        media.make_wav(folder, 1.0),
        media.make_pdf(folder, 2),
    ]
    return {s.format: s.path for s in made}


def jpegs(folder: Path, count: int, start: int = 0) -> list[Path]:
    """Distinct small JPEGs (different sizes, so different bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        media.make_jpeg(folder, 40 + start + i, 30, name=f"pic{start + i}.jpg").path
        for i in range(count)
    ]


@dataclass
class Account:
    """A user of its own on the shared server, so tests never see each other's assets."""

    srv: LiveServer
    user: str
    token: str

    @property
    def base_url(self) -> str:
        return self.srv.base_url

    @property
    def library(self) -> LibraryService:
        return self.srv.library


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("shared-server")) as srv:
        yield srv


_users = itertools.count(1)


@pytest.fixture
def server(shared_server: LiveServer) -> Account:
    name = f"user{next(_users)}"
    return Account(shared_server, name, shared_server.user(name, PASSWORD))


def open_library(path: Path) -> LibraryService:
    return LibraryService(path, workers=1)


@pytest.fixture
def libs(tmp_path: Path) -> Iterator[tuple[LibraryService, LibraryService]]:
    a, b = open_library(tmp_path / "desk-a"), open_library(tmp_path / "desk-b")
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def token_for(srv: LiveServer, user: str = "studio") -> str:
    return srv.library.create_token(user)


def connect(lib: LibraryService, url: str, token: str, name: str | None = None) -> int:
    return SyncStore(lib).add_remote(name or url, url, "v2", "studio", token).id


def sync(
    lib: LibraryService, remote: str | None = None, options: ClientOptions = FAST, **kw: object
) -> SyncReport:
    report = SyncEngine(lib, remote, options=options).run(**kw)  # type: ignore[arg-type]
    assert report.ok, report.outcome.failed
    return report


def local_state(lib: LibraryService, user_id: int | None = None) -> list[tuple[object, ...]]:
    """What must match across sides: bytes, name, tags, filing (sorted, duplicates kept)."""
    uid = lib.local_user_id if user_id is None else user_id
    campaigns = {c.id: c for c in lib.list_campaigns(None, uid)}
    clients = {c.id: c.name for c in lib.list_clients(uid)}
    out = []
    for a in lib.iter_assets(AssetQuery(user_id=uid)):
        client = a.client_name or (
            clients.get(campaigns[a.campaign_id].client_id) if a.campaign_id else None
        )
        out.append((a.sha256, a.name, tuple(a.tags or ()), client, a.campaign_name))
    return sorted(out, key=repr)


def server_state(srv: LiveServer | Account, user: str = "studio") -> list[tuple[object, ...]]:
    if isinstance(srv, Account):
        return local_state(srv.library, srv.library.get_user(srv.user).id)
    return local_state(srv.library, srv.library.get_user(user).id)


def files_intact(lib: LibraryService) -> None:
    """Every asset's file is on disk with its recorded bytes, and its thumbnail too."""
    report = lib.check()
    assert report.clean, report.issues
    for a in lib.iter_assets():
        assert lib.thumb_path(a).exists()


def copy(src: Path, dest_dir: Path, name: str) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(src, dest_dir / name))
