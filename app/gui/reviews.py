"""The details pane's Client review section: the latest decision and every comment from share links."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.library.service import LibraryService
from app.library.shares import ReviewRecord, ShareService

STATUS_TEXT = {"approved": "Approved", "changes_requested": "Changes requested"}
# The same greens and oranges as the share pages' badges.
STATUS_COLOR = {"approved": "#1f8a55", "changes_requested": "#c2561b", None: "#3b5bdb"}


def _plain(text: str) -> QLabel:
    """A label that never reads its text as rich text: names and comments come from clients."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


class ReviewSection(QWidget):
    """Hidden for assets nobody reviewed; otherwise a status line and the notes, newest first."""

    def __init__(self, library: LibraryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shares = ShareService(library)
        self.asset_id: str | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.status = _plain("")
        self.status.setObjectName("ReviewStatus")
        self.status.setWordWrap(False)
        badge_row = QHBoxLayout()
        badge_row.addWidget(self.status)
        badge_row.addStretch(1)
        self._layout.addLayout(badge_row)
        self.notes: list[QLabel] = []
        self.setVisible(False)

    def show_asset(self, asset_id: str | None) -> None:
        self.asset_id = asset_id
        reviews = self.shares.reviews_for_asset(asset_id) if asset_id else []
        for label in self.notes:
            self._layout.removeWidget(label)
            label.deleteLater()
        self.notes = []
        if not reviews:
            self.setVisible(False)
            return
        decision = next((r.decision for r in reversed(reviews) if r.decision), None)
        comments = sum(1 for r in reviews if r.comment)
        words = [STATUS_TEXT[decision]] if decision else []
        if comments:
            words.append(f"{comments} comment{'' if comments == 1 else 's'}")
        self.status.setText(" · ".join(words))
        self.status.setStyleSheet(
            f"color: white; background: {STATUS_COLOR[decision]}; border-radius: 9px;"
            "padding: 2px 10px; font-weight: 600;"
        )
        for review in reversed(reviews):
            label = _plain(self._note(review))
            label.setObjectName("ReviewNote")
            self._layout.addWidget(label)
            self.notes.append(label)
        self.setVisible(True)

    @staticmethod
    def _note(r: ReviewRecord) -> str:
        head = f"{r.reviewer} · {r.created_at:%d %b %Y}"
        if r.decision:
            head += f" · {STATUS_TEXT[r.decision]}"
        return f"{head}\n{r.comment}" if r.comment else head
