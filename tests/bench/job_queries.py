"""Job 4: a filtered page of a large library through LibraryService, against raw sqlite3 running the same SQL."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

from app.library.records import AssetQuery, PageCursor
from app.library.service import LibraryService
from tests.bench import biglib
from tests.bench.common import Context, Row, median, ratio, seconds

PAGE = 50
WARMUP = 20


def _page_sql(lib: LibraryService, q: AssetQuery, after: PageCursor | None) -> tuple[str, list[object]]:
    """The SELECT (and its parameters) that the library sends to SQLite for this page."""
    pages = lib._pages
    if pages is None:
        raise RuntimeError("the library is not on SQLite")
    return pages.sql(q, PAGE, 0, after)


def _interleaved(a: Callable[[], object], b: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median seconds of a and b, called alternately so both see the same machine."""
    for _ in range(WARMUP):
        a()
        b()
    ta, tb = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        a()
        ta.append(time.perf_counter() - start)
        start = time.perf_counter()
        b()
        tb.append(time.perf_counter() - start)
    return median(ta), median(tb)


def queries(ctx: Context) -> list[Row]:
    s = ctx.sizes
    folder = biglib.library(ctx.cache, s.query_rows, ctx.log)
    repeats = 300 if s.name == "full" else 20
    rows: list[Row] = []
    with LibraryService(folder) as lib:
        q = AssetQuery(user_id=lib.local_user_id, asset_type="image")
        before = lib.list_assets(q, limit=1, offset=(s.query_page - 1) * PAGE - 1)[0]
        cursor = lib.cursor_for(before, q)
        cases: list[tuple[str, PageCursor | None, Callable[[], object]]] = [
            ("first page", None, lambda: lib.list_assets(q, limit=PAGE)),
            (f"page {s.query_page:,}", cursor, lambda: lib.list_assets(q, limit=PAGE, after=cursor)),
        ]
        by_offset = lib.list_assets(q, limit=PAGE, offset=(s.query_page - 1) * PAGE)
        if [r.id for r in cases[1][2]()] != [r.id for r in by_offset]:
            raise RuntimeError("the keyset page differs from the offset page")
        raw = sqlite3.connect(folder / "library.db")
        try:
            for label, after, call in cases:
                sql, params = _page_sql(lib, q, after)

                def reference(sql: str = sql, params: list[object] = params) -> object:
                    return raw.execute(sql, params).fetchall()

                if len(reference()) != PAGE:
                    raise RuntimeError("the raw query did not return a full page")
                a, r = _interleaved(call, reference, repeats)
                rows.append(
                    Row(
                        f"4. query: images, newest first, {label} of {s.query_rows:,} assets",
                        seconds(a),
                        f"{seconds(r)} sqlite3",
                        ratio(a, r),
                        "≤ 2.0 and ≤ 2 ms",
                        a <= 2 * r and a <= 0.002,
                    )
                )
        finally:
            raw.close()
    return rows
