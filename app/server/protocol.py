"""uvicorn's HTTP/1.1 protocol with a header deadline, a connection cap and headers on every answer.

uvicorn holds a connection that sends its request line one byte a second for as long as
the client likes, and counts connections only once a request is complete. Here each
connection has `header_timeout` seconds to deliver a request's headers (then 408 and
close); beyond `max_connections` open connections in this process a new one is answered
503 and closed at once; and every response written on the wire, uvicorn's own 400s and
500s included, carries the documented headers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("atelier.server")

# On every response, whatever produced it.
RESPONSE_HEADERS: tuple[tuple[bytes, bytes], ...] = ((b"x-content-type-options", b"nosniff"),)


class _Limits:
    header_timeout: float = 10.0
    max_connections: int = 1000


LIMITS = _Limits()


def configure_protocol(header_timeout: float, max_connections: int) -> None:
    """Set the limits for this process (each worker process calls it from its settings)."""
    LIMITS.header_timeout = header_timeout
    LIMITS.max_connections = max_connections


def raw_response(status: int, reason: str, detail: str, extra: tuple[tuple[str, str], ...] = ()) -> bytes:
    """A complete HTTP/1.1 answer that closes the connection, for moments without an h11 request."""
    body = json.dumps({"detail": detail}).encode()
    lines = [
        f"HTTP/1.1 {status} {reason}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "connection: close",
        *(f"{k.decode()}: {v.decode()}" for k, v in RESPONSE_HEADERS),
        *(f"{k}: {v}" for k, v in extra),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class _HeadedConnection(h11.Connection):
    """h11's connection, adding RESPONSE_HEADERS to every response it writes."""

    def send(self, event: Any) -> bytes | None:
        if isinstance(event, h11.Response):
            present = {name.lower() for name, _ in event.headers}
            missing = [(k, v) for k, v in RESPONSE_HEADERS if k not in present]
            if missing:
                event = h11.Response(
                    status_code=event.status_code,
                    headers=[*event.headers, *missing],
                    reason=event.reason,
                    http_version=event.http_version,
                )
        return super().send(event)


class GuardedH11Protocol(H11Protocol):
    """H11Protocol with the header deadline, the connection cap and the response headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _HeadedConnection(h11.SERVER, self.conn._max_incomplete_event_size)
        self._header_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > LIMITS.max_connections:
            self._refuse(503, "Service Unavailable", "The server has too many open connections: try again shortly", (("retry-after", "5"),))
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self.cycle is None or self.cycle.response_complete:
            # Between requests: the next one's headers are due within the deadline.
            self._arm()
        cycle = self.cycle
        super().data_received(data)
        if self.cycle is not cycle:
            self._disarm()  # a request's headers are complete

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(LIMITS.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being served: its headers came in time
        if self.conn.their_state is h11.IDLE and not self.conn.trailing_data[0]:
            # Nothing of a next request arrived: an idle kept-alive connection, closed quietly.
            self._close()
            return
        self._refuse(
            408,
            "Request Timeout",
            f"The request headers did not arrive within {LIMITS.header_timeout:g} s",
        )

    def _refuse(self, status: int, reason: str, detail: str, extra: tuple[tuple[str, str], ...] = ()) -> None:
        self._refused = True
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(raw_response(status, reason, detail, extra))
        self._close()

    def _close(self) -> None:
        self._unset_keepalive_if_required()
        if not self.transport.is_closing():
            self.transport.close()
