"""The window's sync controls: a status-bar strip (status, last sync, progress, Sync/Cancel) and the Connect dialog."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import icons
from app.gui.review_badges import reviews_arrived
from app.gui.sync_controller import SyncController, SyncStatus
from app.gui.sync_history import SyncHistoryDialog
from app.sync import SyncProgress, SyncReport


def last_sync_text(when: datetime | None) -> str:
    if when is None:
        return "Never synced"
    local = when.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f"Last sync {local:%H:%M}"
    return f"Last sync {local:%Y-%m-%d %H:%M}"


class SyncConnectDialog(QDialog):
    """Address, then a user name and password, or a token; connecting runs in the background."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Connect to server")
        self.setMinimumWidth(440)
        self.address = QLineEdit()
        self.address.setPlaceholderText("https://assets.example.com")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.token = QLineEdit()
        self.token.setPlaceholderText("instead of a user name and password")
        form = QFormLayout()
        form.addRow("Address", self.address)
        form.addRow("User name", self.user)
        form.addRow("Password", self.password)
        form.addRow("Token", self.token)
        note = QLabel("Atelier keeps a token from the server, never your password.")
        note.setObjectName("Muted")
        note.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.connect_button = QPushButton("Connect")
        self.connect_button.setObjectName("Primary")
        self.connect_button.setDefault(True)
        cancel = QPushButton("Cancel")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.connect_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        cancel.clicked.connect(self.reject)
        self.connect_button.clicked.connect(self._connect)
        controller.connect_finished.connect(self._on_connected)
        controller.connect_failed.connect(self._on_failed)

    @Slot()
    def _connect(self) -> None:
        address = self.address.text().strip()
        user, password, token = self.user.text().strip(), self.password.text(), self.token.text().strip()
        if not address:
            self.message.setText("Enter the server's address.")
            return
        if not token and not (user and password):
            self.message.setText("Enter a user name and password, or a token.")
            return
        self.connect_button.setEnabled(False)
        self.message.setText("Connecting…")
        if token:
            self.controller.connect_server(address, None, None, token)
        else:
            self.controller.connect_server(address, user, password, None)

    @Slot(object)
    def _on_connected(self, _config: object) -> None:
        self.password.clear()
        self.message.setText("")
        self.connect_button.setEnabled(True)
        self.accept()

    @Slot(str)
    def _on_failed(self, reason: str) -> None:
        self.message.setText(reason)
        self.connect_button.setEnabled(True)


