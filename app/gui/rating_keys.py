"""Keys 0-5 rate the selected assets and 6-9 give them a colour label, as in Bridge (grid focus only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

# Bridge's keys: 6 red, 7 yellow, 8 green, 9 blue (purple has no key there either).
LABEL_KEYS = (("6", "red"), ("7", "yellow"), ("8", "green"), ("9", "blue"))


def install(w: MainWindow) -> list[QAction]:
    """Shortcuts on the grid itself, so typing digits in the search box is never taken."""
    actions = []
    for n in range(6):
        actions.append(_key(w, str(n), f"Rate {n}", lambda n=n: rate(w, n)))
    for key, label in LABEL_KEYS:
        actions.append(_key(w, key, f"Label {label}", lambda label=label: set_label(w, label)))
    return actions


def _key(w: MainWindow, key: str, text: str, slot: object) -> QAction:
    action = QAction(text, w.grid)
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(slot)  # type: ignore[arg-type]
    w.grid.addAction(action)
    return action


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
    current = {lib.find.metadata(i, uid)["label"] for i in ids[:1]}
    value = None if current == {label} else label
    w.commands._write(
        lambda: lib.find.set_label(ids, value, uid),
        lambda _n: _done(w, ids, f"Labelled {len(ids)} asset(s) {value or 'none'}"),
    )


def _done(w: MainWindow, ids: list[str], message: str) -> None:
    w.notify(message)
    shown = w.details.record
    if shown is not None and shown.id in ids:
        w.details.show_record(shown)
