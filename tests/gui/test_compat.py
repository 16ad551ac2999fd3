"""The guard against PySide6 6.12.0's lost references to None on Python 3.11."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QWidget

from app.gui.compat import needs_guard

pytestmark = pytest.mark.gui


def test_only_the_affected_combination_is_guarded() -> None:
    assert needs_guard("6.12.0", (3, 11))
    assert not needs_guard("6.12.0", (3, 12))
    assert not needs_guard("6.11.3", (3, 11))


def test_thousands_of_qt_calls_cannot_use_up_none(qtbot) -> None:  # type: ignore[no-untyped-def]
    widget = QWidget()
    qtbot.addWidget(widget)
    # Far more void calls than None has references in a fresh interpreter (a few thousand):
    # without the guard on an affected PySide6 this aborts the whole test run.
    for _ in range(50_000):
        widget.update()
    assert sys.getrefcount(None) > 10_000
