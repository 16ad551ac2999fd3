"""Starting and stopping `atelier serve` from the window: a child process, its address and a token."""

from __future__ import annotations

import socket
import sys
from enum import Enum

from PySide6.QtCore import QObject, QProcess, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import icons
from app.gui.tasks import Tasks
from app.library.service import LOCAL_USER, LibraryService

PREFERRED_PORT = 8765
START_TIMEOUT_MS = 30_000
POLL_MS = 150


class ServerState(Enum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"


def free_port(preferred: int = PREFERRED_PORT) -> int:
    """The preferred port if nothing listens there, else one the OS picks."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise OSError("No free port on 127.0.0.1")


def serve_command(data_dir: str, port: int, db_url: str | None = None) -> tuple[str, list[str]]:
    """The program and arguments that run `atelier serve` (frozen builds are the program)."""
    frozen = getattr(sys, "frozen", False)
    args = [] if frozen else ["-m", "app"]
    args += ["--data-dir", data_dir]
    if db_url:
        args += ["--db-url", db_url]
    args += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    return sys.executable, args


class ServerController(QObject):
    server_started = Signal(str, str)  # address, token
    server_stopped = Signal()
    server_failed = Signal(str)
    state_changed = Signal(object)  # ServerState

    def __init__(
        self, library: LibraryService, tasks: Tasks, db_url: str | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.tasks = tasks
        self.db_url = db_url
        self.state = ServerState.STOPPED
        self.address = ""
        self.token = ""
        self._process: QProcess | None = None
        self._net = QNetworkAccessManager(self)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._probe)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._on_timeout)
        self._output = b""
        self._reply: QNetworkReply | None = None

    def _set_state(self, state: ServerState) -> None:
        self.state = state
        self.state_changed.emit(state)

    def start(self) -> None:
        if self.state is not ServerState.STOPPED:
            return
        try:
            port = free_port()
        except OSError as exc:
            self.server_failed.emit(str(exc))
            return
        program, args = serve_command(str(self.library.data_dir), port, self.db_url)
        self.address = f"http://127.0.0.1:{port}"
        self._output = b""
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._read_output)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_process_error)
        self._process = process
        self._set_state(ServerState.STARTING)
        process.start(program, args)
        self._poll.start()
        self._deadline.start(START_TIMEOUT_MS)

    def stop(self) -> None:
        """Ask the server to stop (it gets a few seconds, then it is killed)."""
        process = self._process
        self._poll.stop()
        self._deadline.stop()
        if process is None or process.state() == QProcess.ProcessState.NotRunning:
            self._stopped()
            return
        if sys.platform == "win32":
            process.kill()  # a console child ignores the polite WM_CLOSE that terminate() sends
        else:
            process.terminate()
            # Tied to the process: if it is gone before then, so is the timer.
            QTimer.singleShot(5000, process, process.kill)

    def shutdown(self, msecs: int = 5000) -> None:
        """On window close: stop and wait, so no server outlives the window."""
        process = self._process
        self.stop()
        if process is not None and not process.waitForFinished(msecs):
            process.kill()
            process.waitForFinished(2000)

    # --- readiness -------------------------------------------------------------------

    @Slot()
    def _probe(self) -> None:
        if self._reply is not None:
            return
        request = QNetworkRequest(QUrl(f"{self.address}/api/v2/server-info"))
        request.setTransferTimeout(2000)
        self._reply = self._net.get(request)
        self._reply.finished.connect(self._on_probe_answered)

    @Slot()
    def _on_probe_answered(self) -> None:
        reply, self._reply = self._reply, None
        if reply is None:
            return
        answered = reply.error() == QNetworkReply.NetworkError.NoError
        # Only read the status of a reply that has one (PySide6 6.12.0 mishandles invalid QVariants; see pyproject.toml).
        status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute) if answered else 0
        reply.deleteLater()
        if self.state is not ServerState.STARTING or status != 200:
            return
        self._poll.stop()
        self._deadline.stop()
        lib = self.library
        self.tasks.write(
            lambda: lib.create_token(LOCAL_USER, label="window"),
            self._on_token,
            lambda error: self._fail(f"Could not make a token: {error}"),
        )

    def _on_token(self, token: str) -> None:
        if self.state is not ServerState.STARTING:
            return
        self.token = token
        self._set_state(ServerState.RUNNING)
        self.server_started.emit(self.address, token)

    @Slot()
    def _on_timeout(self) -> None:
        self._fail("The server did not answer in time")

    def _fail(self, message: str) -> None:
        detail = self._last_output_line()
        self.server_failed.emit(f"{message}: {detail}" if detail else message)
        self.stop()

    # --- the process -------------------------------------------------------------------

    @Slot()
    def _read_output(self) -> None:
        if self._process is not None:
            self._output = (self._output + bytes(self._process.readAllStandardOutput().data()))[-4000:]

    def _last_output_line(self) -> str:
        lines = [ln.strip() for ln in self._output.decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1] if lines else ""

    @Slot(int, QProcess.ExitStatus)
    def _on_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        self._read_output()
        if self.state is ServerState.STARTING:
            self.server_failed.emit(self._last_output_line() or f"The server stopped (exit code {code})")
        self._stopped()

    @Slot(QProcess.ProcessError)
    def _on_process_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.server_failed.emit("The server could not be started")
            self._stopped()

    def _stopped(self) -> None:
        self._poll.stop()
        self._deadline.stop()
        token, self.token = self.token, ""
        if token:
            lib = self.library
            self.tasks.write(lambda: lib.revoke_token(token), None, lambda _e: None)
        if self._process is not None:
            self._process.deleteLater()
            self._process = None
        if self.state is not ServerState.STOPPED:
            self._set_state(ServerState.STOPPED)
            self.server_stopped.emit()


class ServerDialog(QDialog):
    """Non-modal: state, address and token (each with Copy), and Start/Stop."""

    def __init__(self, controller: ServerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Atelier server")
        self.setModal(False)
        self.setMinimumWidth(460)
        self.status = QLabel("")
        self.status.setObjectName("Title")
        note = QLabel("While the server runs, other apps on this computer can use your library "
                      "through the Asset API: give them the address and the token. The token "
                      "stops working when the server stops.")
        note.setWordWrap(True)
        note.setObjectName("Muted")
        self.address = QLineEdit()
        self.address.setReadOnly(True)
        self.token = QLineEdit()
        self.token.setReadOnly(True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.token.setFont(mono)
        self.address.setFont(mono)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        for row, (label, field) in enumerate((("Address", self.address), ("Token", self.token))):
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(field, row, 1)
            copy = QToolButton()
            icons.set_icon(copy, "copy")
            copy.setToolTip(f"Copy the {label.lower()}")
            copy.clicked.connect(lambda _=False, f=field: QGuiApplication.clipboard().setText(f.text()))
            grid.addWidget(copy, row, 2)
        self.toggle = QPushButton("Start server")
        self.toggle.setObjectName("Primary")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.toggle)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.status)
        layout.addWidget(note)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        self.toggle.clicked.connect(self._on_toggle)
        controller.state_changed.connect(self._show_state)
        controller.server_failed.connect(self._on_failed)
        self._show_state(controller.state)

    @Slot()
    def _on_toggle(self) -> None:
        if self.controller.state is ServerState.STOPPED:
            self.controller.start()
        else:
            self.controller.stop()

    @Slot(object)
    def _show_state(self, state: ServerState) -> None:
        running = state is ServerState.RUNNING
        self.status.setText(
            {ServerState.STOPPED: "The server is off",
             ServerState.STARTING: "Starting the server…",
             ServerState.RUNNING: "The server is running"}[state]
        )
        self.address.setText(self.controller.address if running else "")
        self.token.setText(self.controller.token if running else "")
        self.toggle.setText("Start server" if state is ServerState.STOPPED else "Stop server")
        self.toggle.setEnabled(True)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.setText(message)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
