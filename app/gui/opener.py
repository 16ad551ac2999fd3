"""Files handed to Atelier by the desktop ("Open with Atelier", a drop on the app icon) are imported."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFileOpenEvent

from app.gui.main_window import MainWindow

# macOS sends one FileOpen event per file when several are opened at once; gathering them
# for a moment makes one import (one progress bar, one summary) instead of one per file.
GATHER_MS = 150


class FileOpener(QObject):
    """Collects paths from the command line and from FileOpen events, then imports them."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._pending: list[Path] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(GATHER_MS)
        self._timer.timeout.connect(self.flush)

    def open(self, paths: list[Path]) -> None:
        self._pending.extend(paths)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            name = event.file()
            if name:
                self.open([Path(name)])
                return True
        return super().eventFilter(watched, event)

    def flush(self) -> None:
        paths, self._pending = list(dict.fromkeys(self._pending)), []
        if not paths:
            return
        missing = [p for p in paths if not p.exists()]
        present = [p for p in paths if p.exists()]
        if missing:
            names = ", ".join(p.name or str(p) for p in missing[:3])
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            self.window.show_error(f"Cannot open {names}{more}: no such file or folder")
        if present:
            self.window.import_paths(present, None)
        self.raise_window()

    def raise_window(self) -> None:
        if self.window.isMinimized():
            self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
