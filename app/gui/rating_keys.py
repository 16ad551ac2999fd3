"""Keys 0-5 rate the selected assets and 6-9 give them a colour label, as in Bridge (grid focus only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

# Bridge's keys: 6 red, 7 yellow, 8 green, 9 blue (purple has no key there either).
LABEL_KEYS = (("6", "red"), ("7", "yellow"), ("8", "green"), ("9", "blue"))


class _Keys(QObject):
    """Watches the grid's key presses; digits never reach the grid's type-to-find."""

    def __init__(self, w: MainWindow) -> None:
        super().__init__(w.grid)
        self.w = w

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        text = event.text()
        if text in "012345" and text:
            rate(self.w, int(text))
            return True
        label = dict(LABEL_KEYS).get(text)
        if label is not None:
            set_label(self.w, label)
            return True
        return False


def install(w: MainWindow) -> QObject:
    """On the grid itself, so typing digits in the search box is never taken."""
    keys = _Keys(w)
    w.grid.installEventFilter(keys)
    return keys


def rate(w: MainWindow, stars: int) -> None:
    ids = list(w.grid.selected_ids())
    if not ids:
        return
    lib, uid = w.library, w.library.local_user_id
    w.commands._write(
        lambda: lib.find.set_rating(ids, stars, uid),
        lambda _n: _done(w, ids, f"Rated {len(ids)} asset(s) {'★' * stars or 'no stars'}"),
    )


def set_label(w: MainWindow, label: str) -> None:
    ids = list(w.grid.selected_ids())
    if not ids:
        return
    lib, uid = w.library, w.library.local_user_id
    # The same key again takes the label off, as in Bridge.
    # The tile's state, not the whole metadata (which also probes for look-alikes).
    current = {state.label for state in lib.find.tile_states(ids[:1]).values()}
    value = None if current == {label} else label
    w.commands._write(
        lambda: lib.find.set_label(ids, value, uid),
        lambda _n: _done(w, ids, f"Labelled {len(ids)} asset(s) {value or 'none'}"),
    )


def _done(w: MainWindow, ids: list[str], message: str) -> None:
    w.notify(message)
    w.forget_badges(ids)  # the tiles show the new stars or label at once
    shown = w.details.record
    if shown is not None and shown.id in ids:
        w.details.show_record(shown)
