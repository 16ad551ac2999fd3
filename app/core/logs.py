"""Where log lines go: every library's to the log file, only Atelier's own warnings to the terminal."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, Final

import platformdirs

from app.core.paths import APP_DIR_NAME

LOG_FILE_ENV: Final[str] = "ATELIER_LOG_FILE"
_FORMAT: Final[str] = "%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"


def log_file() -> Path:
    """ATELIER_LOG_FILE when set, else atelier.log in the OS's per-user log folder."""
    env = os.environ.get(LOG_FILE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False)) / "atelier.log"


class _Terminal(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr as it is when a line is written (a test may swap it), not when installed."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


_routed: list[Path] = []  # the file this process logs to, once route_to_file has run


def route_to_file(path: Path | None = None) -> Path:
    """Send every logger's lines to the log file (pypdf's "incorrect startxref pointer"
    among them), so that Python's last-resort handler never prints them on the terminal.

    Atelier's own warnings (a server's "sweep skipped") still reach stderr as before.
    Idempotent; the path is exported so that spawned import workers follow it.
    """
    if _routed:
        return _routed[0]
    path = path or log_file()
    root = logging.getLogger()
    handler: logging.Handler
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        handler = logging.NullHandler()  # an unwritable log folder must not stop the work
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    own = logging.getLogger("atelier")
    own.setLevel(logging.INFO)  # the decoders' original messages (see app.core.reasons)
    terminal = _Terminal()
    terminal.setLevel(logging.WARNING)
    own.addHandler(terminal)
    os.environ[LOG_FILE_ENV] = str(path)
    _routed.append(path)
    return path


def follow_parent() -> None:
    """In a worker process: route logs like the process that started it, if it did."""
    if os.environ.get(LOG_FILE_ENV):
        route_to_file()
