"""The window's log file in the per-user log folder; Qt's and FFmpeg's messages go there too."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

LOG_NAME = "atelier.log"
_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    category = context.category or "default"
    logging.getLogger(f"qt.{category}" if not category.startswith("qt.") else category).log(
        _LEVELS.get(kind, logging.WARNING), "%s", message
    )


def route_qt_messages() -> None:
    """Qt's warnings (qt.multimedia's pipewire notes, FFmpeg's stream dump) into the log, not the terminal."""
    # Qt hands FFmpeg's own log lines to its logging (and so to the handler below) only when
    # asked; without it libav prints stream dumps straight to stderr. Debug lines stay off.
    os.environ.setdefault("QT_FFMPEG_DEBUG", "1")
    rules = os.environ.get("QT_LOGGING_RULES", "")
    if "qt.multimedia" not in rules:
        os.environ["QT_LOGGING_RULES"] = ";".join(filter(None, [rules, "qt.multimedia.*.debug=false"]))
    qInstallMessageHandler(_qt_message)


_folders: list[Path] = []  # the folder setup() was given (ATELIER_LOG_DIR or the default)


def log_folder() -> Path:
    """Where the window logs, as the About dialog names it."""
    from app.core.paths import user_log_dir

    return _folders[-1] if _folders else user_log_dir()


def setup(folder: Path) -> Path | None:
    """Log to `folder`/atelier.log (rotated); None when the folder cannot be written."""
    _folders.append(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / LOG_NAME, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return folder / LOG_NAME
