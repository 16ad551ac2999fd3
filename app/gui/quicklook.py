"""Quick Look: a large preview of the current asset; Space or Esc closes, arrows step through, K plays."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from app.gui import formatting
from app.gui.preview import AssetPreview
from app.gui.tasks import Tasks
from app.library.records import AssetRecord
from app.library.service import LibraryService


class QuickLookDialog(QDialog):
    step_requested = Signal(int)  # -1 previous, +1 next

    def __init__(self, library: LibraryService, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.resize(960, 720)
        self.preview = AssetPreview(library, tasks)
        self.caption = QLabel("")
        self.caption.setObjectName("Muted")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 10)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.caption)

    def show_record(self, record: AssetRecord) -> None:
        self.setWindowTitle(record.name)
        self.caption.setText(f"{record.name}  ·  {formatting.tile_caption(record)}")
        self.preview.show_asset(record)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Escape):
            self.close()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.step_requested.emit(-1)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.step_requested.emit(+1)
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.preview.stop()  # a playing video must not go on talking behind the window
        super().closeEvent(event)
