"""Where log lines go: every library's to the log file, only Atelier's own warnings to the terminal."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, Final

LOG_FILE_ENV: Final[str] = "ATELIER_LOG_FILE"
_FORMAT: Final[str] = "%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"


class _Terminal(logging.StreamHandler):  # type: ignore[type-arg]
    """stderr as it is when a line is written (a test may swap it), not when installed."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


_routed: list[Path] = []  # the file this process logs to, once route_to_file has run


def route_to_file(path: Path) -> Path:
    """Send every logger's lines to the log file (pypdf's "incorrect startxref pointer"
    among them), so that Python's last-resort handler never prints them on the terminal.

    Atelier's own warnings (a server's "sweep skipped") still reach stderr as before.
    Idempotent; the path is exported so that spawned import workers follow it.
    """
    if _routed:
        return _routed[0]
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
    """In a worker process: route logs like the process that started it, if it did.

    The variable is how the parent hands its log file down to spawned workers (whether or
    not the user set ATELIER_LOG_FILE), so workers read it here, not through app.settings.
    """
    inherited = os.environ.get(LOG_FILE_ENV)
    if inherited:
        route_to_file(Path(inherited))
