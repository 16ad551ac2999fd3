"""What the window does to the library on a person's behalf; every write goes through the write lane."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.gui import desktop, rights_guard
from app.gui.quicklook import QuickLookDialog
from app.gui.scope import Scope
from app.gui.server import ServerDialog
from app.library.records import AssetChanges, AssetRecord

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow


def changes_for_scope(scope: Scope) -> AssetChanges | None:
    """Filing an asset under a sidebar entry: the client and campaign that entry stands for."""
    if scope.kind == "campaign":
        return AssetChanges(client_id=scope.client_id, campaign_id=scope.id)
    if scope.kind == "client":
        return AssetChanges(client_id=scope.id, campaign_id=None)
    if scope.kind == "unassigned":
        return AssetChanges(client_id=None, campaign_id=None)
    return None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Commands(QObject):
    """Asset, client and campaign operations; the window calls these, they report back by signal."""

    library_changed = Signal()  # something was written: reload what is shown
    asset_updated = Signal(object)  # AssetRecord
    assets_deleted = Signal(list)  # ids

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.lib = window.library
        self.uid = window.library.local_user_id
        self.quick_look_dialog: QuickLookDialog | None = None
        self.server_dialog: ServerDialog | None = None

    def _write(self, fn: Callable[[], object], done: Callable[[object], None] | None = None) -> None:
        def finished(result: object) -> None:
            if done is not None:
                done(result)
            self.library_changed.emit()

        self.w.tasks.write(fn, finished, self.w.show_error)

    # --- assets ------------------------------------------------------------------------

    def update_asset(self, asset_id: str, changes: AssetChanges) -> None:
        lib, uid = self.lib, self.uid
        self._write(lambda: lib.update_asset(asset_id, changes, user_id=uid), self.asset_updated.emit)

    def rename_asset(self, record: AssetRecord) -> None:
        name = self.w.prompts.ask_text(self.w, "Rename Asset", f"New name for “{record.name}”:", record.name)
        if name and name != record.name:
            self.update_asset(record.id, AssetChanges(name=name))

    def refile(self, ids: list[str], scope: Scope) -> None:
        changes = changes_for_scope(scope)
        if changes is None or not ids:
            return
        lib, uid = self.lib, self.uid

        def work() -> int:
            for asset_id in ids:
                lib.update_asset(asset_id, changes, user_id=uid)
            return len(ids)

        self._write(work, lambda n: self.w.notify(f"Moved {_plural(int(n), 'asset')} to {scope.name}"))

    def delete_assets(self, records: list[AssetRecord]) -> None:
        if not records:
            return
        what = f"“{records[0].name}”" if len(records) == 1 else _plural(len(records), "asset")
        if not self.w.prompts.confirm(
            self.w,
            "Delete assets",
            f"Delete {what}? The file and its thumbnail are removed from the library.",
            "Delete",
        ):
            return
        ids = [r.id for r in records]
        lib, uid = self.lib, self.uid

        def done(count: object) -> None:
            self.assets_deleted.emit(ids)
            self.w.notify(f"Deleted {_plural(int(count), 'asset')}")  # type: ignore[arg-type]

        self._write(lambda: lib.delete_assets(ids, user_id=uid), done)

    def exported(self, record: AssetRecord) -> Path | None:
        """The asset's file under its own name for another application (None: said why)."""
        try:
            return self.w.exports.export(self.lib.file_path(record), record)
        except FileNotFoundError:
            self.w.show_error(f"The file of “{record.name}” is missing from the library")
        except OSError as exc:
            self.w.show_error(f"Cannot hand over “{record.name}”: {exc.strerror or exc}")
        return None

    def _rights_allow(self, records: list[AssetRecord], title: str, doing: str) -> bool:
        return rights_guard.allow(self.w, [r.id for r in records], title, doing, f"{doing} Anyway")

    def open_assets(self, records: list[AssetRecord]) -> None:
        if not self._rights_allow(records[:10], "Open an asset with expired rights", "Open"):
            return
        for r in records[:10]:  # a slip of the keyboard should not open a thousand windows
            path = self.exported(r)
            if path is not None and not desktop.open_with_default_app(path):
                self.w.show_error(f"No application opens {r.format.upper()} files here")

    def reveal(self, record: AssetRecord) -> None:
        if not self._rights_allow([record], "Show an asset with expired rights", "Show"):
            return
        path = self.exported(record)
        if path is not None:
            desktop.show_in_file_manager(path)

    def copy(self, records: list[AssetRecord]) -> None:
        if not self._rights_allow(records, "Copy an asset with expired rights", "Copy"):
            return
        paths = [p for p in (self.exported(r) for r in records) if p is not None]
        if paths:
            desktop.copy_files(paths)
            self.w.notify(f"Copied {_plural(len(paths), 'file')}")

    def rename_current(self) -> None:
        """F2: the sidebar entry when the sidebar has the focus, else the selected asset."""
        w = self.w
        if w.sidebar.hasFocus():
            scope = w.sidebar.current_scope()
            if scope is not None:
                self.rename_scope(scope)
            return
        records = w.selected_records()
        if len(records) == 1:
            self.rename_asset(records[0])

    def delete_selected(self) -> None:
        self.delete_assets(self.w.selected_records())

    # --- looking ------------------------------------------------------------------------

    def quick_look(self) -> None:
        """Space: a large preview of the current asset; Space again closes it."""
        w = self.w
        records = w.selected_records()
        current = w.model.cached_record(w.grid.current_id() or "")
        record = current if current in records else (records[0] if records else None)
        if record is None:
            return
        if self.quick_look_dialog is None:
            self.quick_look_dialog = QuickLookDialog(self.lib, w.tasks, w)
            self.quick_look_dialog.step_requested.connect(self._quick_look_step)
        dialog = self.quick_look_dialog
        if dialog.isVisible() and dialog.preview.shown_id == record.id:
            dialog.close()
            return
        dialog.show_record(record)
        dialog.show()
        dialog.raise_()

    def _quick_look_step(self, delta: int) -> None:
        w = self.w
        row = w.grid.currentIndex().row() + delta
        if 0 <= row < w.model.rowCount():
            w.grid.setCurrentIndex(w.model.index(row, 0))
            record = w.model.record(row)
            if record is not None and self.quick_look_dialog is not None:
                self.quick_look_dialog.show_record(record)

    def close_dialogs(self) -> None:
        if self.quick_look_dialog is not None:
            self.quick_look_dialog.close()

    def show_server_dialog(self) -> None:
        if self.server_dialog is None:
            self.server_dialog = ServerDialog(self.w.server, self.w)
        self.server_dialog.show()
        self.server_dialog.raise_()

    # --- clients and campaigns -----------------------------------------------------------

    def new_campaign_here(self) -> None:
        """A campaign for the client being shown (or the client of the campaign being shown)."""
        scope = self.w.filters.scope
        client_id = scope.id if scope.kind == "client" else scope.client_id
        if client_id:
            self.new_campaign(client_id)
        else:
            self.w.notify("Select a client in the sidebar first")

    def new_client(self) -> None:
        name = self.w.prompts.ask_text(self.w, "New client", "Client name:")
        if name:
            lib = self.lib
            self._write(lambda: lib.create_client(name), lambda c: self.w.select_scope_later("client", c.id))  # type: ignore[attr-defined]

    def new_campaign(self, client_id: str) -> None:
        name = self.w.prompts.ask_text(self.w, "New campaign", "Campaign name:")
        if name:
            lib, uid = self.lib, self.uid
            self._write(
                lambda: lib.create_campaign(client_id, name, user_id=uid),
                lambda c: self.w.select_scope_later("campaign", c.id),  # type: ignore[attr-defined]
            )

    def rename_scope(self, scope: Scope) -> None:
        if scope.kind == "smart":
            from app.gui.smart_folders import edit_smart

            edit_smart(self.w, scope)
            return
        what = "client" if scope.kind == "client" else "campaign"
        name = self.w.prompts.ask_text(self.w, f"Rename {what}", f"New {what} name:", scope.name)
        if not name or name == scope.name or scope.id is None:
            return
        lib, uid, item_id = self.lib, self.uid, scope.id
        if scope.kind == "client":
            self._write(lambda: lib.rename_client(item_id, name, user_id=uid))
        elif scope.kind == "campaign":
            self._write(lambda: lib.rename_campaign(item_id, name, user_id=uid))

    def delete_scope(self, scope: Scope) -> None:
        if scope.kind == "smart":
            from app.gui.smart_folders import delete_smart

            delete_smart(self.w, scope)
            return
        if scope.kind not in ("client", "campaign") or scope.id is None:
            return
        lib, uid, item_id = self.lib, self.uid, scope.id
        count = self.w.sidebar.count_for(scope)  # the number the sidebar shows beside it
        extra = " and all its campaigns" if scope.kind == "client" else ""
        text = (
            f"Delete the {scope.kind} “{scope.name}”{extra}? "
            f"{_plural(count, 'asset')} filed there will be deleted with it, files included."
        )
        if not self.w.prompts.confirm(self.w, f"Delete {scope.kind}", text, "Delete"):
            return
        delete = lib.delete_client if scope.kind == "client" else lib.delete_campaign
        self._write(
            lambda: delete(item_id, user_id=uid),
            lambda n: self.w.notify(f"Deleted {scope.name} and {_plural(int(n), 'asset')}"),  # type: ignore[arg-type]
        )
