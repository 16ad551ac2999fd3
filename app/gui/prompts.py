"""The questions the window asks a person; tests pass their own Prompts that answer at once."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QDialog, QFileDialog, QLineEdit, QWidget

from app.gui.dialogs import MessageDialog

LAST_IMPORT_KEY = "import/last_folder"
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def import_start_folder(settings: QSettings) -> str:
    """Where the Import dialog opens: the last folder used, else Pictures, else home."""
    last = settings.value(LAST_IMPORT_KEY)
    if isinstance(last, str) and last and Path(last).is_dir():
        return last
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    if pictures and Path(pictures).is_dir():
        return pictures
    return str(Path.home())


def remember_import_folder(settings: QSettings, chosen: str | None) -> None:
    if chosen:
        folder = Path(chosen)
        settings.setValue(LAST_IMPORT_KEY, str(folder if folder.is_dir() else folder.parent))


class TextDialog(MessageDialog):
    """Ask for a name: wide enough for a long one, the stem selected (not the extension)."""

    def __init__(self, parent: QWidget | None, title: str, label: str, text: str = "") -> None:
        super().__init__(parent, title, title, label)
        self.setMinimumWidth(460)
        self.field = QLineEdit(text)
        self.field.setMinimumWidth(400)
        self.body.insertWidget(2, self.field)
        self.add_button("cancel", "Cancel")
        self.add_button("ok", "OK", primary=True)
        match = _EXTENSION.search(text)
        self.field.setSelection(0, match.start() if match and match.start() > 0 else len(text))
        self.field.setFocus()

    def value(self) -> str | None:
        value = self.field.text().strip()
        return value if self.choice == "ok" and value else None


class Prompts:
    """Blocking questions (confirm, ask for a name, pick files) and a non-blocking error note."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings or QSettings()
        self.last_dialog: QDialog | None = None

    def confirm(self, parent: QWidget, title: str, text: str, action: str) -> bool:
        box = MessageDialog(parent, title, title, text)
        box.add_button("cancel", "Cancel", primary=True)
        box.add_button("ok", action)
        self.last_dialog = box
        box.exec()
        return box.choice == "ok"

    def ask_text(self, parent: QWidget, title: str, label: str, text: str = "") -> str | None:
        dialog = TextDialog(parent, title, label, text)
        self.last_dialog = dialog
        dialog.exec()
        return dialog.value()

    def pick_files(self, parent: QWidget) -> list[str]:
        files, _ = QFileDialog.getOpenFileNames(
            parent,
            "Import files",
            import_start_folder(self.settings),
            "Assets (*.jpg *.jpeg *.png *.gif *.webp *.mp4 *.mov *.mp3 *.wav *.pdf);;All files (*)",
        )
        remember_import_folder(self.settings, files[0] if files else None)
        return files

    def pick_folder(self, parent: QWidget) -> str | None:
        folder = QFileDialog.getExistingDirectory(parent, "Import a folder", import_start_folder(self.settings))
        remember_import_folder(self.settings, folder or None)
        return folder or None

    def pick_colour(self, parent: QWidget, start: str) -> str | None:
        """A colour to search by, #rrggbb, or None when the person cancels."""
        picked = QColorDialog.getColor(QColor(start), parent, "Search by colour")
        return picked.name() if picked.isValid() else None

    def error(self, parent: QWidget, title: str, text: str) -> None:
        box = MessageDialog(parent, title, title, text)
        box.add_button("ok", "OK", primary=True)
        box.setModal(False)
        self.last_dialog = box
        box.show()
