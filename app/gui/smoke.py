"""For `atelier --self-test`: the real window drawn offscreen, and Qt's messages sent to logging."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

log = logging.getLogger("atelier.qt")

# What Qt says on a machine without a display, a sound server or a login session, which is
# where the self-test usually runs (CI, a build box): facts about the machine, not faults of
# Atelier. They are logged at INFO and counted; everything else from Qt keeps its level.
HEADLESS_NOTES: tuple[tuple[str, str], ...] = (
    ("default", "This plugin does not support propagateSizeHints()"),  # the offscreen platform
    ("qt.multimedia.symbolsresolver", "pipewire"),  # no PipeWire installed
    ("default", "PulseAudioService: pa_context_connect() failed"),  # no sound server running
    ("default", "XDG_RUNTIME_DIR not set"),  # no login session (a service, a container)
)
headless_notes: list[str] = []


@dataclass(frozen=True, slots=True)
class WindowReport:
    rows: int
    thumbnails: int
    screenshot: Path
    colors: int  # distinct colours in a sample of the screenshot: a blank window has one or two


def route_qt_messages() -> object:
    """Send Qt's own warnings (plugins that fail to load, bad calls) to Python logging.

    Returns the handler it replaced, for a caller that wants to put it back.
    """
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, context: object, message: str) -> None:
        category = getattr(context, "category", "") or "default"
        level = levels.get(kind, logging.WARNING)
        if level <= logging.WARNING and any(c == category and t in message for c, t in HEADLESS_NOTES):
            headless_notes.append(message)
            level = logging.INFO
        log.log(level, "[%s] %s", category, message)

    return qInstallMessageHandler(handler)


def render_window(data_dir: Path, expected_rows: int, screenshot: Path, timeout: float = 60.0) -> WindowReport:
    """Open the library in the real MainWindow offscreen, wait for every thumbnail, save a picture.

    Raises RuntimeError with what did not happen in time.
    """
    # Must be set before the QApplication exists; the self-test never needs a display.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    # Before the GUI modules load: Qt Multimedia already speaks while its library loads.
    route_qt_messages()
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.gui import theme
    from app.gui.main_window import MainWindow
    from app.library.service import LibraryService

    app = QApplication.instance() or QApplication(["atelier"])
    assert isinstance(app, QApplication)
    theme.apply(app)
    library = LibraryService(data_dir)
    # A settings file of its own, so the user's window layout is neither read nor changed.
    settings = QSettings(str(screenshot.with_suffix(".ini")), QSettings.Format.IniFormat)
    window = MainWindow(library, settings=settings)
    try:
        window.resize(1280, 800)
        window.show()
        model, cache = window.model, window.thumbnails
        _wait(lambda: model.loaded and model.rowCount() == expected_rows, timeout,
              lambda: f"the grid shows {model.rowCount()} of {expected_rows} assets")  # fmt: skip

        def thumbnails_done() -> bool:
            window.grid.viewport().repaint()  # the delegate asks for what it paints
            ids = [model.asset_id(row) for row in range(model.rowCount())]
            return cache.cached_count >= expected_rows or any(i and cache.is_missing(i) for i in ids)

        _wait(thumbnails_done, timeout,
              lambda: f"{cache.cached_count} of {expected_rows} thumbnails were drawn")  # fmt: skip
        missing = [i for i in (model.asset_id(r) for r in range(model.rowCount())) if i and cache.is_missing(i)]
        if missing:
            raise RuntimeError(f"The window has no thumbnail for {len(missing)} asset(s)")
        image = window.grab().toImage()
        if image.isNull() or not image.save(str(screenshot), "PNG"):
            raise RuntimeError("The window could not be drawn to a picture")
        return WindowReport(expected_rows, cache.cached_count, screenshot, _colors(image))
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
        library.close()


def _wait(done: Callable[[], bool], timeout: float, status: Callable[[], str]) -> None:
    """Run the event loop in short slices until done() or the timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    deadline = time.monotonic() + timeout
    loop = QEventLoop()
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"Timed out after {timeout:g} s: {status()}")
        # Worker results arrive as queued events, delivered while the loop runs.
        QTimer.singleShot(50, loop.quit)
        loop.exec()


def _colors(image: QImage) -> int:
    seen = set()
    step = max(1, min(image.width(), image.height()) // 64)
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            seen.add(image.pixel(x, y))
    return len(seen)
