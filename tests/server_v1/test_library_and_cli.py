"""Persons over the library, the purpose filter, both migration heads, and `atelier keys`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from app.cli.main import main
from app.library.errors import AuthenticationFailed, InvalidInput, NotFound
from app.library.persons import PersonService
from app.library.records import AssetQuery, AssetRecord
from app.library.service import LibraryService, Target
from tests.media import make_jpeg, make_png


def _import(
    lib: LibraryService, path: Path, purpose: str | None, user_id: int | None = None
) -> AssetRecord:
    uid = lib.local_user_id if user_id is None else user_id
    with path.open("rb") as f:
        return lib.import_stream(f, path.name, Target(user_id=uid, purpose=purpose))


def test_both_migration_branches_apply(library: LibraryService) -> None:
    tables = set(inspect(library._reader).get_table_names())
    assert {"persons", "person_images", "sync_remotes"} <= tables


def test_has_purpose_filter(library: LibraryService, media_dir: Path) -> None:
    face = _import(library, make_jpeg(media_dir).path, "face")
    template = _import(library, make_png(media_dir).path, "template")
    _import(library, make_jpeg(media_dir, name="plain.jpg", width=30).path, None)
    uid = library.local_user_id
    assert {r.id for r in library.list_assets(AssetQuery(user_id=uid, has_purpose=True))} == {
        face.id,
        template.id,
    }
    assert [r.id for r in library.list_assets(AssetQuery(user_id=uid, purpose="face"))] == [face.id]


def test_persons_are_made_of_the_users_face_assets(library: LibraryService, media_dir: Path) -> None:
    persons = PersonService(library)
    uid = library.local_user_id
    other = library.create_user("other", None).id
    face = _import(library, make_jpeg(media_dir).path, "face")
    template = _import(library, make_png(media_dir).path, "template")
    foreign = _import(library, make_jpeg(media_dir, name="o.jpg", width=20).path, "face", other)
    person = persons.create(uid, "  Ann   Lee ", [face.id, face.id])
    assert person.name == "Ann Lee" and person.image_ids == [face.id]
    for bad in ([template.id], [foreign.id], ["not-a-uuid"]):
        with pytest.raises(InvalidInput, match="not one of your face assets"):
            persons.create(uid, "Bob", bad)
    with pytest.raises(InvalidInput):
        persons.create(uid, "   ", [])
    assert [p.id for p in persons.list_persons(uid)] == [person.id]
    assert persons.list_persons(other) == []
    with pytest.raises(NotFound):
        persons.get(other, person.id)
    # Deleting a face asset takes it out of the person; deleting the person keeps the asset.
    library.delete_asset(face.id)
    assert persons.get(uid, person.id).image_ids == []
    persons.delete(uid, person.id)
    with pytest.raises(NotFound):
        persons.get(uid, person.id)
    assert library.get_asset(template.id).purpose == "template"


def test_keys_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--data-dir", str(tmp_path / "lib")]
    assert main([*base, "keys", "create", "ann"]) == 1
    assert "No user named 'ann'" in capsys.readouterr().err
    assert main([*base, "keys", "create", "ann", "--create-user", "--label", "ci"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("akey_")
    assert main([*base, "keys", "list", "ann"]) == 0
    listing = capsys.readouterr().out
    assert "ci" in listing and "active" in listing and key not in listing
    with LibraryService(tmp_path / "lib") as lib:
        assert lib.user_for_token(key, kind="apikey").username == "ann"
        [row] = lib.list_tokens("ann", kind="apikey")
        number = row.id
    assert main([*base, "keys", "revoke", str(number)]) == 0
    assert main([*base, "keys", "revoke", key]) == 1
    assert "No such active API key" in capsys.readouterr().err
    with LibraryService(tmp_path / "lib") as lib:
        with pytest.raises(AuthenticationFailed):
            lib.user_for_token(key, kind="apikey")
