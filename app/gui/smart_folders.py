"""Smart folders in the window: the built-in rights folders, live counts, and new / edit / delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

from app.gui.scope import Scope
from app.gui.sidebar import BUILTIN_PREFIX, SmartItem
from app.gui.smart_dialog import SmartFolderDialog
from app.library.find import Rule, parse_rule
from app.library.records import AssetQuery
from app.library.service import LibraryService

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

__all__ = ["BUILTINS", "BUILTIN_PREFIX", "delete_smart", "count_items", "edit_smart", "list_items", "load_items", "new_smart"]

# Usage rights as a designer watches them (Bynder, Brandfolder): built in, not editable.
BUILTINS: tuple[SmartItem, ...] = (
    SmartItem(f"{BUILTIN_PREFIX}expiring", "Rights expiring soon", ("rights=expiring",)),
    SmartItem(f"{BUILTIN_PREFIX}expired", "Rights expired", ("rights=expired",)),
)


def list_items(lib: LibraryService, uid: int) -> list[SmartItem]:
    """Any thread: the user's smart folders then the built-in ones, not counted (cheap)."""
    items = [
        SmartItem(str(f.id), f.name, tuple(str(r) for r in f.rules), f.match)
        for f in lib.find.smart_folders(uid, counts=False)
    ]
    return [*items, *BUILTINS]


def count_items(lib: LibraryService, uid: int, items: list[SmartItem]) -> list[SmartItem]:
    """Any thread: each item with its live count.

    The count is the same query the grid runs when the folder is clicked (count_assets of
    the folder's scope), so the two can never disagree.
    """
    return [
        SmartItem(i.id, i.name, i.rules, i.match, lib.count_assets(AssetQuery(user_id=uid, rules=i.rules, match=i.match)))
        for i in items
    ]


def load_items(lib: LibraryService, uid: int) -> list[SmartItem]:
    """Any thread: every smart folder with its count."""
    return count_items(lib, uid, list_items(lib, uid))


def _names(w: MainWindow) -> dict[str, list[str]]:
    clients = w.known_clients()
    return {
        "client": [c.name for c, _ in clients],
        "campaign": [p.name for _, campaigns in clients for p in campaigns],
    }


def _rules(texts: tuple[str, ...]) -> list[Rule]:
    out = []
    for text in texts:
        try:
            out.append(parse_rule(text))
        except ValueError:
            continue
    return out


def current_search_rules(w: MainWindow) -> list[str]:
    """The grid's filters as rules, to start a new smart folder from what is shown."""
    f = w.filters
    rules: list[str] = list(f.scope.rules) if f.scope.match == "all" else []
    if f.scope.kind in ("client", "campaign") and f.scope.id:
        rules.append(f"{f.scope.kind}={f.scope.id}")
    if f.asset_type:
        rules.append(f"type={f.asset_type}")
    if f.text.strip():
        rules.append(f"text~{f.text.strip()}")
    if f.review_status:
        rules.append(f"review={f.review_status}")
    if f.colour:
        rules.append(f"color={f.colour}")
    return rules


def new_smart(w: MainWindow, rules: list[str] | None = None, dialog: SmartFolderDialog | None = None) -> None:
    dialog = dialog or SmartFolderDialog(w, rules=_rules(tuple(rules or ())), names=_names(w))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    lib, uid = w.library, w.uid
    name, texts, match = dialog.name(), dialog.rule_texts(), dialog.match()
    w.commands._write(
        lambda: lib.find.add_smart(name, texts, match, uid),
        lambda folder: _created(w, folder),
    )


def _created(w: MainWindow, folder: object) -> None:
    w.select_scope_later("smart", str(getattr(folder, "id", "")))
    w.notify(f"Smart folder “{getattr(folder, 'name', '')}” created")


def edit_smart(w: MainWindow, scope: Scope, dialog: SmartFolderDialog | None = None) -> None:
    if scope.kind != "smart" or scope.id is None or scope.id.startswith(BUILTIN_PREFIX):
        return
    dialog = dialog or SmartFolderDialog(
        w, name=scope.name, rules=_rules(scope.rules), match=scope.match, names=_names(w), editing=True
    )
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    lib, uid, folder_id = w.library, w.uid, scope.id
    name, texts, match = dialog.name(), dialog.rule_texts(), dialog.match()
    w.commands._write(
        lambda: lib.find.edit_smart(folder_id, uid, name=name, rules=texts, match=match),
        lambda _f: w.notify(f"Smart folder “{name}” saved"),
    )


def delete_smart(w: MainWindow, scope: Scope) -> None:
    if scope.kind != "smart" or scope.id is None or scope.id.startswith(BUILTIN_PREFIX):
        return
    if not w.prompts.confirm(
        w, "Delete smart folder",
        f"Delete the smart folder “{scope.name}”? Only the saved search goes; no asset is deleted.",
        "Delete",
    ):
        return
    lib, uid, folder_id = w.library, w.uid, scope.id
    w.commands._write(
        lambda: lib.find.remove_smart(folder_id, uid),
        lambda _n: w.notify(f"Deleted the smart folder “{scope.name}”"),
    )