class SyncBar(QWidget):
    """Status and last sync; while syncing, a progress bar and Cancel; the Sync button with a menu."""

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.dialog: SyncConnectDialog | None = None
        self.status = QLabel("")
        self.last = QLabel("")
        self.last.setObjectName("Muted")
        self.progress = QProgressBar()
        self.progress.setFixedWidth(140)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.cancel_button = QToolButton()
        self.cancel_button.setIcon(icons.icon("close"))
        self.cancel_button.setToolTip("Cancel the sync (it resumes next time)")
        self.cancel_button.hide()
        self.sync_button = QToolButton()
        self.sync_button.setIcon(icons.icon("sync"))
        self.sync_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.sync_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        menu = QMenu(self.sync_button)
        self.connect_action = menu.addAction("Connect to server…")
        self.check_action = menu.addAction("Check now")
        self.history_action = menu.addAction("Sync history…")
        menu.addSeparator()
        self.disconnect_action = menu.addAction("Disconnect")
        self.sync_button.setMenu(menu)
        self.sync_button.setObjectName("SyncButton")
        self.history: SyncHistoryDialog | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(8)
        for w in (self.status, self.last, self.progress, self.cancel_button, self.sync_button):
            layout.addWidget(w)
        self.sync_button.clicked.connect(self._on_sync_clicked)
        self.cancel_button.clicked.connect(controller.cancel)
        self.connect_action.triggered.connect(self.show_connect_dialog)
        self.check_action.triggered.connect(controller.refresh_status)
        self.disconnect_action.triggered.connect(self._disconnect)
        self.history_action.triggered.connect(self.show_history)
        controller.status_changed.connect(self._show_status)
        controller.progress_changed.connect(self._show_progress)
        controller.sync_finished.connect(self._on_done)
        controller.sync_failed.connect(self._on_done)
        self._show_status(controller.status)

    @Slot()
    def _on_sync_clicked(self) -> None:
        if self.controller.remote() is None:
            self.show_connect_dialog()
        else:
            self.controller.start_sync()

    @Slot()
    def _disconnect(self) -> None:
        config = self.controller.remote()
        if config is None:
            return
        window = self.window()
        prompts = getattr(window, "prompts", None)
        question = f"Stop syncing with {config.url}? The assets already here stay in the library."
        if prompts is None or prompts.confirm(window, "Disconnect", question, "Disconnect"):
            self.controller.disconnect_server()

    @Slot()
    def show_connect_dialog(self) -> None:
        if self.dialog is None:
            self.dialog = SyncConnectDialog(self.controller, self.window())
        self.dialog.show()
        self.dialog.raise_()

    @Slot()
    def show_history(self) -> SyncHistoryDialog:
        """The last syncs' changes; a restored value refreshes the window and the status."""
        if self.history is None:
            self.history = SyncHistoryDialog(self.controller.library, self.window())
            self.history.restored.connect(self._on_restored)
            self.controller.sync_finished.connect(lambda _r: self.history and self.history.reload())
        else:
            self.history.reload()
        self.history.show()
        self.history.raise_()
        return self.history

    @Slot(str)
    def _on_restored(self, _asset_id: str) -> None:
        window = self.window()
        if hasattr(window, "refresh"):
            window.refresh()
        self.controller.refresh_status()

    @Slot(object)
    def _show_status(self, status: SyncStatus) -> None:
        self.status.setText(status.text)
        self.status.setToolTip(status.text)
        connected = status.kind != "none"
        self.last.setText(last_sync_text(status.last_sync) if connected else "")
        self.sync_button.setText("Sync" if connected else "Connect…")
        self.disconnect_action.setEnabled(connected)
        self.check_action.setEnabled(connected)
        self.sync_button.setEnabled(status.kind != "syncing")
        syncing = status.kind == "syncing"
        self.progress.setVisible(syncing)
        self.cancel_button.setVisible(syncing)
        if syncing:
            self.progress.setRange(0, 0)

    @Slot(object)
    def _show_progress(self, p: SyncProgress) -> None:
        if p.bytes_total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * p.bytes_done / max(p.bytes_total, 1)))
        elif p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
        if p.message != "done":
            self.status.setText(p.message)

    @Slot(object)
    def _on_done(self, _result: SyncReport | str) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.sync_button.setEnabled(True)


class _CloseWatcher(QObject):
    """Stops a running sync when the window closes, without touching the window's closeEvent."""

    def __init__(self, controller: SyncController, parent: QObject) -> None:
        super().__init__(parent)
        self.controller = controller

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Close:
            self.controller.shutdown()
        return False


def install_sync(window: QMainWindow) -> SyncController:
    """Add the sync strip to the window's status bar and refresh the window after each sync."""
    controller = SyncController(window.library, window, tasks=window.tasks)  # type: ignore[attr-defined]
    bar = SyncBar(controller, window)
    window.statusBar().insertPermanentWidget(0, bar)
    window.sync_bar = bar  # type: ignore[attr-defined]

    def after_sync(report: SyncReport) -> None:
        if report.outcome.done:
            window.refresh()  # type: ignore[attr-defined]
            window.refresh_sidebar()  # type: ignore[attr-defined]
        if report.new_reviews:
            reviews_arrived(window, report.new_reviews)  # share links' feedback

    def ask(question: str) -> None:
        prompts = window.prompts  # type: ignore[attr-defined]
        text = question.split("; nothing was changed")[0] + ". Go ahead?"
        if prompts.confirm(window, "Sync would delete many assets", text, "Sync anyway"):
            controller.start_sync(force=True)

    controller.sync_finished.connect(after_sync)
    controller.confirmation_needed.connect(ask)
    watcher = _CloseWatcher(controller, window)
    window.installEventFilter(watcher)
    controller.refresh_status()
    return controller
