"""Every reader of assets builds the same record: one field list, one select, one mapper."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.library import repository as repo
from app.library.records import AssetChanges, AssetQuery, AssetRecord
from app.library.service import LibraryService
from tests import media


def test_the_select_list_is_the_records_field_list() -> None:
    from app.library.records import JOINED_FIELDS, RECORD_FIELDS

    assert RECORD_FIELDS == tuple(f.name for f in dataclasses.fields(AssetRecord))
    selected = [c.name for c in repo.asset_rows().selected_columns]
    # The joined names come out of clients.name and campaigns.name; the rest share the field's name.
    assert selected == [("name" if f in JOINED_FIELDS else f) for f in RECORD_FIELDS]


@pytest.fixture(params=["sqlite", "postgres"])
def any_library(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LibraryService]:
    """A library on SQLite (the page reader's raw rows) or PostgreSQL (aware datetimes)."""
    if request.param == "sqlite":
        with LibraryService(tmp_path / "library", workers=1) as lib:
            yield lib
        return
    from tests.server.conftest import fresh_schema

    with fresh_schema("atelier_records") as url, LibraryService(tmp_path / "pg", url, workers=1) as lib:
        yield lib


def test_every_reader_gives_the_same_record(any_library: LibraryService, media_dir: Path) -> None:
    library = any_library
    acme = library.create_client("Acme")
    spring = library.create_campaign(acme.id, "Spring")
    target = library.default_target(client_id=acme.id, campaign_id=spring.id)
    [image] = library.import_paths([media.make_jpeg(media_dir, 40, 30).path], target).imported
    # A look-alike, so a similar-images search finds the first one.
    [copy] = library.import_paths([media.make_jpeg(media_dir, 80, 60, name="copy.jpg").path]).imported
    # An edit, so the two dates differ and the tags are set: every conversion is exercised.
    edited = library.update_asset(image.id, AssetChanges(tags=["red", "50%_off"], description="d"))
    assert edited.updated_at != edited.uploaded_at and edited.client_name == "Acme"
    q = AssetQuery(user_id=library.local_user_id, client_id=acme.id)

    with library.reading() as s:
        by_session = repo.list_assets(s, q, 10)
    readers: dict[str, AssetRecord | None] = {
        "list_assets": library.list_assets(q, limit=10)[0],
        "session page": by_session[0],
        "get_asset": library.get_asset(image.id),
        "get_assets": library.get_assets([image.id]).get(image.id),
        "iter_assets": next(iter(library.iter_assets(q))),
        "change feed": next(a for a in library.changes_since(0, library.local_user_id).assets if a.id == image.id),
        "duplicates": library.find_duplicates([image.sha256], library.local_user_id).get(image.sha256),
        "find": library.find.search(library.find.where(["name~photo"]))[0],
        "similar": library.find.search(library.find.where([f"similar={copy.id}"]))[0],
    }
    if library._pages is not None:
        readers["page reader by ids"] = library._pages.assets_by_ids([image.id]).get(image.id)
    for reader, found in readers.items():
        assert found == edited, reader
        assert found is not None and found.uploaded_at.tzinfo is not None, reader
