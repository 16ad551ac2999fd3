"""Engine creation (SQLite in WAL mode with foreign keys, or PostgreSQL) and migrations on open."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

from app.library import schema_state
from app.library.errors import NewerSchema

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Pooled SQLite reader connections kept open: as many as a server's worker threads (anyio's
# 40), since an extra one is opened and closed per use, with a cold page cache each time.
READER_POOL = 40


def sqlite_url(db_path: Path) -> str:
    return f"sqlite:///{db_path}"


def make_engine(url: str, *, writer: bool = False) -> Engine:
    """An engine for the library: SQLite readers never block; the writer engine takes the lock up front."""
    if url.startswith("sqlite"):
        # Readers keep a few connections (a pool hands each to one thread at a time): a new
        # connection re-reads the schema, runs the pragmas and starts with a cold page cache,
        # which costs several times a page of results. The writer connects per transaction.
        pooling: dict[str, Any] = (
            {"poolclass": NullPool} if writer else {"pool_size": READER_POOL, "max_overflow": -1}
        )
        engine = create_engine(url, connect_args={"timeout": 30}, **pooling)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA cache_size=-32000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            # A deferred transaction that reads and then writes can fail at once with
            # "database is locked" when another writer got in between; IMMEDIATE waits instead.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _utc_session(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # Naive datetimes (keyset cursors) are compared as UTC whatever the server's zone.
            cur = dbapi_conn.cursor()
            cur.execute("SET TIME ZONE 'UTC'")
            cur.close()
            dbapi_conn.commit()

    return engine


def alembic_config(url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several processes may open one database at once (a server and the CLI):
            # one migrates, the others wait and then find nothing to do.
            conn.execute(text("SELECT pg_advisory_xact_lock(4711000001)"))
        if not _current_without_alembic(conn):
            refuse_newer(conn)
            upgrade_with_alembic(conn)
        # The change counter's row exists before any writer needs it: two first writes on
        # PostgreSQL would otherwise both insert it, and one would fail.
        conn.execute(
            text(
                "INSERT INTO counters (name, value) SELECT 'changes', 0 "
                "WHERE NOT EXISTS (SELECT 1 FROM counters WHERE name = 'changes')"
            )
        )


def _current_without_alembic(conn: Connection) -> bool:
    """True when the schema is already at the scripts' heads, or was just created so."""
    heads = schema_state.script_heads()
    if heads is None:
        return False
    if schema_state.is_empty_sqlite(conn):
        return schema_state.create_from_snapshot(conn)
    return schema_state.database_heads(conn) == heads


def refuse_newer(conn: Connection) -> None:
    """Raise NewerSchema when the database is stamped with a revision no script here defines."""
    known = schema_state.known_revisions()
    stamped = schema_state.database_heads(conn)
    if known is not None and stamped:
        _newer(stamped - known)


def _newer(unknown: Iterable[str]) -> None:
    names = ", ".join(sorted(unknown))
    if names:
        raise NewerSchema(
            f"This library was made by a newer version of Atelier (schema {names}); update Atelier to open it."
        )


def upgrade_with_alembic(conn: Connection) -> None:
    """Alembic's `upgrade heads` on conn (loaded only here: a fifth of a second to import)."""
    from alembic import command
    from alembic.util import CommandError

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    try:
        # "heads": independent features add their own branches off the initial schema.
        command.upgrade(cfg, "heads")
    except CommandError as exc:
        # Scripts the plain reader could not read: Alembic's own words for the same case.
        stamped = schema_state.database_heads(conn) or frozenset()
        if "locate revision" in str(exc) and stamped:
            _newer(r for r in stamped if r in str(exc))
        raise


# Advisory lock keys of one family, so they never meet another application's numbers.
_LOCK_FAMILY = 4711


@contextmanager
def exclusive_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Whether this process holds the cluster-wide lock `name` for the block.

    PostgreSQL: a session advisory lock taken without waiting (pg_try_advisory_lock), so of
    several server instances exactly one does a sweep and the others skip it. SQLite: always
    True; one machine's processes are ordered by the library folder's lock file instead.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = zlib.crc32(name.encode()) & 0x7FFFFFFF  # an int4
    with engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:f, :k)"), {"f": _LOCK_FAMILY, "k": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:f, :k)"), {"f": _LOCK_FAMILY, "k": key})
                conn.commit()
