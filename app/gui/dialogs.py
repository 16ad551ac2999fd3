"""One styled message dialog (heading, text, buttons) used instead of QMessageBox's stock icons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

TEXT_WIDTH = 400


class MessageDialog(QDialog):
    """A heading, a wrapped explanation and a row of buttons; `choice` names the button pressed."""

    def __init__(self, parent: QWidget | None, title: str, heading: str, text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("MessageDialog")
        self.setMinimumWidth(440)
        self.choice: str | None = None
        layout = QVBoxLayout(self)
        # As tall as the wrapped text needs, no taller: no gaps between the lines.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(10)
        self.heading = QLabel(heading, objectName="DialogHeading")
        self.heading.setWordWrap(True)
        self.text = QLabel(text)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        for label in (self.heading, self.text):
            label.setMinimumWidth(TEXT_WIDTH)  # the fixed-size layout takes its width from these
        layout.addWidget(self.heading)
        layout.addWidget(self.text)
        self.body = layout
        self.button_row = QHBoxLayout()
        self.button_row.addStretch(1)
        layout.addSpacing(6)
        layout.addLayout(self.button_row)
        self.buttons: dict[str, QPushButton] = {}

    def add_line(self, text: str) -> QLabel:
        """A further selectable line above the buttons (a path, a log file)."""
        label = QLabel(text, objectName="Muted")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setMinimumWidth(TEXT_WIDTH)
        self.body.insertWidget(self.body.count() - 2, label)
        return label

    def add_button(self, key: str, label: str, *, primary: bool = False, closes: bool = True) -> QPushButton:
        button = QPushButton(label)
        button.setAutoDefault(primary)
        button.setDefault(primary)
        if primary:
            button.setObjectName("Primary")
        self.buttons[key] = button
        self.button_row.addWidget(button)
        if closes:
            button.clicked.connect(lambda: self._chose(key))
        return button

    def _chose(self, key: str) -> None:
        self.choice = key
        self.accept()
