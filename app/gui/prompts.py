"""The questions the window asks a person; tests pass their own Prompts that answer at once."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


class Prompts:
    """Blocking questions (confirm, ask for a name, pick files) and a non-blocking error note."""

    def confirm(self, parent: QWidget, title: str, text: str, action: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel, parent)
        ok = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is ok

    def ask_text(self, parent: QWidget, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
        return value.strip() if ok and value.strip() else None

    def pick_files(self, parent: QWidget) -> list[str]:
        files, _ = QFileDialog.getOpenFileNames(
            parent,
            "Import files",
            "",
            "Assets (*.jpg *.jpeg *.png *.gif *.webp *.mp4 *.mov *.mp3 *.wav *.pdf);;All files (*)",
        )
        return files

    def pick_folder(self, parent: QWidget) -> str | None:
        folder = QFileDialog.getExistingDirectory(parent, "Import a folder")
        return folder or None

    def error(self, parent: QWidget, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
        box.setModal(False)
        box.show()
