"""A TCP proxy for fault injection: cut connections after N bytes, answer 500, or never answer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """What happens to one connection. kind: 'pass', 'cut-down', 'cut-up', '500', 'stall', 'hook'.

    cut-down closes after n bytes from the server reached the client (n=0: the request gets
    through, the answer never comes back); cut-up closes after n bytes of the request; hook
    calls the proxy's hook once n request bytes went through. With match, counting starts
    once those bytes were seen in the request stream (e.g. b"POST /api/v2/upload-asset"),
    so a kept-alive connection serves earlier requests normally. '500' and 'stall' answer
    the connection's first request with an error, or with nothing at all.
    """

    kind: str = "pass"
    n: int = 0
    match: bytes | None = None


PASS = Fault()
ERROR_500 = (
    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
    b"Content-Length: 36\r\nConnection: close\r\n\r\n"
    b'{"detail": "Injected server error"}\n'
)


class FaultProxy:
    """Listens on 127.0.0.1; each new connection takes the next fault from choose(n)."""

    def __init__(self, target_port: int, choose: Callable[[int], Fault] | None = None) -> None:
        self.target_port = target_port
        self.choose = choose or (lambda n: PASS)
        self.hook: Callable[[], None] = lambda: None
        self.connections = 0
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        # shutdown wakes the thread blocked in accept(); close alone would leave it listening.
        _kill(self._sock)
        with self._lock:
            for s in list(self._open):
                _kill(s)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                n = self.connections
                self.connections += 1
                self._open.add(client)
            threading.Thread(target=self._serve, args=(client, self.choose(n)), daemon=True).start()

    def _serve(self, client: socket.socket, fault: Fault) -> None:
        try:
            if fault.kind in ("500", "stall"):
                _read_head(client)
                if fault.kind == "500":
                    client.sendall(ERROR_500)
                else:
                    # Hold the connection silently until the client gives up (its read timeout).
                    while client.recv(65536):
                        pass
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
            except OSError:
                return
            upstream.settimeout(None)
            with self._lock:
                self._open.add(upstream)
            conn = _Conn(fault)
            t = threading.Thread(target=self._pump, args=(upstream, client, conn, False), daemon=True)
            t.start()
            self._pump(client, upstream, conn, True)
            t.join(30)
        except OSError:
            pass
        finally:
            _kill(client)

    def _pump(self, src: socket.socket, dst: socket.socket, conn: _Conn, up: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                keep = conn.allow(data, up)
                if up and conn.hook_due():
                    self.hook()  # before forwarding: a hook that blocks holds the request back
                if keep:
                    dst.sendall(data[:keep] if keep < len(data) else data)
                if keep < len(data):
                    break
        except OSError:
            pass
        finally:
            _kill(src)
            _kill(dst)


class _Conn:
    """Byte counting for one proxied connection and the fault that applies to it."""

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.armed = fault.match is None
        self.seen = b""
        self.counted = {True: 0, False: 0}
        self.hooked = False
        self.lock = threading.Lock()

    def allow(self, data: bytes, up: bool) -> int:
        """How many of these bytes may pass (len(data): all; fewer: then the connection closes)."""
        f = self.fault
        with self.lock:
            offset = 0  # bytes of this chunk that come before the match
            if not self.armed:
                if not up or f.match is None:
                    return len(data)
                window = self.seen + data
                idx = window.find(f.match)
                if idx < 0:
                    self.seen = window[-(len(f.match) - 1) :] if len(f.match) > 1 else b""
                    return len(data)
                self.armed = True
                offset = max(0, idx - len(self.seen))
            before = self.counted[up]
            self.counted[up] += len(data) - offset
            limited = (f.kind == "cut-down" and not up) or (f.kind == "cut-up" and up)
            if not limited or self.counted[up] <= f.n:
                return len(data)
            return offset + max(0, f.n - before)

    def hook_due(self) -> bool:
        with self.lock:
            if self.fault.kind != "hook" or self.hooked or not self.armed:
                return False
            if self.counted[True] >= self.fault.n:
                self.hooked = True
                return True
            return False


def _read_head(sock: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return
        data += chunk


def _kill(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
