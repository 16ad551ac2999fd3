"""Pages of assets on SQLite: SQL compiled once per query shape, rows read through the driver."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, func, literal_column, select

from app.library import repository as repo
from app.library.models import Asset
from app.library.records import AssetQuery, AssetRecord, PageCursor

# How SQLAlchemy's SQLite dialect stores a DateTime (always UTC here, without a zone).
_STORED = "%Y-%m-%d %H:%M:%S.%f"


class PageReader:
    """Answers list_assets on SQLite without the ORM.

    A page is what the window asks for on every scroll step and the server on every listing,
    so its cost is what a user feels. Through a Session most of it was Python around the
    query (building and caching the statement, result processing, identity bookkeeping):
    several times what SQLite itself spent. Here each query shape is compiled once, values
    are bound by name, and rows become records by position (repository.record).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Query shape -> (SQL, parameter names in the order SQLite binds them, constants the
        # statement binds itself). A handful of shapes exist (which filters are set, sort,
        # first page or not); a dict set is atomic.
        self._compiled: dict[
            tuple[object, ...], tuple[str, tuple[str, ...], dict[str, object]]
        ] = {}
        self._by_ids: str | None = None

    def warm_up(self) -> None:
        """Compile the shapes a front end asks for first: its newest-first pages and a screen by ids.

        Compiling a shape costs a few milliseconds, paid once; a front end can pay it while it
        builds itself instead of on its first page.
        """
        q = AssetQuery(user_id=0)  # a shape depends on which filters are set, not their values
        self.sql(q, 1)
        self.sql(q, 1, 0, PageCursor(value=datetime(2000, 1, 1), id=""))
        self._by_ids_sql()

    def list_assets(
        self, q: AssetQuery, limit: int, offset: int = 0, after: PageCursor | None = None
    ) -> list[AssetRecord]:
        sql, params = self.sql(q, limit, offset, after)
        return [repo.record(row) for row in self._fetch(sql, params)]

    def assets_by_ids(self, ids: Sequence[str]) -> dict[str, AssetRecord]:
        """The records of these ids (unknown ones are left out), as the window fetches a screen."""
        rows = self._fetch(self._by_ids_sql(), [json.dumps(list(ids))])
        return {row[0]: repo.record(row) for row in rows}

    def _by_ids_sql(self) -> str:
        if self._by_ids is None:
            # The ids travel as one JSON array, so one SQL text serves any number of them.
            listed: repo.AnySelect = select(literal_column("value")).select_from(func.json_each(bindparam("ids")))
            stmt = repo.asset_rows().where(Asset.id.in_(listed))
            self._by_ids = stmt.compile(dialect=self._engine.dialect).string
        return self._by_ids

    def _fetch(self, sql: str, params: list[object]) -> list[tuple[Any, ...]]:
        conn = self._engine.raw_connection()
        try:
            cursor = conn.cursor()
            try:
                rows: list[tuple[Any, ...]] = cursor.execute(sql, params).fetchall()
                return rows
            finally:
                cursor.close()
        finally:
            conn.close()

    def sql(
        self, q: AssetQuery, limit: int, offset: int = 0, after: PageCursor | None = None
    ) -> tuple[str, list[object]]:
        """The SELECT for a page and its parameters, as SQLite receives them."""
        values = repo.filter_values(q)
        shape = (tuple(values), q.unassigned, q.has_purpose, q.review_status, q.review_after, q.sort, after is not None)
        values["q_limit"] = limit
        values["q_offset"] = offset
        if after is not None:
            value = after.value
            values["after_value"] = value.strftime(_STORED) if isinstance(value, datetime) else value
            values["after_id"] = after.id
        compiled = self._compiled.get(shape)
        if compiled is None:
            stmt = repo.page_statement(q, limit, offset, after).compile(dialect=self._engine.dialect)
            names = tuple(stmt.positiontup or ())
            # Any parameter the call does not supply is one the statement binds itself.
            constants = {k: stmt.params[k] for k in names if k not in values}
            compiled = (stmt.string, names, constants)
            self._compiled[shape] = compiled
        sql, names, constants = compiled
        if constants:
            values.update(constants)
        return sql, [values[name] for name in names]


# The one row-to-record mapper, under the name finder.py reads raw rows through.
_record = repo.record
