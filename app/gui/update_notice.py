"""A quiet status-bar notice when a newer release is out; nothing happens unless an address is set."""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QToolButton, QWidget

from app import __app_name__
from app.client import updates
from app.client.updates import Release
from app.gui import icons
from app.gui.tasks import Tasks
from app.library.service import LibraryService

log = logging.getLogger(__name__)


class UpdateNotice(QWidget):
    """"Atelier 1.2 is available — Download" with a close button; it never installs anything."""

    dismissed = Signal()

    def __init__(self, release: Release, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.release = release
        self.label = QLabel(
            f"{html.escape(__app_name__)} {html.escape(release.version)} is available "
            f'(you have {html.escape(release.current)}) · <a href="{html.escape(release.url, quote=True)}">'
            "Download</a>"
        )
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setOpenExternalLinks(True)  # the browser downloads it; the user installs it
        self.label.setToolTip(release.url)
        close = QToolButton()
        close.setIcon(icons.icon("close"))
        close.setToolTip("Hide this notice")
        close.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(self.label)
        layout.addWidget(close)
        close.clicked.connect(self._dismiss)

    @Slot()
    def _dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
        self.deleteLater()


def find_release(library: LibraryService, address: str | None = None) -> Release | None:
    """Off the GUI thread: the configured address's release, or None when checks are off.

    address: ATELIER_UPDATE_URL from the window's settings; it wins over the library's.
    """
    url = updates.configured_url(library.get_setting(updates.SETTING_KEY), override=address)
    return updates.check(url) if url else None


def install(
    window: QMainWindow,
    library: LibraryService | None = None,
    tasks: Tasks | None = None,
    *,
    address: str | None = None,
) -> None:
    """Check in the background once; show the notice in window's status bar if there is news."""
    lib = library or window.library  # type: ignore[attr-defined]
    runner = tasks or window.tasks  # type: ignore[attr-defined]

    def show(release: Release | None) -> None:
        if release is not None and release.is_newer:
            window.statusBar().addPermanentWidget(UpdateNotice(release, window))

    def failed(error: object) -> None:
        # Not being able to ask is no reason to bother the user.
        log.info("Update check skipped: %s", error)

    runner.run(lambda: find_release(lib, address), show, failed)
