"""Bounds on uploads: how many run at once (in total and per user) and how slowly one may send.

An upload's file work (multipart parsing, staging, probing) runs in a worker thread that
pulls the body from the event loop chunk by chunk. Those threads come from a limiter of
their own, never from the pool every other route and dependency shares, so uploads that
stall cannot starve listings or logins; the gate refuses uploads beyond the caps before a
thread is taken, and PacedBody ends an upload that sends too little.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import Receive

RETRY_AFTER = "5"


class UploadTooSlow(HTTPException):
    def __init__(self, min_rate: int, window: float) -> None:
        super().__init__(
            408,
            f"The upload was too slow (less than {min_rate} bytes a second over {window:g} s): closed",
            headers={"Connection": "close"},
        )


class UploadGate:
    """Admission of uploads in this process: at most `total` at once, `per_user` per user."""

    def __init__(self, total: int, per_user: int) -> None:
        self.total = total
        self.per_user = per_user
        self._active: Counter[int] = Counter()
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        """The worker threads of uploads (made on first use: it belongs to the running loop)."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.total)
        return self._limiter

    @property
    def active(self) -> int:
        return sum(self._active.values())

    @contextmanager
    def admit(self, user_id: int) -> Iterator[None]:
        # Runs on the event loop only, so the counts need no lock.
        if self.active >= self.total:
            raise HTTPException(
                503,
                "The server is busy with other uploads: try again shortly",
                headers={"Retry-After": RETRY_AFTER},
            )
        if self._active[user_id] >= self.per_user:
            raise HTTPException(
                429,
                f"At most {self.per_user} uploads at a time per user: wait for one to finish",
                headers={"Retry-After": RETRY_AFTER},
            )
        self._active[user_id] += 1
        try:
            yield
        finally:
            self._active[user_id] -= 1
            if self._active[user_id] <= 0:
                del self._active[user_id]


class PacedBody:
    """A request body read from the ASGI receive channel, chunk by chunk, on the event loop.

    In each `window` seconds the client must send at least min_rate x window bytes, or the
    read fails with UploadTooSlow (408); a client that goes away raises ClientDisconnect.
    """

    def __init__(self, receive: Receive, min_rate: int, window: float) -> None:
        self._receive = receive
        self.min_rate = min_rate
        self.window = window
        self.received = 0
        self.done = False
        self._window_end = anyio.current_time() + window
        self._window_bytes = 0

    async def next_chunk(self) -> bytes | None:
        """The next non-empty chunk, or None at the end of the body."""
        while not self.done:
            now = anyio.current_time()
            if now >= self._window_end:
                if self._window_bytes < self.min_rate * self.window:
                    raise UploadTooSlow(self.min_rate, self.window)
                self._window_end, self._window_bytes = now + self.window, 0
            with anyio.move_on_after(self._window_end - now):
                message = await self._receive()
                if message["type"] == "http.disconnect":
                    raise ClientDisconnect()
                self.done = not message.get("more_body", False)
                chunk: bytes = message.get("body", b"")
                self.received += len(chunk)
                self._window_bytes += len(chunk)
                if chunk:
                    return chunk
        return None

    async def drain(self, budget: int) -> None:
        """Read and drop the rest of a refused upload while the whole stays within budget."""
        try:
            while self.received <= budget and await self.next_chunk() is not None:
                pass
        except (ClientDisconnect, UploadTooSlow):
            return
