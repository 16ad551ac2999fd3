"""The sync commands: remote add/list/remove, sync (--dry-run, --force), sync status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.main import main
from app.library.service import LibraryService
from app.sync import SyncStore
from tests.server.live import REPO_ROOT
from tests.sync.conftest import PASSWORD, jpegs


def _cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ATELIER_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )


def test_remote_add_with_a_password_and_the_token_is_kept_private(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    desk = tmp_path / "desk"
    no_tty = _cli(desk, "remote", "add", server.base_url, "--user", server.user, stdin="")
    assert no_tty.returncode == 1
    assert no_tty.stderr.strip() == (
        "atelier: error: No terminal to ask for a password: use --password-stdin or --token"
    )
    wrong = _cli(desk, "remote", "add", server.base_url, "--user", server.user, "--password-stdin", stdin="bad\n")
    assert wrong.returncode == 1 and "Wrong user name or password" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    ok = _cli(desk, "remote", "add", server.base_url, "--user", server.user, "--password-stdin", stdin=PASSWORD + "\n")
    assert ok.returncode == 0, ok.stderr
    with LibraryService(desk) as lib:
        [remote] = SyncStore(lib).list_remotes()
        assert remote.username == server.user and remote.token and PASSWORD not in remote.token
        server.library.user_for_token(remote.token)  # a real token of that user
    assert (desk / "library.db").stat().st_mode & 0o077 == 0
    again = _cli(desk, "remote", "add", server.base_url + "/", "--token", "x")
    assert again.returncode == 1 and "already a remote" in again.stderr
    offline = _cli(desk, "remote", "add", "http://127.0.0.1:9", "--token", "x")
    assert offline.returncode == 1 and "Cannot reach http://127.0.0.1:9" in offline.stderr


def test_sync_commands(server, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    desk = str(tmp_path / "desk")
    other = str(tmp_path / "other")
    assert main(["--data-dir", desk, "remote", "add", server.base_url, "--token", "bad-token"]) == 1
    assert "refused the credentials" in capsys.readouterr().err
    for d in (desk, other):
        assert main(["--data-dir", d, "remote", "add", server.base_url, "--token", server.token, "--name", "studio"]) == 0
    assert main(["--data-dir", desk, "import", *map(str, jpegs(tmp_path / "m", 4))]) == 0
    capsys.readouterr()

    assert main(["--data-dir", desk, "sync", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Plan: 4 to upload" in out and out.count("upload          pic") == 4
    assert "Dry run: nothing was changed." in out
    assert main(["--data-dir", desk, "sync", "status"]) == 0
    assert "  4 to upload\n" in capsys.readouterr().out

    assert main(["--data-dir", desk, "sync"]) == 0
    out = capsys.readouterr().out
    assert "[1/4] Uploading pic" in out and "Done: 4 uploaded" in out
    assert main(["--data-dir", other, "sync", "--remote", "studio"]) == 0
    assert "Done: 0 uploaded, 4 downloaded" in capsys.readouterr().out
    assert main(["--data-dir", desk, "sync", "status"]) == 0
    out = capsys.readouterr().out
    assert "in sync" in out and "last sync: never" not in out

    # Deleting most of the library: the sync stops and asks for --force.
    with LibraryService(Path(other)) as lib:
        for asset in list(lib.iter_assets())[:3]:
            lib.delete_asset(asset.id)
    assert main(["--data-dir", other, "sync"]) == 1
    captured = capsys.readouterr()
    assert "would delete 3 of the 4 assets on the server" in captured.err
    assert "--force" in captured.err
    assert main(["--data-dir", other, "sync", "--force"]) == 0
    assert "3 deleted on the server" in capsys.readouterr().out

    assert main(["--data-dir", desk, "remote", "list"]) == 0
    assert "studio" in capsys.readouterr().out
    assert main(["--data-dir", desk, "remote", "remove", "studio"]) == 0
    assert main(["--data-dir", desk, "sync"]) == 1
    assert "No remote yet" in capsys.readouterr().err
