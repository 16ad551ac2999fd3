"""The menu bar and the right-click menus of the grid and the sidebar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction, QFontDatabase, QKeySequence
from PySide6.QtWidgets import QMenu

from app.gui import icons
from app.gui.dialogs import MessageDialog
from app.gui.filter_bar import ZOOM_STEP
from app.gui.scope import Scope

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow


def _action(menu: QMenu, text: str, slot, icon: str | None = None, shortcut: str | QKeySequence | list | None = None) -> QAction:  # type: ignore[no-untyped-def,type-arg]
    action = menu.addAction(text)
    if icon:
        icons.set_icon(action, icon)
    action.triggered.connect(lambda _checked=False: slot())
    if isinstance(shortcut, list):
        # Platform standard keys often repeat one of the explicit ones: a duplicate is ambiguous.
        unique: dict[str, QKeySequence] = {}
        for key in shortcut:
            for seq in QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) else [QKeySequence(key)]:
                unique.setdefault(seq.toString(), seq)
        action.setShortcuts(list(unique.values()))
    elif shortcut is not None:
        action.setShortcut(shortcut)
    return action


def build_menu_bar(w: MainWindow) -> dict[str, QAction]:
    bar = w.menuBar()
    actions: dict[str, QAction] = {}
    file_menu = bar.addMenu("&File")
    actions["import"] = _action(file_menu, "Import Files…", w.import_files_dialog, "import", QKeySequence.StandardKey.Open)
    actions["import_folder"] = _action(file_menu, "Import Folder…", w.import_folder_dialog, "folder", "Ctrl+Shift+O")
    file_menu.addSeparator()
    actions["server"] = _action(file_menu, "Server…", w.commands.show_server_dialog, "server")
    file_menu.addSeparator()
    actions["quit"] = _action(file_menu, "Quit", w.close, None, QKeySequence.StandardKey.Quit)

    edit = bar.addMenu("&Edit")
    actions["find"] = _action(edit, "Find", w.focus_search, "search", QKeySequence.StandardKey.Find)
    actions["search_colour"] = _action(edit, "Search by Colour…", w.pick_colour, "palette", "Ctrl+Shift+C")
    actions["find_similar"] = _action(edit, "Find Similar", w.find_similar_selected, "image", "Ctrl+Shift+F")
    actions["rename"] = _action(edit, "Rename…", w.commands.rename_current, "rename", "F2")
    # Delete and Space are handled by the grid itself, so typing in a text field is never hijacked.
    actions["delete"] = _action(edit, "Delete\tDel", w.commands.delete_selected, "trash")
    edit.addSeparator()
    share = edit.addMenu("Share")
    actions["share_selection"] = _action(share, "Share Selection for Review…", lambda: _share_selection(w))
    actions["request_files"] = _action(share, "Request Files…", lambda: _request(w, w.filters.scope))

    view = bar.addMenu("&View")
    actions["quick_look"] = _action(view, "Quick Look\tSpace", w.commands.quick_look, "eye")
    view.addSeparator()
    actions["zoom_in"] = _action(view, "Zoom In", lambda: w.zoom_by(+ZOOM_STEP), "zoom-large", ["Ctrl+=", "Ctrl++", QKeySequence.StandardKey.ZoomIn])
    actions["zoom_out"] = _action(view, "Zoom Out", lambda: w.zoom_by(-ZOOM_STEP), "zoom-small", ["Ctrl+-", QKeySequence.StandardKey.ZoomOut])
    view.addSeparator()
    palettes = _action(view, "Colour Palettes on Tiles", lambda: w.show_tile_palettes(palettes.isChecked()), "palette", "Ctrl+Shift+P")
    palettes.setCheckable(True)
    actions["tile_palettes"] = palettes

    lib = bar.addMenu("&Library")
    actions["new_client"] = _action(lib, "New Client…", w.commands.new_client, "client")
    actions["new_campaign"] = _action(lib, "New Campaign…", w.commands.new_campaign_here, "campaign")
    lib.addSeparator()
    actions["new_smart"] = _action(lib, "New Smart Folder…", lambda: _new_smart(w), "smart", "Ctrl+Alt+N")
    actions["smart_from_search"] = _action(lib, "New Smart Folder from This Search…", lambda: _new_smart(w, True), "smart")

    help_menu = bar.addMenu("&Help")
    actions["shortcuts"] = _action(help_menu, "Keyboard Shortcuts", lambda: show_shortcuts(w), None, "Ctrl+/")
    actions["about"] = _action(help_menu, "About Atelier", lambda: show_about(w))
    return actions


SHORTCUTS = [
    ("Space", "Quick Look (Space again closes it)"),
    ("K", "Play or pause in Quick Look and the preview"),
    ("Enter", "Open with the default application"),
    ("F2", "Rename the asset or the sidebar entry"),
    ("Del", "Delete the selected assets"),
    ("←  →", "Previous / next asset in Quick Look"),
    ("Esc", "Close Quick Look"),
]


def shortcut_rows(w: MainWindow) -> list[tuple[str, str]]:
    """The menu's shortcuts as shown on this platform, then the keys the grid handles itself."""
    rows = []
    for action in w.actions_by_name.values():
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((keys, action.text().replace("&", "").split("\t")[0].rstrip("…")))
    return rows + SHORTCUTS


