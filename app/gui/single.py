"""One window per library: a second launch hands its files to the running window and exits."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)
CONNECT_MS = 1_000
REPLY_MS = 3_000


def server_name(library_dir: Path) -> str:
    """A local-socket name per library folder and user (two users may open one shared library)."""
    key = f"{os.path.realpath(library_dir)}\0{os.getuid() if hasattr(os, 'getuid') else ''}"
    return "atelier-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def hand_over(name: str, paths: list[Path]) -> bool:
    """True when a running window took `paths` (maybe none: it is then only raised)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_MS):
        return False
    message = json.dumps({"open": [str(p) for p in paths]}).encode("utf-8") + b"\n"
    socket.write(message)
    if not socket.waitForBytesWritten(REPLY_MS):
        return False
    while not socket.canReadLine():
        if not socket.waitForReadyRead(REPLY_MS):
            return False
    answered = bytes(socket.readLine().data()).strip() == b"ok"
    socket.disconnectFromServer()
    return answered


class InstanceServer(QObject):
    """Listens for later launches on the same library; files_received carries their paths."""

    files_received = Signal(list)  # list[Path]

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            # A socket file left by a window that crashed: nobody answered hand_over, so take it.
            QLocalServer.removeServer(name)
            if not self.server.listen(name):
                log.warning("single-instance socket unavailable: %s", self.server.errorString())
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def close(self) -> None:
        self.server.close()

    @Slot()
    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            self._buffers[socket] = data[-1_000_000:]
            return
        line = data.split(b"\n", 1)[0]
        try:
            paths = [Path(p) for p in json.loads(line)["open"] if isinstance(p, str)]
        except (ValueError, KeyError, TypeError):
            socket.write(b"bad\n")
            return
        socket.write(b"ok\n")
        socket.flush()
        self.files_received.emit(paths)
