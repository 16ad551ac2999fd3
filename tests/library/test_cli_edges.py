"""Rough edges a newcomer hit in the CLI, each run as a user runs it: a real process."""

from __future__ import annotations

import argparse
import json
import re
import socket
from pathlib import Path

import pytest

from app.cli.main import build_parser
from app.library.service import LibraryService
from tests import media
from tests.library.test_cli import atelier


@pytest.fixture
def server_library(tmp_path: Path) -> tuple[Path, str]:
    """A library where the assets belong to a server user, not the desktop user."""
    data = tmp_path / "lib"
    with LibraryService(data, workers=1) as lib:
        user = lib.create_user("bob", "a long enough password")
        files = [media.make_jpeg(tmp_path, 40 + i, 30, name=f"b{i}.jpg").path for i in range(3)]
        report = lib.import_paths(files, lib.default_target(user_id=user.id, tags=("blue", "logo")))
        assert len(report.imported) == 3
        return data, report.imported[0].id


def test_list_show_and_check_see_a_server_users_assets(server_library: tuple[Path, str]) -> None:
    data, asset_id = server_library
    assert "0 of 0 asset(s)" in atelier(data, "list").stdout  # the desktop user has none
    mine = atelier(data, "list", "--user", "bob")
    assert mine.returncode == 0, mine.stderr
    assert "3 of 3 asset(s)" in mine.stdout
    assert "3 of 3 asset(s)" in atelier(data, "list", "--all-users").stdout
    shown = atelier(data, "show", asset_id[:8], "--user", "bob", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["id"] == asset_id
    nobody = atelier(data, "list", "--user", "carol")
    assert nobody.returncode == 1 and "carol" in nobody.stderr
    assert "Checked 3 asset(s): no problems." in atelier(data, "check", "--quick").stdout


def test_show_edit_delete_take_an_unambiguous_id_prefix(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    pic = media.make_png(tmp_path, 20, 20, name="p.png").path
    # 17 assets: at least two share their first hex digit.
    with LibraryService(data, workers=1) as lib:
        copies = []
        for i in range(17):
            copies.append(tmp_path / f"p{i}.png")
            copies[-1].write_bytes(pic.read_bytes())
        lib.import_paths(copies, lib.default_target(), allow_duplicates=True)
    ids = [a["id"] for a in json.loads(atelier(data, "list", "--json").stdout)]
    assert len(ids) == 17
    shared = next(i[0] for i in ids if sum(j[0] == i[0] for j in ids) > 1)
    ambiguous = atelier(data, "show", shared)
    assert ambiguous.returncode == 1
    assert ambiguous.stderr.strip() == (
        f"atelier: error: Several assets have an id starting with {shared!r}: give more of it"
    )
    unique = next(
        i[:n] for n in range(1, 37) for i in ids if sum(j.startswith(i[:n]) for j in ids) == 1
    )
    full = next(i for i in ids if i.startswith(unique))
    assert re.search(rf"^id +{full}$", atelier(data, "show", unique).stdout, re.M)
    edited = atelier(data, "edit", unique, "--name", "renamed.png")
    assert edited.returncode == 0 and full in edited.stdout
    gone = atelier(data, "delete", unique, "--yes")
    assert gone.returncode == 0 and "Deleted 1 asset(s)." in gone.stdout


def test_edit_creates_a_new_client_and_refuses_nothing_to_do(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    pic = media.make_png(tmp_path, 20, 20, name="p.png").path
    atelier(data, "import", str(pic), "--tag", "blue", "--tag", "logo")
    [asset] = json.loads(atelier(data, "list", "--json").stdout)
    nothing = atelier(data, "edit", asset["id"])
    assert nothing.returncode == 1
    assert "Nothing to change" in nothing.stderr and "Updated" not in nothing.stdout
    moved = atelier(data, "edit", asset["id"], "--client", "Newco", "--campaign", "Launch")
    assert moved.returncode == 0, moved.stderr
    shown = atelier(data, "show", asset["id"])
    assert "clientName" in shown.stdout and "Newco" in shown.stdout and "Launch" in shown.stdout
    # Tags read as a person writes them, not as a Python list.
    assert "blue, logo" in shown.stdout and "['" not in shown.stdout


def test_campaign_rename_takes_client_after_the_action(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    for client in ("Acme", "Globex"):
        atelier(data, "clients", "add", client)
        atelier(data, "campaigns", "add", client, "Spring")
    renamed = atelier(data, "campaigns", "rename", "--client", "Globex", "Spring", "Summer")
    assert renamed.returncode == 0, renamed.stderr
    listing = json.loads(atelier(data, "campaigns", "--json").stdout)
    assert {(c["client"], c["name"]) for c in listing} == {("Acme", "Spring"), ("Globex", "Summer")}
    gone = atelier(data, "campaigns", "delete", "Summer", "--client", "Globex", "--yes")
    assert gone.returncode == 0, gone.stderr


def test_delete_names_the_missing_id_and_deletes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "lib"
    atelier(data, "import", str(media.make_png(tmp_path, 20, 20, name="p.png").path))
    [asset] = json.loads(atelier(data, "list", "--json").stdout)
    out = atelier(data, "delete", asset["id"], "deadbeef", "--yes")
    assert out.returncode == 1
    assert "'deadbeef'" in out.stderr
    assert "1 of 1 asset(s)" in atelier(data, "list").stdout


def _options(parser: argparse.ArgumentParser, path: str):  # type: ignore[no-untyped-def]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _options(child, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction):
            yield path, "/".join(action.option_strings) or action.dest, action.help


def test_every_option_and_argument_has_help_text() -> None:
    missing = [f"{cmd}: {name}" for cmd, name, text in _options(build_parser(), "atelier") if not text]
    assert missing == []


def test_library_options_are_defined_once_and_listed_once(tmp_path: Path) -> None:
    out = atelier(tmp_path / "lib", "list", "--help")
    assert out.stdout.count("--max-size-mb MAX_SIZE_MB\n") == 1
    # Given after the command, the value is used (a parent parser, not a copy per command).
    big = media.make_png(tmp_path, 600, 600, name="big.png").path
    refused = atelier(tmp_path / "lib", "import", str(big), "--max-size-mb", "0.0001")
    assert "File too large" in refused.stdout


def test_update_check_says_why_in_words(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    out = atelier(tmp_path / "lib", "update-check", "--url", f"http://127.0.0.1:{port}/latest.json")
    assert out.returncode == 1
    assert "ConnectionError" not in out.stderr and "Error" not in out.stderr.replace("error:", "")
    assert "connection refused" in out.stderr


def test_serve_on_a_busy_port_names_it(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        out = atelier(tmp_path / "lib", "serve", "--port", str(port))
    assert out.returncode == 1
    assert f"127.0.0.1:{port}" in out.stderr and "in use" in out.stderr
    assert "Traceback" not in out.stderr


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("not a library")
    out = atelier(tmp_path, "list", "--data-dir", str(afile))
    assert out.returncode == 1
    assert out.stderr.strip() == f"atelier: error: The library folder is a file, not a folder: {afile}"
