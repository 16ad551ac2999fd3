"""Raw-socket clients that misbehave on purpose: stalled uploads, slowloris header senders."""

from __future__ import annotations

import select
import socket
import time
from urllib.parse import urlsplit

BOUNDARY = "atelierstall"


def address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def stalled_upload(
    base_url: str, headers: dict[str, str], path: str = "/api/v2/upload-asset", size: int = 5_000_000
) -> socket.socket:
    """A connection that sent an upload's headers and its first bytes, then went quiet."""
    head = (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n"
        "Content-Type: image/png\r\n\r\n"
    ).encode() + b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {address(base_url)[0]}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        f"Content-Length: {size}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    sock = socket.create_connection(address(base_url), timeout=10)
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + head)
    return sock


def answer_within(sock: socket.socket, timeout: float) -> bytes | None:
    """What the server sent on sock before it closed it or timeout passed (None: nothing)."""
    deadline = time.monotonic() + timeout
    data = b""
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            break
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, OSError):
            return data
        if not chunk:
            return data
        data += chunk
        if b"\r\n\r\n" in data and _complete(data):
            return data
    return data or None


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return False


def status_of(data: bytes | None) -> int | None:
    if not data or not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data.split(b" ", 2)[1])


def header_of(data: bytes, name: str) -> str | None:
    head = data.partition(b"\r\n\r\n")[0]
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name.lower().encode():
            return value.strip().decode("latin-1")
    return None


def answers_within(socks: list[socket.socket], timeout: float) -> list[bytes | None]:
    """answer_within for several sockets at once: all of them waited on for the same timeout."""
    deadline = time.monotonic() + timeout
    got: dict[int, bytes | None] = {}
    while len(got) < len(socks) and (left := deadline - time.monotonic()) > 0:
        pending = [s for i, s in enumerate(socks) if i not in got]
        ready, _, _ = select.select(pending, [], [], left)
        for sock in ready:
            got[socks.index(sock)] = answer_within(sock, max(0.5, deadline - time.monotonic()))
    return [got.get(i) for i in range(len(socks))]
