"""`atelier users`, `atelier tokens` and `atelier serve` as a person or a script runs them."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from app.cli.main import main
from app.library.errors import AuthenticationFailed
from app.library.service import LibraryService
from tests.server.live import REPO_ROOT


def _atelier(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ATELIER_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(data_dir), *args],
        input=stdin if stdin is not None else "",
        capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=120,
    )  # fmt: skip


def _run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    """The CLI in this process (fast); stdin-driven commands go through _atelier instead."""
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out.strip(), err.strip()


def test_users_and_tokens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lib_dir = tmp_path / "lib"
    added = _atelier(lib_dir, "users", "add", "studio", "--password-stdin", stdin="correct horse\n")
    assert added.returncode == 0 and added.stdout.strip() == "Created user studio", added.stderr
    empty = _atelier(lib_dir, "users", "add", "other", "--password-stdin", stdin="\n")
    assert empty.stderr.strip() == "atelier: error: A password cannot be empty"
    assert _run(capsys, lib_dir, "users", "add", "other") == (
        1, "", "atelier: error: No terminal to ask for a password: use --password-stdin"
    )
    assert "studio" in _run(capsys, lib_dir, "users", "list")[1]

    code, token, _ = _run(capsys, lib_dir, "tokens", "create", "studio", "--label", "laptop")
    assert code == 0 and re.fullmatch(r"atk_[A-Za-z0-9_-]{40,}", token)
    with LibraryService(lib_dir) as lib:
        assert lib.user_for_token(token).username == "studio"
        assert lib.authenticate("studio", "correct horse").username == "studio"
    # Only the hash is stored.
    assert token.encode() not in (lib_dir / "library.db").read_bytes()
    listed = _run(capsys, lib_dir, "tokens", "list", "studio")[1]
    assert "laptop" in listed and "active" in listed

    assert _run(capsys, lib_dir, "tokens", "revoke", token) == (0, "Token revoked", "")
    assert _run(capsys, lib_dir, "tokens", "revoke", token)[2].startswith("atelier: error: No such active token")
    second = _run(capsys, lib_dir, "tokens", "create", "studio")[1]
    assert _run(capsys, lib_dir, "tokens", "revoke-all", "studio")[1] == "Revoked 1 token(s) of studio"
    assert _atelier(lib_dir, "users", "passwd", "studio", "--password-stdin", stdin="a new passphrase\n").returncode == 0
    with LibraryService(lib_dir) as lib:
        for dead in (token, second):
            with pytest.raises(AuthenticationFailed):
                lib.user_for_token(dead)
        assert lib.authenticate("studio", "a new passphrase").username == "studio"
    assert _run(capsys, lib_dir, "tokens", "create", "nobody")[2].startswith("atelier: error: No user named 'nobody'")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_prints_its_address_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ATELIER_DATA_DIR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "lib"), "serve", "--host", "127.0.0.1",
         "--port", "0"],
        cwd=REPO_ROOT, env={**env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.fullmatch(r"Serving on (http://127\.0\.0\.1:\d+)\n", first)
        assert match, first
        info = requests.get(match.group(1) + "/api/v2/server-info", timeout=30)
        assert info.status_code == 200
        docs = requests.get(match.group(1) + "/openapi.json", timeout=30).json()
        assert "/api/v2/upload-asset" in docs["paths"]
        process.send_signal(stop)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    if stop == signal.SIGINT:
        assert output.rstrip().endswith("Server stopped")


def test_serve_reports_a_bad_database_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, tmp_path / "lib", "--db-url", "postgresql+psycopg://nobody@127.0.0.1:1/none", "serve")
    assert code == 1 and err.startswith("atelier: error: Cannot open the database: ")
    assert len(err.splitlines()) == 1


def test_the_desktop_starts_the_server_with_a_local_token(tmp_path: Path) -> None:
    """What the window does: a token for the "local" user, then `serve` over the same folder."""
    from tests.server.live import live_server

    with live_server(tmp_path / "lib") as live:
        assert live.library.local_user_id > 0  # created on first use
        token = live.library.create_token("local")
        listed = requests.get(
            live.base_url + "/api/v2/assets", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert listed.status_code == 200 and listed.json() == []


def test_serve_with_two_workers(tmp_path: Path, samples: dict) -> None:  # type: ignore[type-arg]
    from tests.server.live import live_server

    with live_server(tmp_path / "lib", workers=2) as live:
        token = live.user("studio")
        headers = {"Authorization": f"Bearer {token}"}
        ids = []
        for fmt in ("png", "jpg", "pdf"):
            with samples[fmt].path.open("rb") as f:
                response = requests.post(
                    live.base_url + "/api/v2/upload-asset", headers=headers, files={"file": f}, timeout=60
                )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        for _ in range(4):  # whichever worker answers sees the same library
            listed = requests.get(live.base_url + "/api/v2/assets", headers=headers, timeout=30).json()
            assert sorted(a["id"] for a in listed) == sorted(ids)