def show_shortcuts(w: MainWindow) -> MessageDialog:
    dialog = MessageDialog(w, "Keyboard Shortcuts", "Keyboard shortcuts", "")
    width = max(len(k) for k, _ in shortcut_rows(w))
    dialog.text.setText("\n".join(f"{k.ljust(width)}   {what}" for k, what in shortcut_rows(w)))
    dialog.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    dialog.add_button("close", "Close", primary=True)
    dialog.setModal(False)
    dialog.show()
    w.help_dialog = dialog
    return dialog


def show_about(w: MainWindow) -> MessageDialog:
    from app import __version__
    from app.gui import logs

    dialog = MessageDialog(w, "About Atelier", f"Atelier {__version__}", "An asset library and asset server for designers.")
    dialog.add_line(f"Library: {w.library.data_dir}")
    dialog.add_line(f"Log folder: {logs.log_folder()}")
    dialog.add_button("close", "Close", primary=True)
    dialog.setModal(False)
    dialog.show()
    w.help_dialog = dialog
    return dialog


def update_actions(w: MainWindow) -> None:
    """Rename and Delete only when they apply: one asset (or a sidebar entry) / a selection."""
    actions = w.actions_by_name
    count = len(w.grid.selected_ids())
    scope = w.sidebar.current_scope() if w.sidebar.hasFocus() else None
    named = scope is not None and (
        scope.kind in ("client", "campaign") or (scope.kind == "smart" and not _builtin(scope))
    )
    actions["rename"].setEnabled(count == 1 or named)
    actions["delete"].setEnabled(count > 0)
    actions["quick_look"].setEnabled(count > 0)
    records = w.selected_records() if count == 1 else []
    actions["find_similar"].setEnabled(bool(records) and records[0].asset_type in ("image", "video"))


