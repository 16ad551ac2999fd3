"""Release checks: version order, the document's rules, the CLI and the window's notice."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import __version__
from app.cli.main import main
from app.client import updates
from app.client.updates import Release, UpdateCheckFailed, version_key
from tests.packaging.release_server import ReleaseServer, release_server


@pytest.fixture
def server() -> Iterator[ReleaseServer]:
    with release_server() as s:
        yield s


@pytest.fixture(autouse=True)
def no_configured_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(updates.ENV_VAR, raising=False)


def document(version: str, url: str = "https://example.com/atelier/download") -> str:
    return json.dumps({"version": version, "url": url})


@pytest.mark.parametrize(
    ("older", "newer"),
    [("0.1.0", "0.2.0"), ("1.2", "1.10"), ("1.2.0rc1", "1.2.0"), ("1.2.0a2", "1.2.0b1"),
     ("1.2.0b1", "1.2.0rc1"), ("1.9.9", "2"), ("v1.0.0", "1.0.1")],
)  # fmt: skip
def test_versions_sort_as_releases_do(older: str, newer: str) -> None:
    assert version_key(older) < version_key(newer)


def test_trailing_zeros_do_not_make_a_release_newer() -> None:
    assert version_key("1.2") == version_key("1.2.0") == version_key("v1.2.0.0")
    assert not Release("1.2", "https://x.test/", current="1.2.0").is_newer


@pytest.mark.parametrize("bad", ["", "latest", "1..2", "1.2-final", "<script>"])
def test_a_version_that_is_not_one_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        version_key(bad)


def test_a_newer_release_is_reported_with_its_link(server: ReleaseServer) -> None:
    server.answer(document("99.0.0"))
    release = updates.check(server.url)
    assert release.is_newer and release.version == "99.0.0" and release.current == __version__
    assert release.message() == (
        f"Atelier 99.0.0 is available (you have {__version__}): https://example.com/atelier/download"
    )


def test_the_same_release_is_up_to_date(server: ReleaseServer) -> None:
    server.answer(document(__version__))
    release = updates.check(server.url)
    assert not release.is_newer
    assert release.message() == f"Atelier {__version__} is up to date."


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (document("2.0.0"), 404, "HTTP 404"),
        ("<html>not json</html>", 200, "did not answer with JSON"),
        ("[1, 2]", 200, "release document"),
        (json.dumps({"version": "2.0.0"}), 200, '"version" and "url"'),
        (document("soon"), 200, "names no version"),
        (document("2.0.0", url="file:///etc/passwd"), 200, "not a web address"),
        (document("2.0.0", url="javascript:alert(1)"), 200, "not a web address"),
        ("x" * (updates.MAX_BYTES + 10), 200, "far more than"),
    ],
)
def test_a_bad_answer_is_one_clear_error(server: ReleaseServer, body: str, status: int, reason: str) -> None:
    server.answer(body, status)
    with pytest.raises(UpdateCheckFailed, match=reason):
        updates.check(server.url)


def test_an_unreachable_address_is_one_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once the socket is closed
    with pytest.raises(UpdateCheckFailed, match="Could not reach"):
        updates.check(f"http://127.0.0.1:{port}/latest.json")


def test_only_web_addresses_are_asked() -> None:
    with pytest.raises(UpdateCheckFailed, match="http:// or https://"):
        updates.check("file:///tmp/latest.json")


def test_the_environment_wins_over_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.settings import AtelierSettings

    monkeypatch.delenv(updates.ENV_VAR, raising=False)
    unset = AtelierSettings().update_url
    assert updates.configured_url(None, override=unset) is None
    assert updates.configured_url("  ", override=unset) is None
    assert updates.configured_url("https://a.test/r.json", override=unset) == "https://a.test/r.json"
    monkeypatch.setenv(updates.ENV_VAR, "https://env.test/r.json")
    env = AtelierSettings().update_url
    assert updates.configured_url("https://a.test/r.json", override=env) == "https://env.test/r.json"


# --- the command line ------------------------------------------------------------------


def test_cli_says_checks_are_off_without_an_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path / "lib"), "update-check"]) == 0
    assert "Update checks are off" in capsys.readouterr().out


def test_cli_reports_a_newer_release(
    tmp_path: Path, server: ReleaseServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answer(document("99.1"))
    data = str(tmp_path / "lib")
    assert main(["--data-dir", data, "update-check", "--set-url", server.url]) == 0
    assert main(["--data-dir", data, "update-check"]) == 0
    out = capsys.readouterr().out
    assert "Atelier 99.1 is available" in out and "does not update itself" in out
    assert main(["--data-dir", data, "update-check", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result == {
        "enabled": True, "current": __version__, "latest": "99.1",
        "url": "https://example.com/atelier/download", "updateAvailable": True,
    }  # fmt: skip
    assert main(["--data-dir", data, "update-check", "--set-url", ""]) == 0
    assert main(["--data-dir", data, "update-check"]) == 0
    assert "Update checks are off" in capsys.readouterr().out
    assert server.requests == 2


def test_cli_failure_is_one_line_and_exit_1(
    tmp_path: Path, server: ReleaseServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.answer("nope", 500)
    assert main(["--data-dir", str(tmp_path / "lib"), "update-check", "--url", server.url]) == 1
    err = capsys.readouterr().err
    assert err == "atelier: error: The update address answered HTTP 500\n"


def test_cli_refuses_an_address_that_is_not_a_web_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data-dir", str(tmp_path / "lib"), "update-check", "--set-url", "ftp://x"]) == 1
    assert "must start with http:// or https://" in capsys.readouterr().err
