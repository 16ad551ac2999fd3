"""The new-feedback notice: a status-bar button that narrows the grid to what clients just reviewed."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPushButton

NOTICE = "feedback_notice"


def show_feedback_notice(window: Any, count: int, after: int) -> QPushButton:
    """One notice at a time; clicking it shows the assets with reviews stored after `after`."""
    bar = window.statusBar()
    button = bar.findChild(QPushButton, NOTICE)
    if button is None:
        button = QPushButton(bar)
        button.setObjectName(NOTICE)
        button.setFlat(True)
        button.setStyleSheet("QPushButton { color: #3b5bdb; font-weight: 600; padding: 0 8px; }")
        bar.insertPermanentWidget(0, button)  # permanent: a status message does not hide it
        button.clicked.connect(lambda: _show(window, button))
    button.setProperty("after", after)
    button.setText(f"{count} new client review{'' if count == 1 else 's'}: show")
    button.setToolTip("Show only the assets with this new feedback")
    # The status bar squeezes its widgets: keep the whole sentence readable.
    button.setMinimumWidth(button.fontMetrics().horizontalAdvance(button.text()) + 28)
    button.show()
    return button


def _show(window: Any, button: QPushButton) -> None:
    window.filter_bar.review_button.setText("New feedback")
    window._set_filters(review_status=None, review_after=int(button.property("after")))
    button.hide()
