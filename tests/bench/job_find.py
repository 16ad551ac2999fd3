"""Job 7: colour, similar-image and smart-folder queries through the library, against raw sqlite3 running the same SQL."""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.core.palette import srgb_to_lab
from app.core.phash import SIMILAR, bands, distance, to_signed
from app.library.find_store import cell
from app.library.records import AssetQuery
from app.library.service import LibraryService
from tests.bench import biglib
from tests.bench.common import Context, Row, median, ratio, seconds
from tests.bench.corpus import DONE

VERSION = 4
PAGE = 50
WARMUP = 10
CHUNK = 50_000
SMART_RULES = ["rating>=4", "label=red", "type=image"]


def _interleaved(a: Callable[[], object], b: Callable[[], object], repeats: int) -> tuple[float, float]:
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


def _fill_find_rows(folder: Path, colours: bool) -> None:
    """Metadata rows for every asset: ratings and labels as a designer leaves them (most
    unrated, few labelled), and for images and videos a five-colour palette and a hash."""
    rng = random.Random(7)
    db = sqlite3.connect(folder / "library.db", isolation_level=None)
    try:
        ids = db.execute("SELECT id, asset_type FROM assets").fetchall()
        labels = ["red", "yellow", "green", "blue", "purple"]
        metas, swatches = [], []
        last_hash = None
        last_colours: list[tuple[int, int, int]] = []
        for n, (asset_id, kind) in enumerate(ids):
            pick = rng.random()
            rating = 0 if pick < 0.85 else rng.randint(1, 5)
            label = labels[rng.randrange(5)] if rng.random() < 0.1 else None
            phash = hb = None
            if colours and kind in ("image", "video"):
                # One image in fifty is a resized copy of the one before: a hash two bits off
                # and the same palette.
                if last_hash is not None and n % 50 == 1:
                    phash = to_signed((last_hash ^ (1 << rng.randrange(64)) ^ (1 << rng.randrange(64))) & ((1 << 64) - 1))
                else:
                    phash = to_signed(rng.getrandbits(64))
                    last_colours = [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(5)]
                last_hash = phash
                hb = bands(phash)
                left = 1.0
                for position in range(5):
                    rgb = last_colours[position]
                    lab = srgb_to_lab(rgb)
                    share = round(left * (0.5 if position < 4 else 1.0), 3)
                    left -= share
                    swatches.append((asset_id, position, cell(*lab), *lab, share,
                                     "#{:02x}{:02x}{:02x}".format(*rgb)))
            metas.append((asset_id, rating, label, phash, *(hb or (None,) * 4)))
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO asset_meta (asset_id, rating, label, phash, hb0, hb1, hb2, hb3) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            metas,
        )
        db.executemany(
            "INSERT INTO asset_colours (asset_id, position, cell, l, a, b, share, hex) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            swatches,
        )
        db.execute("COMMIT")
        _current_indexes(db)
        db.execute("ANALYZE")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def _current_indexes(db: sqlite3.Connection) -> None:
    """The find tables' indexes as the models declare them now (a cached base library may
    predate a change of them within the same migration file)."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex

    from app.library.find_models import AssetColour, AssetMeta

    for model in (AssetMeta, AssetColour):
        for index in model.__table__.indexes:  # type: ignore[attr-defined]
            db.execute(f'DROP INDEX IF EXISTS "{index.name}"')
            db.execute(str(CreateIndex(index).compile(dialect=sqlite.dialect())))


def find_library(cache: Path, count: int, colours: bool, log: Callable[[str], None]) -> Path:
    base = biglib.library(cache, count, log)
    folder = cache / f"find-v{VERSION}-{biglib.schema_key()}-{count}-{int(colours)}"
    if (folder / DONE).exists():
        return folder
    log(f"adding find rows to the {count:,}-asset library (once)")
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    biglib.copy(base, tmp)
    _fill_find_rows(tmp, colours)
    (tmp / DONE).touch()
    tmp.rename(folder)
    return folder


@contextmanager
def _recorded(lib: LibraryService) -> Iterator[list[tuple[str, object]]]:
    """Every statement (and its parameters) the library sends while the block runs: through
    SQLAlchemy, and through the two driver-level paths (compiled searches, pages by id)."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    finder, pages = lib.find, lib._pages
    assert pages is not None
    raw_find, raw_pages = finder._raw, pages._fetch

    def find_raw(sql: str, params: list[object]) -> list[tuple[object, ...]]:
        seen.append((sql, params))
        return raw_find(sql, params)

    def pages_raw(sql: str, params: list[object]) -> list[tuple[object, ...]]:
        seen.append((sql, params))
        return raw_pages(sql, params)

    event.listen(Engine, "before_cursor_execute", record)
    finder._raw = find_raw  # type: ignore[method-assign]
    pages._fetch = pages_raw  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)
        finder._raw = raw_find  # type: ignore[method-assign]
        pages._fetch = raw_pages  # type: ignore[method-assign]


