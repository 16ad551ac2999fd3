"""Request files…: an upload link into a campaign (uploader quota, expiry), copied to the clipboard."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.gui.scope import Scope
from app.gui.share_dialog import make_link
from app.sync.share import ShareOptions, share_scope

MB = 1024 * 1024


class RequestFilesDialog(QDialog):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Request files")
        intro = QLabel(f"A link where your client drops files into “{name}”. "
                       "Each file is checked like any import; the sender's name is kept.")
        intro.setWordWrap(True)
        self.expires = QCheckBox("Expires on")
        self.expires.setChecked(True)
        self.date = QDateEdit(QDate.currentDate().addDays(14))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("d MMM yyyy")
        self.date.setMinimumDate(QDate.currentDate())
        self.expires.toggled.connect(self.date.setEnabled)
        # 0 reads "No limit" so the common case needs no extra checkbox.
        self.files = QSpinBox()
        self.files.setRange(0, 100_000)
        self.files.setValue(50)
        self.files.setSpecialValueText("No limit")
        self.files.setSuffix(" files")
        self.megabytes = QSpinBox()
        self.megabytes.setRange(0, 1_000_000)
        self.megabytes.setValue(2048)
        self.megabytes.setSpecialValueText("No limit")
        self.megabytes.setSuffix(" MB in all")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Optional")
        form = QFormLayout()
        form.addRow(self.expires, self.date)
        form.addRow("At most", self.files)
        form.addRow("Size limit", self.megabytes)
        form.addRow("Password", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = buttons.addButton("Create Link", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def options(self) -> ShareOptions:
        expires = None
        if self.expires.isChecked():
            day = self.date.date().toPython()
            expires = datetime.combine(day, time(23, 59, 59), tzinfo=UTC)  # the whole last day
        return ShareOptions(kind="upload", expires_at=expires, password=self.password.text() or None,
                            quota_files=self.files.value() or None,
                            quota_bytes=self.megabytes.value() * MB or None)


def request_files(window: Any, scope: Scope, dialog: RequestFilesDialog | None = None) -> None:
    """Request files… on a campaign: the dialog, a sync, then the upload link on the clipboard."""
    if scope.kind != "campaign" or not scope.id:
        return
    dialog = dialog or RequestFilesDialog(scope.name, window)
    scope_id = scope.id
    make_link(window, "Request files", dialog,
              lambda options: share_scope(window.library, "campaign", scope_id, options))
