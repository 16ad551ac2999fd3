"""Share for review…: a campaign or client as a link on the asset server, copied to the clipboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.client.errors import ServerUnreachable
from app.gui import rights_guard
from app.gui.scope import Scope
from app.sync.share import ShareOptions, share_assets, share_scope

OFFLINE = "The asset server cannot be reached: links need it (everything else works offline)"
NO_SERVER = "Links live on the asset server: connect this library to one first (the sync button)"


class LinkDialog(QDialog):
    """What every link dialog asks: an expiry day and an optional password, then Create Link."""

    def __init__(self, title: str, intro_text: str, expiry_days: int, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.intro = QLabel(intro_text)
        self.intro.setWordWrap(True)
        self.expires = QCheckBox("Expires on")
        self.expires.setChecked(True)
        self.date = QDateEdit(QDate.currentDate().addDays(expiry_days))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("d MMM yyyy")
        self.date.setMinimumDate(QDate.currentDate())
        self.expires.toggled.connect(self.date.setEnabled)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Optional")
        self.form = QFormLayout()
        self.form.addRow(self.expires, self.date)

    def _finish(self, *below: QWidget) -> None:
        """The password row last in the form, then what goes below it, then the buttons."""
        self.form.addRow("Password", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.addButton("Create Link", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        for widget in below:
            layout.addWidget(widget)
        layout.addWidget(buttons)

    def expires_at(self) -> datetime | None:
        if not self.expires.isChecked():
            return None
        day = self.date.date().toPython()
        return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)  # the whole last day


class ShareDialog(LinkDialog):
    def __init__(self, name: str, parent: QWidget | None = None, quoted: bool = True) -> None:
        what = f"“{name}”" if quoted else name
        super().__init__("Share for review", f"A link to {what} for your client: it opens in any browser.",
                         30, parent)
        self.download = QCheckBox("Originals may be downloaded (otherwise previews only)")
        self.download.setChecked(True)
        self.review = QCheckBox("Reviewers may approve, request changes and comment")
        self.review.setChecked(True)
        self._finish(self.download, self.review)

    def options(self) -> ShareOptions:
        return ShareOptions(expires_at=self.expires_at(), password=self.password.text() or None,
                            allow_download=self.download.isChecked(),
                            allow_review=self.review.isChecked())


def share_for_review(window: Any, scope: Scope, dialog: ShareDialog | None = None) -> None:
    """Ask for the link's options, then sync and make it in the background; the URL is copied."""
    if scope.kind not in ("client", "campaign") or not scope.id:
        return
    expired = rights_guard.expired_in_scope(window.library, window.uid, scope.kind, scope.id)
    if expired and not rights_guard.allow(window, expired, "Share assets with expired rights", "Share", "Share Anyway"):
        return
    dialog = dialog or ShareDialog(scope.name, window)
    kind, scope_id = scope.kind, scope.id
    make_link(window, "Share for review", dialog,
              lambda options: share_scope(window.library, kind, scope_id, options))


def share_selection(window: Any, asset_ids: list[str], dialog: ShareDialog | None = None) -> None:
    """Share for review… on the grid's selection: the same dialog, a link to just those assets."""
    if not asset_ids:
        return
    ids = list(asset_ids)
    if not rights_guard.allow(window, ids, "Share assets with expired rights", "Share", "Share Anyway"):
        return
    name = "1 asset" if len(ids) == 1 else f"{len(ids)} assets"
    dialog = dialog or ShareDialog(name, window, quoted=False)
    make_link(window, "Share for review", dialog, lambda options: share_assets(window.library, ids, options))


def make_link(window: Any, title: str, dialog: Any, job: Callable[[ShareOptions], str]) -> None:
    """The dialog, then the sync and the link in the background; the URL lands on the clipboard."""
    if window.sync.remote() is None:
        window.prompts.error(window, title, NO_SERVER)
        return
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    options = dialog.options()
    bar = window.statusBar()
    bar.showMessage("Uploading what the link needs, then making it…")

    def done(url: object) -> None:
        QGuiApplication.clipboard().setText(str(url))
        bar.showMessage(f"Link copied: {url}", 30_000)

    def failed(exc: object) -> None:
        bar.clearMessage()
        text = OFFLINE if isinstance(exc, ServerUnreachable) else str(exc).splitlines()[0]
        window.prompts.error(window, title, text)

    window.tasks.run(lambda: job(options), done, failed)
