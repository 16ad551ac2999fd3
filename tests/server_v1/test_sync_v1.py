"""Syncing a desktop library with a server that speaks only v1: faces and templates both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.library.records import AssetQuery
from app.library.service import LibraryService
from app.sync import SyncError, add_remote
from tests import media
from tests.server.live import LiveServer
from tests.server_v1.conftest import new_v1


def _import(lib: LibraryService, path: Path, purpose: str | None) -> str:
    with path.open("rb") as f:
        return lib.import_stream(f, path.name, lib.default_target(purpose=purpose)).id


def test_sync_with_a_v1_only_remote(
    v1_server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api = new_v1(v1_server)
    there = media.make_jpeg(tmp_path, 50, 40, name="server-face.jpg")
    there_t = media.make_png(tmp_path, 30, 20, name="server-template.png")
    api.upload_form(there.path, "face")
    api.upload_form(there_t.path, "template")
    api.upload_form(media.make_gif(tmp_path).path, "bucket")  # temporary: never synced

    lib_dir = tmp_path / "desk"
    base = ["--data-dir", str(lib_dir)]
    with LibraryService(lib_dir) as lib:
        face = _import(lib, media.make_jpeg(tmp_path, 70, 60, name="my-face.jpg").path, "face")
        _import(lib, media.make_webp(tmp_path, 33, 22).path, "template")
        _import(lib, media.make_jpeg(tmp_path, 20, 20, name="plain.jpg").path, None)
        _import(lib, media.make_mp4(tmp_path, 160, 120, 1.0).path, None)

    assert main([*base, "remote", "add", api.base_url, "--kind", "v1", "--api-key", "akey_wrong"]) == 1
    assert "refused the credentials" in capsys.readouterr().err
    assert main([*base, "remote", "add", api.base_url, "--api-key", api.key or ""]) == 1
    assert "--kind v1" in capsys.readouterr().err
    assert main([*base, "remote", "add", api.base_url, "--kind", "v1", "--api-key", api.key or ""]) == 0
    capsys.readouterr()

    assert main([*base, "sync"]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "skipped" not in out and "failed" not in out.lower()

    # Both sides now hold the four faces and templates, each with its purpose.
    remote = {a["name"]: a["type"] for a in api.get("/api/assets?limit=100").json()["data"]["assets"]}
    assert remote == {
        "server-face.jpg": "face",
        "server-template.png": "template",
        "my-face.jpg": "face",
        "image.webp": "template",
    }
    with LibraryService(lib_dir) as lib:
        got = {a.name: a for a in lib.iter_assets(AssetQuery(user_id=lib.local_user_id))}
        assert got["server-face.jpg"].purpose == "face"
        assert got["server-template.png"].purpose == "template"
        assert lib.file_path(got["server-face.jpg"]).read_bytes() == there.path.read_bytes()
        # What v1 cannot hold stayed here, untouched.
        assert got["plain.jpg"].purpose is None and "clip.mp4" not in remote
        assert len(got) == 6

    # Nothing left to do; then a deletion on each side travels.
    assert main([*base, "sync", "--dry-run"]) == 0
    assert "Nothing to do" in capsys.readouterr().out
    server_face = next(
        a["id"] for a in api.get("/api/assets").json()["data"]["assets"] if a["name"] == "server-face.jpg"
    )
    assert api.delete(f"/api/assets/{server_face}").status_code == 200
    with LibraryService(lib_dir) as lib:
        lib.delete_asset(face)
    assert main([*base, "sync"]) == 0, capsys.readouterr().err
    capsys.readouterr()
    remote_names = {a["name"] for a in api.get("/api/assets").json()["data"]["assets"]}
    assert remote_names == {"server-template.png", "image.webp"}
    with LibraryService(lib_dir) as lib:
        names = {a.name for a in lib.iter_assets(AssetQuery(user_id=lib.local_user_id))}
    assert names == {"server-template.png", "image.webp", "plain.jpg", "clip.mp4"}


def test_a_v1_remote_takes_an_api_key(v1_server: LiveServer, library: LibraryService) -> None:
    with pytest.raises(SyncError, match="API key"):
        add_remote(library, v1_server.base_url, username="ann", password="pw", kind="v1")
