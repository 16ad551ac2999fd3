"""Failing visibly: a library that cannot be opened and unexpected exceptions become dialogs."""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from app.core.errors import AtelierError
from app.gui.dialogs import MessageDialog

log = logging.getLogger(__name__)
L = TypeVar("L")


def reason_for(exc: BaseException) -> str:
    """Why a library did not open, in one line a designer can act on."""
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    low = text.lower()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "disk is full" in low or "no space" in low:
        return "The disk holding the library is full."
    if isinstance(exc, PermissionError) or isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) \
            or "readonly database" in low or "read-only" in low:
        return "Atelier may not write in this folder (no permission, or a read-only disk)."
    if isinstance(exc, FileExistsError) or isinstance(exc, NotADirectoryError):
        return "This path is a file, not a library folder."
    if "is locked" in low or "database is locked" in low:
        return "Another program holds the library locked."
    if "not a database" in low or "malformed" in low or "file is encrypted" in low:
        return "library.db is damaged or is not an Atelier library."
    if isinstance(exc, AtelierError):
        return text
    if isinstance(exc, sqlite3.Error):
        return f"The library's database cannot be read ({text})."
    return f"The library cannot be opened ({text})."


class StartupProblem(MessageDialog):
    """The library at `path` did not open: choose or create another, or quit."""

    def __init__(self, path: Path, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Atelier", "Atelier cannot open this library", reason)
        self.path_label = self.add_line(f"Library: {path}")
        self.add_button("quit", "Quit")
        self.add_button("create", "Create New Library…", closes=False).clicked.connect(lambda: self._pick("create"))
        self.add_button("choose", "Open Another Library…", primary=True, closes=False).clicked.connect(
            lambda: self._pick("choose")
        )
        self.picked: Path | None = None
        self.pick_folder: Callable[[str], str] = lambda caption: QFileDialog.getExistingDirectory(self, caption)

    def _pick(self, key: str) -> None:
        caption = "Choose a library folder" if key == "choose" else "Choose an empty folder for the new library"
        folder = self.pick_folder(caption)
        if folder:
            self.picked = Path(folder)
            self._chose(key)


def ask_startup_problem(path: Path, reason: str) -> Path | None:
    dialog = StartupProblem(path, reason)
    dialog.exec()
    return dialog.picked


def open_library(
    path: Path, open_fn: Callable[[Path], L], ask: Callable[[Path, str], Path | None] = ask_startup_problem
) -> L | None:
    """open_fn(path) until it works; on failure ask for another folder (None: the person quit)."""
    while True:
        try:
            return open_fn(path)
        except Exception as exc:  # any reason at all must reach the person, not only stderr
            reason = reason_for(exc)
            log.warning("cannot open library %s: %s", path, reason, exc_info=True)
            picked = ask(path, reason)
            if picked is None:
                return None
            path = picked


class CrashDialog(MessageDialog):
    """A short note about an unexpected error with its full details one click away."""

    def __init__(self, summary: str, details: str, log_file: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(
            parent, "Atelier", "Something went wrong",
            f"{summary}\nYour library is safe; you can keep working or restart Atelier.",
        )
        self.details = details
        if log_file is not None:
            self.add_line(f"Details were written to {log_file}")
        self.add_button("copy", "Copy Details", closes=False).clicked.connect(self.copy_details)
        self.add_button("close", "Close", primary=True)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details)
        self.buttons["copy"].setText("Copied")


ExcHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


class CrashHandler:
    """sys.excepthook for the window: log the traceback to the log file, show one CrashDialog."""

    def __init__(self, log_file: Path | None) -> None:
        self.log_file = log_file
        self.dialog: CrashDialog | None = None
        self.previous: ExcHook = sys.excepthook

    def install(self) -> CrashHandler:
        sys.excepthook = self
        return self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self.previous

    def report(self, exc: BaseException, *, modal: bool = False) -> None:
        """An error caught on the way (building the window): logged and shown like any other."""
        self(type(exc), exc, exc.__traceback__)
        if modal and self.dialog is not None:
            self.dialog.setModal(True)
            self.dialog.exec()

    def __call__(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self.previous(kind, exc, tb)
            return
        details = "".join(traceback.format_exception(kind, exc, tb))
        log.error("unexpected error in the window\n%s", details)
        if QApplication.instance() is None:
            self.previous(kind, exc, tb)
            return
        summary = f"{kind.__name__}: {' '.join(str(exc).split())}"[:300]
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.details += "\n" + details  # a burst of errors: one dialog, all the details
            return
        self.dialog = CrashDialog(summary, details, self.log_file, QApplication.activeWindow())
        self.dialog.setModal(False)
        self.dialog.show()
