"""A cheap signal that the library changed: SQLite's data_version on a connection of its own."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path


class DataVersion:
    """Reads `PRAGMA data_version`, which moves whenever any other connection commits.

    The connection never writes, so every commit (this process's writer, the CLI, a server,
    a sync) moves the number; reading it costs microseconds and no table is touched, so a
    window can poll it on a timer whatever the library's size.
    """

    def __init__(self, db_path: Path) -> None:
        self._conn = sqlite3.connect(str(db_path), isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()

    def read(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class CursorVersion:
    """Elsewhere (PostgreSQL): the change counter plus what names clients and campaigns."""

    def __init__(self, read: Callable[[], int]) -> None:
        self.read = read

    def close(self) -> None:
        pass
