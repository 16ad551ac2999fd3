"""Reading assets: lists, pages, counts, lookups by id and the change feed (pages.py reads SQLite's)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.core.formats import ASSET_TYPES
from app.library import repository as repo
from app.library.errors import InvalidInput, NotFound
from app.library.models import Asset
from app.library.records import AssetQuery, AssetRecord, ChangeSet, PageCursor
from app.library.storage import UnsafePath, validate_uuid

if TYPE_CHECKING:
    from app.library.service import LibraryService


class Reads:
    """The bodies of LibraryService's reading methods (the service delegates here).

    A query with rules goes to the finder; on SQLite the page reader (pages.py) answers
    lists and lookups by id without the ORM; everything else reads through a session.
    """

    def __init__(self, lib: LibraryService) -> None:
        self.lib = lib

    def list_assets(
        self, q: AssetQuery, limit: int, offset: int, after: PageCursor | None
    ) -> list[AssetRecord]:
        if q.rules or q.required:
            if after is not None:
                raise InvalidInput("A search by rules pages by offset, not by cursor")
            return self.lib.find.search(self.lib.find.of_query(q), limit=limit, offset=offset)
        if self.lib._pages is not None:
            return self.lib._pages.list_assets(q, limit, offset, after)
        with self.lib.reading() as s:
            return repo.list_assets(s, q, limit, offset, after)

    def iter_assets(self, q: AssetQuery, page: int) -> Iterator[AssetRecord]:
        """Every matching asset, page by page through keyset cursors (cheap at any depth)."""
        after: PageCursor | None = None
        while True:
            rows = self.list_assets(q, page, 0, after)
            yield from rows
            if len(rows) < page:
                return
            after = repo.cursor_for(rows[-1], q)

    def asset_ids(self, q: AssetQuery, limit: int | None, offset: int) -> list[str]:
        if q.rules or q.required:
            return self.lib.find.ids(self.lib.find.of_query(q), limit=limit, offset=offset)
        with self.lib.reading() as s:
            return repo.asset_ids(s, q, limit, offset)

    def get_assets(self, ids: Sequence[str]) -> dict[str, AssetRecord]:
        if self.lib._pages is not None:
            return self.lib._pages.assets_by_ids(ids)
        with self.lib.reading() as s:
            return repo.assets_by_ids(s, list(ids))

    def count_assets(self, query: AssetQuery | None) -> int:
        if query is not None and (query.rules or query.required):
            return self.lib.find.count(self.lib.find.of_query(query))
        with self.lib.reading() as s:
            return repo.count_assets(s, query or AssetQuery())

    def counts_by_type(self, query: AssetQuery | None) -> dict[str, int]:
        if query is not None and (query.rules or query.required):
            return {t: self.count_assets(replace(query, asset_type=t)) for t in ASSET_TYPES}
        with self.lib.reading() as s:
            counts = repo.counts_by_type(s, query or AssetQuery())
        return {t: counts.get(t, 0) for t in ASSET_TYPES}

    def get_asset(self, asset_id: str, user_id: int | None) -> AssetRecord:
        """The asset, or NotFound (also for another user's asset, so nothing leaks)."""
        try:
            asset_id = validate_uuid(asset_id)
        except UnsafePath:
            raise NotFound("Asset not found") from None
        with self.lib.reading() as s:
            found = repo.assets_by_ids(s, [asset_id]).get(asset_id)
        if found is None or (user_id is not None and found.user_id != user_id):
            raise NotFound("Asset not found")
        return found

    def asset_ids_starting(self, prefix: str, user_id: int | None, limit: int) -> list[str]:
        """Up to limit asset ids that start with prefix (hex digits and dashes), as git finds commits."""
        prefix = prefix.strip().lower()
        if not prefix or any(c not in "0123456789abcdef-" for c in prefix):
            return []
        stmt = select(Asset.id).where(Asset.id.startswith(prefix, autoescape=True))
        if user_id is not None:
            stmt = stmt.where(Asset.user_id == user_id)
        with self.lib.reading() as s:
            return list(s.scalars(stmt.order_by(Asset.id).limit(limit)))

    def changes_since(self, cursor: int, user_id: int | None, limit: int) -> ChangeSet:
        with self.lib.reading() as s:
            return repo.changes_since(s, user_id, cursor, limit)

    def current_cursor(self) -> int:
        with self.lib.reading() as s:
            return repo.current_seq(s)

    def names_and_changes(self) -> int:
        with self.lib.reading() as s:
            return repo.names_and_changes(s)
