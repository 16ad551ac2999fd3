"""MainWindow: sidebar, filters and grid, details; wires the pieces and remembers its layout."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtelierError
from app.gui import formatting, icons, menus, rating_keys, rights_guard, smart_folders, theme
from app.gui.asset_model import AssetListModel
from app.gui.commands import Commands
from app.gui.delegate import AssetDelegate
from app.gui.details import DetailsPane
from app.gui.export import ExportFolder
from app.gui.filter_bar import FilterBar
from app.gui.find_badges import FindBadges
from app.gui.grid import AssetGridView, local_files
from app.gui.imports import (
    ImportBar,
    ImportController,
    ImportJob,
    ImportSummaryDialog,
    summary_line,
)
from app.gui.live import LiveLibrary
from app.gui.prompts import Prompts
from app.gui.review_badges import ReviewBadges
from app.gui.scope import Filters, Scope
from app.gui.server import ServerController, ServerState
from app.gui.sidebar import SidebarData
from app.gui.sidebar_panel import SidebarPanel
from app.gui.smart_counts import SmartCounts
from app.gui.smart_dialog import rule_summary
from app.gui.sync_widgets import install_sync
from app.gui.tasks import Tasks
from app.gui.thumbnails import ThumbnailCache
from app.library.records import (
    AssetChanges,
    AssetRecord,
    CampaignRecord,
    ClientRecord,
    ImportReport,
)
from app.library.service import LibraryService

log = logging.getLogger(__name__)
REFRESH_DELAY_MS = 80
IMPORT_REFRESH_MS = 700
TILE_PALETTES_KEY = "view/tilePalettes"


class MainWindow(QMainWindow):
    def __init__(
        self,
        library: LibraryService,
        *,
        settings: QSettings | None = None,
        prompts: Prompts | None = None,
        db_url: str | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.uid = library.local_user_id
        self.settings = settings or QSettings()
        self.prompts = prompts or Prompts(self.settings)
        self.filters = Filters()
        self.tasks = Tasks(self)
        self.smart_counts = SmartCounts(library, self.uid, self.tasks, self)
        self.smart_counts.counted.connect(self._show_smart_counts)
        self._sidebar_data: SidebarData | None = None
        self.thumbnails = ThumbnailCache(library, self)
        self.model = AssetListModel(library, self.tasks, self.thumbnails, self)
        # Other applications get real names, from this session's folder of links.
        self.exports = ExportFolder(library.data_dir)
        self.model.exports = self.exports
        self.commands = Commands(self)
        self.imports = ImportController(library, self.tasks, self)
        self.server = ServerController(library, self.tasks, db_url, self)
        self.import_summary: ImportSummaryDialog | None = None
        self._clients: list[tuple[ClientRecord, list[CampaignRecord]]] = []
        self._pending_scope: tuple[str, str | None] | None = None
        self.sidebar_loaded = False
        self._splitter_restored = False
        self.setWindowTitle("Atelier")
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self._build()
        self.actions_by_name = menus.build_menu_bar(self)
        badges = self.grid.asset_delegate.find_badges
        self.actions_by_name["tile_palettes"].setChecked(badges is not None and badges.show_palette)
        self.help_dialog: QWidget | None = None
        rating_keys.install(self)
        self._timers()
        self._connect()
        self._restore_settings()
        self.sidebar.select_scope("all", None)
        self.apply_filters()
        self.refresh_sidebar()
        self.sync = install_sync(self)
        # Changes by any process (the CLI, a server, a sync) show within a poll or two.
        self.live = LiveLibrary(self)
        self.live.records_changed.connect(self.live.apply_to_window)
        # Ratings, labels and rights (a campaign's too, which touches no asset) may have changed.
        self.live.changed.connect(self.forget_badges)

    # --- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.sidebar_panel = SidebarPanel()
        self.sidebar = self.sidebar_panel.tree
        self.server_button = self.sidebar_panel.server_button
        self.filter_bar = FilterBar()
        delegate = AssetDelegate(self.thumbnails)
        self.grid = AssetGridView(self.model, delegate)
        # Clients' decisions from share links, on the tiles.
        delegate.reviews = ReviewBadges(self.library, self.tasks, self.grid.viewport().update)
        delegate.find_badges = FindBadges(self.library, self.tasks, self.grid.viewport().update)
        # Off unless asked for: a band on every tile is busy for a designer who does not search by colour.
        delegate.find_badges.show_palette = bool(self.settings.value(TILE_PALETTES_KEY, False, type=bool))
        self.grid.drag_guard = self._drag_allowed  # type: ignore[attr-defined]
        self._drags_confirmed: set[str] = set()
        self.import_bar = ImportBar()
        center = QWidget()
        center.setObjectName("Center")
        center.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        middle = QVBoxLayout(center)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addWidget(self.filter_bar)
        middle.addWidget(self.grid, 1)
        middle.addWidget(self.import_bar)

        self.details = DetailsPane(self.library, self.tasks)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setHandleWidth(1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.sidebar_panel)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(1, 1)
        self.details.setMinimumWidth(248)
        self.splitter.setSizes([240, 820, 340])
        self.setCentralWidget(self.splitter)
        self.statusBar().setSizeGripEnabled(False)
        self.statusBar().addPermanentWidget(self.filter_bar.zoom_box)

    def _timers(self) -> None:
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._import_refresh_timer = QTimer(self, singleShot=True, interval=IMPORT_REFRESH_MS)
        self._import_refresh_timer.timeout.connect(self.refresh)
        self._details_timer = QTimer(self, singleShot=True, interval=0)
        self._details_timer.timeout.connect(self._show_selection)

    def _connect(self) -> None:
        self.sidebar.selectionModel().currentChanged.connect(self._on_scope_picked)
        self.sidebar.customContextMenuRequested.connect(self._on_sidebar_menu)
        self.sidebar.files_dropped.connect(self.import_paths)
        self.sidebar.assets_dropped.connect(self.commands.refile)
        self.sidebar.delete_requested.connect(self.commands.delete_scope)
        self.sidebar.new_smart_requested.connect(lambda: smart_folders.new_smart(self))
        self.sidebar_panel.new_client_button.clicked.connect(self.commands.new_client)
        self.server_button.clicked.connect(self.commands.show_server_dialog)
        fb = self.filter_bar
        fb.type_changed.connect(lambda kind: self._set_filters(asset_type=kind))
        fb.purpose_changed.connect(lambda purpose: self._set_filters(purpose=purpose))
        fb.review_changed.connect(lambda status: self._set_filters(review_status=status, review_after=None))
        fb.rating_changed.connect(lambda stars, label: self._set_filters(rating=stars, label=label))
        fb.search_changed.connect(lambda text: self._set_filters(text=text))
        fb.colour_pick_requested.connect(self.pick_colour)
        fb.colour_cleared.connect(lambda: self.search_colour(None))
        fb.similar_cleared.connect(lambda: self.find_similar(None))
        self.details.metadata.colour_clicked.connect(self.search_colour)
        self.details.metadata.tags_suggested.connect(self._add_tags)
        self.grid.empty_button.clicked.connect(self._on_empty_button)
        fb.sort_changed.connect(lambda sort: self._set_filters(sort=sort))
        fb.zoom_changed.connect(self.grid.set_edge)
        fb.import_clicked.connect(self.import_files_dialog)
        self.grid.files_dropped.connect(lambda paths: self.import_paths(paths, None))
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._details_timer.start())
        self.grid.selectionModel().selectionChanged.connect(lambda *_: menus.update_actions(self))
        self.model.modelReset.connect(lambda: menus.update_actions(self))
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)  # a bound slot: dropped with the window
        menus.update_actions(self)
        self.grid.customContextMenuRequested.connect(self._on_grid_menu)
        self.grid.quick_look_requested.connect(self.commands.quick_look)
        self.grid.delete_requested.connect(self.commands.delete_selected)
        self.grid.open_requested.connect(lambda: self.commands.open_assets(self.selected_records()))
        self.grid.copy_requested.connect(lambda: self.commands.copy(self.selected_records()))
        self.grid.doubleClicked.connect(lambda _i: self.commands.open_assets(self.selected_records()))
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        self.model.query_loaded.connect(self._on_query_loaded)
        self.model.rows_loaded.connect(self._details_timer.start)
        self.details.changes_requested.connect(self.commands.update_asset)
        self.commands.library_changed.connect(self.schedule_refresh)
        self.commands.asset_updated.connect(self._on_asset_updated)
        self.commands.assets_deleted.connect(self.thumbnails.forget)
        self.imports.import_started.connect(self.import_bar.started)
        self.imports.import_progressed.connect(self.import_bar.progressed)
        self.imports.assets_committed.connect(self._on_assets_committed)
        self.imports.import_finished.connect(self._on_import_finished)
        self.imports.import_failed.connect(self._on_import_failed)
        self.import_bar.cancel_clicked.connect(self.cancel_import)
        self.server.state_changed.connect(self._on_server_state)
        self.server.server_failed.connect(lambda message: self.notify(f"Server: {message}"))
        self.tasks.task_failed.connect(self.show_error)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_color_scheme)

    # --- filters and loading -------------------------------------------------------------

    def filters_for(self, scope: Scope) -> Filters:
        return replace(self.filters, scope=scope)

    def _set_filters(self, **changes: object) -> None:
        self.filters = replace(self.filters, **changes)  # type: ignore[arg-type]
        if "sort" in changes:
            self.settings.setValue("grid/sort", changes["sort"])
        self.apply_filters()

    def apply_filters(self) -> None:
        scope = self.filters.scope
        # Nothing is filed into a saved search: files dropped on it are simply imported.
        self.grid.drop_target_name = scope.name if scope.kind != "smart" else "the library"
        if self.filters.narrowed:
            text = self.filters.text.strip()
            title = f"No assets match “{text}”" if text else "No assets match these filters"
            if self.filters.colour and not text:
                title = "No assets contain this colour"
            self.grid.set_empty_state(
                title, f"in {scope.name}; try another search or filter", "Clear Filters",
                "palette" if self.filters.colour and not text else "search",
            )
        elif scope.kind == "smart":
            builtin = (scope.id or "").startswith(smart_folders.BUILTIN_PREFIX)
            # What it looks for, in words: the person sees why it is empty and what to change.
            rules = rule_summary(scope.rules, scope.match)
            self.grid.set_empty_state(
                f"Nothing in {scope.name} yet", f"Assets show here as soon as they match: {rules}",
                "Show All Assets" if builtin else "Edit Smart Folder…", "clock" if builtin else "smart",
            )
        elif scope.kind in ("client", "campaign"):
            self.grid.set_empty_state(
                f"Nothing in {scope.name} yet", "Drop files here, or import them into it", "Import Files…"
            )
        else:
            self.grid.set_empty_state("Drop files here to import", "or press Ctrl+O to choose files", "Import Files…")
        self.filter_bar.set_chips(
            self.filters.colour, self.filters.similar[1] if self.filters.similar else None
        )
        self.filter_bar.set_ranked(bool(self.filters.colour or self.filters.similar))
        self.model.set_query(self.filters.query(self.uid))
        self._load_type_counts()
        self._update_title()

    def _load_type_counts(self) -> None:
        query, lib = self.filters.query(self.uid, with_type=False), self.library
        self.tasks.run(lambda: lib.counts_by_type(query), self.filter_bar.set_counts)

    def _update_title(self, count: int | None = None) -> None:
        scope = self.filters.scope
        subtitle = ""
        if scope.kind == "campaign":
            client = next((c.name for c, _ in self._clients if c.id == scope.client_id), "")
            subtitle = f"Campaign of {client}" if client else "Campaign"
        elif scope.kind == "client":
            subtitle = "Client"
        elif scope.kind == "smart":
            subtitle = "Smart folder"
        if count is not None:
            shown = f"{count:,} asset" + ("" if count == 1 else "s")
            subtitle = f"{subtitle}  ·  {shown}" if subtitle else shown
        self.filter_bar.set_scope_title(scope.name, subtitle)

    @Slot(int)
    def _on_query_loaded(self, count: int) -> None:
        self._update_title(count)
        self._details_timer.start()

    def schedule_refresh(self) -> None:
        self._refresh_timer.start()

    @Slot()
    def refresh(self) -> None:
        """Reload counts, the sidebar and the grid after the library changed."""
        self.model.refresh()
        self._load_type_counts()
        self.refresh_sidebar()

    def refresh_sidebar(self) -> None:
        lib, uid = self.library, self.uid

        def work() -> SidebarData:
            from app.library.records import AssetQuery

            return SidebarData(
                lib.count_assets(AssetQuery(user_id=uid)),
                lib.count_assets(AssetQuery(user_id=uid, unassigned=True)),
                lib.list_clients(uid),
                lib.list_campaigns(None, uid),
                smart_folders.list_items(lib, uid),  # counted apart: see SmartCounts
            )

        self.tasks.run(work, self._show_sidebar)

    def _show_smart_counts(self) -> None:
        data = self._sidebar_data
        if data is not None:
            self.sidebar.sidebar_model.populate(replace(data, smart=self.smart_counts.fill(data.smart)))
            self.sidebar_loaded = True

    def _show_sidebar(self, data: SidebarData) -> None:
        self._sidebar_data = data
        self.smart_counts.request(data.smart)
        data = replace(data, smart=self.smart_counts.fill(data.smart))
        key = self._pending_scope or self.filters.scope.key
        self._pending_scope = None
        # Loaded once every count beside it is known too (smart folders count apart).
        self.sidebar_loaded = self.sidebar_loaded or all(i.count >= 0 for i in data.smart)
        selection = self.sidebar.selectionModel()
        selection.blockSignals(True)
        rebuilt = self.sidebar.sidebar_model.populate(data)
        if rebuilt:
            self.sidebar.expandAll()
        found = self.sidebar.select_scope(*key)
        selection.blockSignals(False)
        self.sidebar.viewport().update()
        by_client = {c.id: [p for p in data.campaigns if p.client_id == c.id] for c in data.clients}
        self._clients = [(c, by_client[c.id]) for c in data.clients]
        self.details.set_clients(data.clients, data.campaigns)
        scope = self.sidebar.current_scope()
        if not found or scope is None:
            self.sidebar.select_scope("all", None)  # the entry was deleted: show everything
            scope = self.sidebar.current_scope()
        if scope is not None and (scope != self.filters.scope):
            self._on_scope_picked(self.sidebar.currentIndex(), QModelIndex())
        else:
            self._update_title(self.model.rowCount() if self.model.loaded else None)

    def select_scope_later(self, kind: str, item_id: str | None) -> None:
        """Select a sidebar entry that the next sidebar reload will bring (a new client)."""
        self._pending_scope = (kind, item_id)

    @Slot(QModelIndex, QModelIndex)
    def _on_scope_picked(self, current: QModelIndex, _previous: QModelIndex) -> None:
        scope = self.sidebar.sidebar_model.scope_of(current)
        if scope is None:
            return
        if scope.key != self.filters.scope.key or scope != self.filters.scope:
            self.filters = replace(self.filters, scope=scope)
            self.apply_filters()

    def known_clients(self) -> list[tuple[ClientRecord, list[CampaignRecord]]]:
        return self._clients

    # --- colour and similar search ------------------------------------------------------

    def search_colour(self, colour: str | None) -> None:
        """Show the assets containing this colour (#rrggbb), nearest first; None: stop."""
        if colour is not None:
            picked = QColor(colour)
            if not picked.isValid():
                self.show_error(f"Not a colour: {colour}")
                return
            colour = picked.name()
        if colour != self.filters.colour:
            self._set_filters(colour=colour)

    def pick_colour(self) -> None:
        picked = self.prompts.pick_colour(self, self.filters.colour or "#d64545")
        if picked:
            self.search_colour(picked)

    def find_similar_selected(self) -> None:
        """Find Similar for the one image or video selected (the Edit menu's key)."""
        records = self.selected_records()
        if len(records) == 1 and records[0].asset_type in ("image", "video"):
            self.find_similar(records[0])

    def find_similar(self, record: AssetRecord | None) -> None:
        """Show the assets that look like this one, most alike first; None: stop."""
        similar = (record.id, record.name) if record is not None else None
        if similar != self.filters.similar:
            self._set_filters(similar=similar)

    def _drag_allowed(self, ids: list[str]) -> bool:
        """Dragging out an asset whose rights expired is confirmed once per asset and session;
        the person then drags again (a drag cannot carry on across a dialog)."""
        unasked = [i for i in ids if i not in self._drags_confirmed]
        try:
            found = rights_guard.expired(self.library, unasked) if unasked else []
        except Exception:  # a busy library: the warning must not stop the drag
            return True
        if not found:
            return True
        text = rights_guard.warning_text(found, "Drag out")
        if self.prompts.confirm(self, "Drag out an asset with expired rights", text, "Allow Dragging"):
            self._drags_confirmed.update(i for i, _name, _until in found)
            self.notify("Allowed: drag again to hand the files to another application")
        return False

    def show_tile_palettes(self, on: bool) -> None:
        """Show or hide each tile's palette band; remembered for the next window."""
        badges = self.grid.asset_delegate.find_badges
        if badges is None:
            return
        badges.show_palette = on
        self.settings.setValue(TILE_PALETTES_KEY, on)
        self.actions_by_name["tile_palettes"].setChecked(on)
        self.forget_badges()  # read again, with the palettes this time

    def forget_badges(self, ids: list[str] | None = None) -> None:
        badges = self.grid.asset_delegate.find_badges
        if badges is not None:
            badges.forget(ids)
        self.grid.viewport().update()

    def _add_tags(self, tags: list[str]) -> None:
        record = self.details.record
        if record is None:
            return
        have = list(record.tags or [])
        new = [t for t in tags if t.lower() not in {h.lower() for h in have}]
        if new:
            self.commands.update_asset(record.id, AssetChanges(tags=have + new))
            self.notify(f"Tagged “{record.name}” {', '.join(new)}")

    # --- selection and details -------------------------------------------------------------

    def selected_records(self) -> list[AssetRecord]:
        found = (self.model.cached_record(i) for i in self.grid.selected_ids())
        return [r for r in found if r is not None]

    def _remember_selection(self) -> None:
        self._kept_selection = (self.grid.selected_ids(), self.grid.current_id())

    def _restore_selection(self) -> None:
        ids, current = getattr(self, "_kept_selection", ([], None))
        if ids:
            self.grid.select_ids(ids, current)
        self._details_timer.start()

    @Slot()
    def _show_selection(self) -> None:
        records = self.selected_records()
        count = len(self.grid.selected_ids())
        if count > 1:
            self.details.show_many(count, sum(r.size or 0 for r in records))
        else:
            self.details.show_record(records[0] if records else None)

    def _on_asset_updated(self, record: AssetRecord) -> None:
        self.model.update_record(record)
        if self.details.record is not None and self.details.record.id == record.id:
            self.details.show_record(record)

    # --- commands the menus call ----------------------------------------------------------

    def focus_search(self) -> None:
        self.filter_bar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search.selectAll()

    def zoom_by(self, delta: int) -> None:
        self.filter_bar.zoom.setValue(self.filter_bar.zoom.value() + delta)

    @Slot(object)
    def _on_server_state(self, state: ServerState) -> None:
        self.sidebar_panel.show_server_state(state, self.server.address)

    @Slot(QPoint)
    def _on_grid_menu(self, pos: QPoint) -> None:
        index = self.grid.indexAt(pos)
        if index.isValid() and not self.grid.selectionModel().isSelected(index):
            self.grid.setCurrentIndex(index)
        menu = menus.grid_menu(self, pos)
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.grid.viewport().mapToGlobal(pos))

    @Slot(QPoint)
    def _on_sidebar_menu(self, pos: QPoint) -> None:
        scope = self.sidebar.sidebar_model.scope_of(self.sidebar.indexAt(pos))
        menu = menus.sidebar_menu(self, scope)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.sidebar.viewport().mapToGlobal(pos))

    # --- importing ---------------------------------------------------------------------

    def import_files_dialog(self) -> None:
        files = self.prompts.pick_files(self)
        if files:
            self.import_paths([Path(f) for f in files], None)

    def import_folder_dialog(self) -> None:
        folder = self.prompts.pick_folder(self)
        if folder:
            self.import_paths([Path(folder)], None)

    def import_paths(self, paths: list[Path], scope: Scope | None) -> None:
        """Import into scope (a sidebar entry dropped on) or the scope being shown."""
        where = scope or self.filters.scope
        self.imports.start(paths, where.target(self.uid), where.name)
        self.notify(formatting.import_notice(paths, where.name))

    def cancel_import(self) -> None:
        self.import_bar.cancelling()
        self.imports.cancel()

    def _on_assets_committed(self, _count: int) -> None:
        # Show new assets while the import goes on, but a big library is re-read less often.
        if not self._import_refresh_timer.isActive():
            rows = self.model.rowCount()
            self._import_refresh_timer.start(max(IMPORT_REFRESH_MS, min(5000, rows // 20)))

    def _on_import_finished(self, job: ImportJob, report: ImportReport) -> None:
        if not self.imports.busy:
            self.import_bar.hide()
        self.refresh()
        self.notify(f"Import into {job.label}: {summary_line(report)}")
        if report.rejected or report.duplicates or report.looks_like:
            if self.import_summary is not None:
                self.import_summary.close()
            self.import_summary = ImportSummaryDialog(report, job.label, self)
            self.import_summary.show()

    def _on_import_failed(self, job: ImportJob, message: str) -> None:
        if not self.imports.busy:
            self.import_bar.hide()
        self.refresh()
        self.show_error(f"Import into {job.label} failed: {message}")

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if local_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_files(event)
        if paths:
            event.acceptProposedAction()
            self.import_paths(paths, None)

    # --- messages ----------------------------------------------------------------------

    def notify(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def show_error(self, error: object) -> None:
        if isinstance(error, (AtelierError, ValueError)):
            text = str(error)
        elif isinstance(error, OSError):
            text = f"{error.strerror or error}: {error.filename}" if error.filename else str(error)
        elif isinstance(error, str):
            text = error
        else:
            log.error("unexpected error", exc_info=error if isinstance(error, BaseException) else None)
            text = f"Something went wrong: {error}"
        self.statusBar().showMessage(text, 10000)
        self.prompts.error(self, "Atelier", text)

    # --- appearance and settings -------------------------------------------------------

    @Slot(Qt.ColorScheme)
    def _on_color_scheme(self, _scheme: Qt.ColorScheme) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply(app)
            icons.retint()
            self.sidebar_panel.show_server_state(self.server.state, self.server.address)
            self.grid.viewport().update()
            self.sidebar.viewport().update()

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 860)
        zoom = int(s.value("grid/zoom", self.grid.edge))
        self.filter_bar.zoom.setValue(zoom)
        self.grid.set_edge(zoom)
        sort = str(s.value("grid/sort", "newest"))
        if sort in ("newest", "oldest", "name", "size", "type"):
            self.filters = replace(self.filters, sort=sort)  # type: ignore[arg-type]
            self.filter_bar.set_sort(sort)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._splitter_restored:
            # Sizes restored before the first layout get rescaled by it: restore once shown.
            self._splitter_restored = True
            state = self.settings.value("window/splitter")
            if state is not None:
                self.splitter.restoreState(state)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("grid/zoom", self.grid.edge)
        s.setValue("grid/sort", self.filters.sort)
        s.sync()

    @Slot()
    def _on_empty_button(self) -> None:
        scope = self.filters.scope
        if scope.kind == "smart" and not self.filters.narrowed:
            if (scope.id or "").startswith(smart_folders.BUILTIN_PREFIX):
                self.sidebar.select_scope("all", None)
            else:
                smart_folders.edit_smart(self, scope)
            return
        if not self.filters.narrowed:
            self.import_files_dialog()
            return
        fb = self.filter_bar
        for widget in (fb.search, fb.type_group, fb):
            widget.blockSignals(True)
        fb.search.clear()
        fb.set_type(None)
        fb.set_chips(None, None)
        fb.purpose_actions[None].setChecked(True)
        fb.purpose_button.setText("Purpose")
        for widget in (fb.search, fb.type_group, fb):
            widget.blockSignals(False)
        self._set_filters(asset_type=None, purpose=None, text="", colour=None, similar=None)

    @Slot(QWidget, QWidget)
    def _on_focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        menus.update_actions(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.server.state is not ServerState.STOPPED and not self.prompts.confirm(
            self, "Quit Atelier",
            "The built-in server is running: quitting stops it, and other devices lose their connection.",
            "Quit",
        ):
            event.ignore()
            return
        self.save_settings()
        self.live.stop()
        self.imports.cancel()
        self.server.shutdown()
        self.details.preview.stop()
        self.commands.close_dialogs()
        self.tasks.wait(30_000)
        self.thumbnails.wait()
        self.exports.clear()
        super().closeEvent(event)
