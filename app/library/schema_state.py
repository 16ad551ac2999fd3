"""Whether a database needs Alembic at all: revision ids compared without loading Alembic.

Opening a library used to import Alembic and run `upgrade heads` every time, a fifth of
a second even when there was nothing to do. The revision ids are read from the migration
scripts' own text instead; Alembic is loaded only when the database is behind them. A new,
empty SQLite database is given the schema from the snapshot in `new_schema.py`, which is
what Alembic itself produced from the same scripts (a test keeps the two equal).
"""

from __future__ import annotations

import ast
import functools
import sqlite3
from pathlib import Path

from sqlalchemy import Connection, inspect, text

VERSIONS_DIR = Path(__file__).with_name("migrations") / "versions"


def _revision_fields(path: Path) -> tuple[str | None, tuple[str, ...]]:
    """The `revision` and `down_revision` a migration script assigns at its top level."""
    revision: str | None = None
    down: tuple[str, ...] = ()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign):
            targets: list[ast.expr] = [node.target]
            value = node.value
        elif isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        else:
            continue
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if value is None or not names & {"revision", "down_revision"}:
            continue
        literal = ast.literal_eval(value)
        if "revision" in names:
            revision = literal
        elif isinstance(literal, (tuple, list)):
            down = tuple(literal)  # a merge revision
        else:
            down = (literal,) if literal else ()
    return revision, down


def script_heads(versions_dir: Path | None = None) -> frozenset[str] | None:
    """The head revisions of the migration scripts; None when they cannot be read plainly."""
    if versions_dir is None:
        return _installed_heads()  # read once per process: the scripts do not change
    return _read_heads(versions_dir)


@functools.cache
def _installed_heads() -> frozenset[str] | None:
    return _read_heads(VERSIONS_DIR)


def _read_heads(versions_dir: Path) -> frozenset[str] | None:
    graph = _read_graph(versions_dir)
    if graph is None:
        return None
    revisions, parents = graph
    heads = frozenset(revisions - parents)
    return heads or None


@functools.cache
def known_revisions() -> frozenset[str] | None:
    """Every revision the installed scripts define; None when they cannot be read plainly."""
    graph = _read_graph(VERSIONS_DIR)
    return frozenset(graph[0]) if graph else None


def _read_graph(versions_dir: Path) -> tuple[set[str], set[str]] | None:
    """The scripts' revisions and the revisions they name as parents."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        for path in sorted(versions_dir.glob("*.py")):
            if path.name.startswith("_"):
                continue
            revision, down = _revision_fields(path)
            if revision is None:
                return None  # not a form this reader knows: let Alembic decide
            revisions.add(revision)
            parents.update(down)
    except (OSError, SyntaxError, ValueError):
        return None
    return revisions, parents


def database_heads(conn: Connection) -> frozenset[str] | None:
    """The revisions the database is stamped with; None when it has no version table."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def is_empty_sqlite(conn: Connection) -> bool:
    """True for a SQLite database with no tables, views or indexes yet."""
    if conn.dialect.name != "sqlite":
        return False
    return bool(conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one() == 0)


def split_statements(script: str) -> list[str]:
    """A SQL script as single statements (semicolons inside literals are respected)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def create_from_snapshot(conn: Connection) -> bool:
    """Give an empty SQLite database the current schema without Alembic; False if stale.

    The snapshot is used only when it was taken at exactly the scripts' current heads.
    """
    from app.library import new_schema

    heads = script_heads()
    if heads is None or frozenset(new_schema.HEADS) != heads:
        return False
    for statement in split_statements(new_schema.SCRIPT):
        conn.exec_driver_sql(statement)
    return True


def dump_new_schema(url: str) -> str:
    """The SQL that Alembic's upgrade to heads leaves in the empty SQLite database at url."""
    # Imported here: only the test and the regeneration command need them.
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            lines = [
                line
                for line in raw.iterdump()
                if line not in ("BEGIN TRANSACTION;", "COMMIT;")
            ]
    finally:
        engine.dispose()
    return "\n".join(lines) + "\n"


def render_new_schema_module(script: str, heads: frozenset[str]) -> str:
    """The text of new_schema.py for a dump taken at the given heads."""
    # Readable as SQL when it can be; a plain repr otherwise.
    plain = '"""' not in script and "\\" not in script and not script.endswith('"')
    literal = f'"""\\\n{script}"""' if plain else repr(script)
    return (
        '"""The schema of a new SQLite library, as Alembic creates it (generated: do not edit).\n\n'
        "Regenerate after adding a migration: `python -m app.library.schema_state`.\n"
        '"""\n\n'
        f"HEADS = {tuple(sorted(heads))!r}\n\n"
        f"SCRIPT = {literal}\n"
    )


def alembic_dump(folder: Path) -> str:
    """Create a SQLite library database in folder with Alembic alone, and dump it."""
    from app.library.db import make_engine, sqlite_url, upgrade_with_alembic

    url = sqlite_url(folder / "library.db")
    engine = make_engine(url, writer=True)
    try:
        with engine.begin() as conn:
            upgrade_with_alembic(conn)
    finally:
        engine.dispose()
    return dump_new_schema(url)


def main() -> None:
    import tempfile

    heads = script_heads()
    if heads is None:
        raise SystemExit("cannot read the revision ids of the migration scripts")
    with tempfile.TemporaryDirectory() as folder:
        script = alembic_dump(Path(folder))
    target = Path(__file__).with_name("new_schema.py")
    target.write_text(render_new_schema_module(script, heads), encoding="utf-8")
    print(f"wrote {target} at {', '.join(sorted(heads))}")


if __name__ == "__main__":
    main()
