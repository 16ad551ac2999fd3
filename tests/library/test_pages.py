"""The SQLite page reader gives exactly what the ORM query gives, for every query shape."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from app.library import repository as repo
from app.library.models import Asset
from app.library.records import AssetChanges, AssetQuery, PageCursor
from app.library.service import LibraryService
from app.library.storage import new_id

TYPES = ("image", "video", "audio", "document")


@pytest.fixture
def filled(library: LibraryService) -> LibraryService:
    """120 asset rows spread over clients, campaigns, types, purposes, tags and dates."""
    rng = random.Random(7)
    uid = library.local_user_id
    acme = library.create_client("Acme")
    spring = library.create_campaign(acme.id, "Spring")
    other = library.create_client("Other & Co")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with library.writing() as s:
        for i in range(120):
            kind = TYPES[i % 4]
            where = i % 5
            when = start + timedelta(minutes=rng.randrange(0, 50))  # many equal dates: ties
            s.add(
                Asset(
                    id=new_id(),
                    user_id=uid,
                    client_id=acme.id if where == 1 else other.id if where == 2 else None,
                    campaign_id=spring.id if where in (3, 4) else None,
                    name=f"{['shot', 'Clip', 'voice', 'brief'][i % 4]}_{i:03d}.x",
                    asset_type=kind,
                    url="",
                    size=rng.randrange(1, 10_000) if i % 7 else None,
                    uploaded_at=when,
                    updated_at=when + timedelta(seconds=i % 3),
                    format="jpg",
                    tags='["red", "50%_off"]' if i % 6 == 0 else ("not json" if i == 5 else None),
                    width=100 + i,
                    height=50,
                    mime="image/jpeg",
                    sha256=f"{i:064x}",
                    change_seq=i + 1,
                    purpose="face" if i % 9 == 0 else None,
                    description="d" if i % 11 == 0 else None,
                )
            )
    return library


def _orm_page(lib: LibraryService, q: AssetQuery, limit: int, offset: int = 0, after=None):  # type: ignore[no-untyped-def]
    with lib.reading() as s:
        return repo.list_assets(s, q, limit, offset, after)


def test_the_fast_path_is_used_on_sqlite(filled: LibraryService) -> None:
    assert filled._pages is not None
    sql, params = filled._pages.sql(AssetQuery(asset_type="image"), 10)
    assert sql.lstrip().startswith("SELECT") and params == ["image", 10, 0]


def test_every_shape_matches_the_orm_page_by_page(filled: LibraryService) -> None:
    lib = filled
    acme = lib.find_client("Acme")
    assert acme is not None
    spring = lib.find_campaign(acme.id, "Spring")
    assert spring is not None
    lib.update_asset(lib.list_assets(AssetQuery(), limit=1)[0].id, AssetChanges(tags=["edited"]))
    queries = [
        AssetQuery(),
        AssetQuery(user_id=lib.local_user_id, asset_type="image"),
        AssetQuery(client_id=acme.id),
        AssetQuery(campaign_id=spring.id, asset_type="video"),
        AssetQuery(unassigned=True),
        AssetQuery(purpose="face"),
        AssetQuery(has_purpose=True),
        AssetQuery(text="CLIP"),
        AssetQuery(text="50%_"),  # LIKE wildcards are searched for literally
        AssetQuery(text="%"),
    ]
    checked = 0
    for base, sort in itertools.product(queries, ("newest", "oldest", "name", "size", "type")):
        q = AssetQuery(**{**{f: getattr(base, f) for f in base.__slots__}, "sort": sort})
        everything = _orm_page(lib, q, 1000)
        # Keyset pages walk the whole result in the ORM's order, whatever the page size.
        walked, after = [], None
        while True:
            page = lib.list_assets(q, limit=7, after=after)
            assert page == _orm_page(lib, q, 7, 0, after)
            walked += page
            if len(page) < 7:
                break
            after = lib.cursor_for(page[-1], q)
        assert walked == everything, (q, len(walked), len(everything))
        assert lib.list_assets(q, limit=5, offset=3) == everything[3:8]
        checked += len(everything)
    assert checked > 1000  # the shapes really returned rows
    # Only the tagged rows hold a percent sign: the wildcard is searched for literally.
    assert len(lib.list_assets(AssetQuery(text="%"), limit=200)) == 20
    assert len(lib.list_assets(AssetQuery(text="50%_"), limit=200)) == 20


def test_records_convert_dates_tags_and_names(filled: LibraryService) -> None:
    q = AssetQuery(client_id=filled.find_client("Acme").id)  # type: ignore[union-attr]
    records = filled.list_assets(q, limit=200)
    assert {r.client_name for r in records if r.client_id} == {"Acme"}
    # Filed under the client's campaign only: listed under the client, named by the campaign.
    assert {r.campaign_name for r in records if not r.client_id} == {"Spring"}
    first = records[0]
    assert first.uploaded_at.tzinfo is UTC
    assert first.updated_at >= first.uploaded_at
    tagged = [r for r in filled.list_assets(AssetQuery(), limit=200) if r.tags]
    assert tagged and all(r.tags == ["red", "50%_off"] for r in tagged)


def test_a_cursor_past_the_end_and_a_missing_user_give_empty_pages(filled: LibraryService) -> None:
    far = PageCursor(value=datetime(1990, 1, 1), id="0")
    assert filled.list_assets(AssetQuery(), after=far) == []
    assert filled.list_assets(AssetQuery(user_id=999)) == []


def test_records_by_ids_match_the_orm_including_unknown_ids(filled: LibraryService) -> None:
    everything = filled.list_assets(AssetQuery(), limit=200)
    ids = [r.id for r in everything[::3]] + [new_id(), "not-an-id"]
    with filled.reading() as s:
        expected = repo.assets_by_ids(s, ids)
    got = filled.get_assets(ids)
    assert got == expected and len(got) == len(everything[::3])
    assert filled.get_assets([]) == {}
    assert set(filled.get_assets([r.id for r in everything])) == {r.id for r in everything}


def test_warm_up_compiles_the_first_screens_shapes(filled: LibraryService) -> None:
    pages = filled._pages
    assert pages is not None and not pages._compiled
    filled.warm_up()
    warmed = dict(pages._compiled)
    assert len(warmed) == 2 and pages._by_ids
    q = AssetQuery(user_id=filled.local_user_id)
    first = filled.list_assets(q, limit=10)
    filled.list_assets(q, limit=10, after=filled.cursor_for(first[-1], q))
    assert pages._compiled == warmed  # the window's first pages found their SQL ready
