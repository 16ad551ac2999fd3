"""A library made by a newer Atelier is refused in Atelier's own words, untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.errors import AtelierError
from app.library.errors import NewerSchema
from app.library.service import LibraryService
from tests.library.test_cli import atelier

FUTURE = "0999_future"
MESSAGE = f"This library was made by a newer version of Atelier (schema {FUTURE}); update Atelier to open it."


def stamped_by_the_future(folder: Path) -> Path:
    """A real library whose schema carries a revision this Atelier has no script for."""
    LibraryService(folder, workers=1).close()
    with sqlite3.connect(folder / "library.db") as db:
        # The newest stamp becomes one no script here defines, whatever today's heads are.
        newest = max(row[0] for row in db.execute("SELECT version_num FROM alembic_version"))
        db.execute("UPDATE alembic_version SET version_num = ? WHERE version_num = ?", (FUTURE, newest))
    return folder


def _stamps(folder: Path) -> set[str]:
    with sqlite3.connect(folder / "library.db") as db:
        return {row[0] for row in db.execute("SELECT version_num FROM alembic_version")}


def test_the_library_api_says_which_schema_and_what_to_do(tmp_path: Path) -> None:
    folder = stamped_by_the_future(tmp_path / "lib")
    before = _stamps(folder)
    with pytest.raises(NewerSchema) as caught:
        LibraryService(folder, workers=1)
    assert isinstance(caught.value, AtelierError)
    assert str(caught.value) == MESSAGE
    assert _stamps(folder) == before  # nothing migrated, nothing stamped


def test_the_cli_prints_one_line_and_exits_1(tmp_path: Path) -> None:
    folder = stamped_by_the_future(tmp_path / "lib")
    done = atelier(folder, "list")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == f"atelier: error: {MESSAGE}"


def test_scripts_the_plain_reader_cannot_read_still_give_the_same_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.library import schema_state

    folder = stamped_by_the_future(tmp_path / "lib")
    monkeypatch.setattr(schema_state, "known_revisions", lambda: None)  # Alembic decides alone
    with pytest.raises(NewerSchema, match=r"schema 0999_future\); update Atelier"):
        LibraryService(folder, workers=1)