def _case(
    lib: LibraryService,
    raw: sqlite3.Connection,
    call: Callable[[], object],
    repeats: int,
    extra: Callable[[list[tuple[str, object]]], list[tuple[str, object]]] | None = None,
) -> tuple[float, float]:
    call()  # warm, then record what one call sends
    with _recorded(lib) as statements:
        call()
    replay = [(sql, params) for sql, params in statements if sql.lstrip().upper().startswith("SELECT")]
    replay = extra(replay) if extra is not None else replay

    def reference() -> object:
        return [raw.execute(sql, params).fetchall() for sql, params in replay]  # type: ignore[arg-type]

    return _interleaved(call, reference, repeats)


def _similar_statements(
    lib: LibraryService, f: object, asset_id: str
) -> Callable[[list[tuple[str, object]]], list[tuple[str, object]]]:
    """The similar search's own statements (run on one driver cursor), then the rest."""
    from app.library import finder

    def add(recorded: list[tuple[str, object]]) -> list[tuple[str, object]]:
        db = sqlite3.connect(lib.data_dir / "library.db")
        try:
            (value,) = db.execute(finder._OWN_HASH, [asset_id]).fetchone()
        finally:
            db.close()
        import json

        probes: list[object] = finder.candidate_params(int(value), SIMILAR)
        near = {}  # the ids the candidates give, as the library binds them
        for other, phash in db_rows(lib, finder._CANDIDATES, probes):
            if other != asset_id and distance(int(value), phash) <= SIMILAR:
                near[other] = 0
        palettes = [json.dumps([asset_id, *near])]
        sql, params = lib.find._bound(f, "all", 0, 0, near)  # type: ignore[arg-type]
        pages = lib._pages
        assert pages is not None
        ids = [row[0] for row in db_rows(lib, sql, params)][:PAGE]
        return [(finder._OWN_HASH, [asset_id]), (finder._CANDIDATES, probes), (finder._PALETTES, palettes),
                (sql, params), (pages._by_ids_sql(), [json.dumps(ids)]), *recorded]

    return add


def db_rows(lib: LibraryService, sql: str, params: list[object]) -> list[tuple[str, int]]:
    db = sqlite3.connect(lib.data_dir / "library.db")
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def _with_copy(raw: sqlite3.Connection) -> str:
    """An asset whose hash another shares a band with (most have none: random hashes)."""
    for band in ("hb0", "hb1", "hb2", "hb3"):
        row = raw.execute(
            f"SELECT asset_id FROM asset_meta WHERE {band} IN (SELECT {band} FROM asset_meta "
            f"WHERE {band} IS NOT NULL GROUP BY {band} HAVING count(*) > 1) LIMIT 1"
        ).fetchone()
        if row is not None:
            return str(row[0])
    return str(raw.execute("SELECT asset_id FROM asset_meta WHERE phash IS NOT NULL").fetchone()[0])


def find(ctx: Context) -> list[Row]:
    s = ctx.sizes
    rows_small = s.query_rows // 10
    repeats = 100 if s.name == "full" else 5
    out: list[Row] = []
    small = find_library(ctx.cache, rows_small, True, ctx.log)
    with LibraryService(small) as lib:
        raw = sqlite3.connect(small / "library.db")
        try:
            base = AssetQuery(user_id=lib.local_user_id)
            colour = lib.find.where(["color=#c0392b"], base=base)
            some = _with_copy(raw)
            similar = lib.find.where([f"similar={some}"], base=base)
            for label, f in ((f"colour #c0392b, nearest first, of {rows_small:,}", colour),
                             (f"similar images of {rows_small:,}", similar)):
                extra = _similar_statements(lib, f, some) if f is similar else None
                a, r = _case(lib, raw, lambda f=f: lib.find.search(f, limit=PAGE), repeats, extra)
                out.append(Row(f"7. find: {label} assets", seconds(a), f"{seconds(r)} sqlite3",
                               ratio(a, r), "≤ 2.0 and ≤ 50 ms", a <= 2 * r and a <= 0.05))
        finally:
            raw.close()
    big = find_library(ctx.cache, s.query_rows, False, ctx.log)
    with LibraryService(big) as lib:
        raw = sqlite3.connect(big / "library.db")
        try:
            f = lib.find.where(SMART_RULES, base=AssetQuery(user_id=lib.local_user_id))

            def smart() -> object:
                return lib.find.count(f), lib.find.search(f, limit=PAGE)

            a, r = _case(lib, raw, smart, repeats)
            out.append(Row(f"7. find: smart folder ({' '.join(SMART_RULES)}): count and first page of "
                           f"{s.query_rows:,}", seconds(a), f"{seconds(r)} sqlite3", ratio(a, r),
                           "≤ 2.0 and ≤ 50 ms", a <= 2 * r and a <= 0.05))
        finally:
            raw.close()
    return out
