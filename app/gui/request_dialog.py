"""Request files…: an upload link into a campaign (uploader quota, expiry), copied to the clipboard."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QSpinBox,
    QWidget,
)

from app.gui.scope import Scope
from app.gui.share_dialog import LinkDialog, make_link
from app.sync.share import ShareOptions, share_scope

MB = 1024 * 1024


class RequestFilesDialog(LinkDialog):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__("Request files", f"A link where your client drops files into “{name}”. "
                         "Each file is checked like any import; the sender's name is kept.", 14, parent)
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
        self.form.addRow("At most", self.files)
        self.form.addRow("Size limit", self.megabytes)
        self._finish()

    def options(self) -> ShareOptions:
        return ShareOptions(kind="upload", expires_at=self.expires_at(), password=self.password.text() or None,
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