def grid_menu(w: MainWindow, pos: QPoint) -> QMenu | None:
    records = w.selected_records()
    if not records:
        return None
    c = w.commands
    menu = QMenu(w)
    # The keys are shown, not bound: the grid and the menu bar own them, and a second
    # binding of the same key would make it ambiguous.
    _action(menu, f"Open\t{_key('Return')}", lambda: c.open_assets(records), "open")
    _action(menu, f"Quick Look\t{_key('Space')}", w.commands.quick_look, "eye")
    _action(menu, "Show in File Manager", lambda: c.reveal(records[0]), "folder")
    _action(menu, f"Copy\t{_key(QKeySequence.StandardKey.Copy)}", lambda: c.copy(records), "copy")
    similar_key = _key(w.actions_by_name["find_similar"].shortcut())
    similar = _action(menu, f"Find Similar\t{similar_key}", lambda: w.find_similar(records[0]), "search")
    similar.setEnabled(len(records) == 1 and records[0].asset_type in ("image", "video"))
    menu.addSeparator()
    rename = _action(menu, f"Rename…\t{_key(w.actions_by_name['rename'].shortcut())}", lambda: c.rename_asset(records[0]), "rename")
    rename.setEnabled(len(records) == 1)
    move = menu.addMenu("Move to")
    icons.set_icon(move.menuAction(), "campaign")
    ids = [r.id for r in records]
    _action(move, "Unassigned", lambda: c.refile(ids, Scope("unassigned", name="Unassigned")), "unassigned")
    clients = w.known_clients()
    if clients:
        move.addSeparator()
    for client, campaigns in clients:
        sub = move.addMenu(client.name)
        icons.set_icon(sub.menuAction(), "client")
        scope = Scope("client", client.id, name=client.name)
        _action(sub, f"{client.name} (no campaign)", lambda s=scope: c.refile(ids, s), "client")
        if campaigns:
            sub.addSeparator()
        for campaign in campaigns:
            cs = Scope("campaign", campaign.id, client.id, campaign.name)
            _action(sub, campaign.name, lambda s=cs: c.refile(ids, s), "campaign")
    menu.addSeparator()
    _action(menu, "Share for Review…", lambda: _share_selection(w))
    menu.addSeparator()
    _action(menu, f"Delete…\t{_key('Del')}", lambda: c.delete_assets(records), "trash")
    return menu


def _key(key: str | QKeySequence | QKeySequence.StandardKey) -> str:
    """A key as this platform writes it in menus (Ctrl+C, or ⌘C on macOS)."""
    if isinstance(key, QKeySequence.StandardKey):
        bindings = QKeySequence.keyBindings(key)
        key = bindings[0] if bindings else QKeySequence()
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def _share(w: MainWindow, scope: Scope) -> None:
    from app.gui.share_dialog import share_for_review  # the sync client loads on first use

    share_for_review(w, scope)


def _share_selection(w: MainWindow) -> None:
    from app.gui.share_dialog import share_selection

    share_selection(w, [r.id for r in w.selected_records()])


def _request(w: MainWindow, scope: Scope) -> None:
    from app.gui.request_dialog import request_files

    if scope.kind != "campaign":
        w.prompts.error(w, "Request files", "Files are requested into a campaign: choose one in the sidebar")
        return
    request_files(w, scope)


def _builtin(scope: Scope) -> bool:
    from app.gui.sidebar import BUILTIN_PREFIX

    return (scope.id or "").startswith(BUILTIN_PREFIX)


def _new_smart(w: MainWindow, from_search: bool = False) -> None:
    from app.gui.smart_folders import current_search_rules, new_smart

    new_smart(w, current_search_rules(w) if from_search else None)


def sidebar_menu(w: MainWindow, scope: Scope | None) -> QMenu:
    c = w.commands
    menu = QMenu(w)
    if scope is not None and scope.kind == "smart":
        from app.gui.smart_folders import delete_smart, edit_smart

        if not _builtin(scope):
            _action(menu, "Edit Smart Folder…", lambda: edit_smart(w, scope), "rename")
            _action(menu, "Delete Smart Folder…", lambda: delete_smart(w, scope), "trash")
            menu.addSeparator()
        _action(menu, "New Smart Folder…", lambda: _new_smart(w), "smart")
        return menu
    if scope is not None and scope.kind == "client" and scope.id:
        client_id = scope.id
        _action(menu, "New Campaign…", lambda: c.new_campaign(client_id), "campaign")
        menu.addSeparator()
    if scope is not None and scope.kind in ("client", "campaign"):
        _action(menu, "Share for Review…", lambda: _share(w, scope))
        if scope.kind == "campaign":
            _action(menu, "Request Files…", lambda: _request(w, scope))
        menu.addSeparator()
        _action(menu, "Rename…", lambda: c.rename_scope(scope), "rename")
        _action(menu, "Delete…", lambda: c.delete_scope(scope), "trash")
        menu.addSeparator()
    _action(menu, "New Client…", c.new_client, "client")
    _action(menu, "New Smart Folder…", lambda: _new_smart(w), "smart")
    return menu
