"""ASGI middleware: body size and depth limits, closing connections whose body was left unread,
nosniff, and the one clean 500 for anything unexpected."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.server.jsondepth import DepthScanner

log = logging.getLogger("atelier.server")

JSON_BODY_LIMIT = 1024 * 1024
# Unread request bytes that the server may still read and drop after answering, to keep the
# connection (closing on unread data makes TCP reset it, and a client can lose the answer).
DISCARD_LIMIT = 1024 * 1024


class BodyTooLarge(HTTPException):
    """Raised from receive() when a body (other than an upload's) passes JSON_BODY_LIMIT.

    An HTTPException, so that FastAPI's body parsing lets it through to errors.py (413).
    """

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="Request body too large")


class BodyGuard:
    """Every response gets nosniff; a response sent while more than DISCARD_LIMIT bytes of its
    request body are unread (or an unknown amount) closes the connection, so the server never
    reads, and throws away, the rest of a huge body.

    Bodies of routes other than `streamed_paths` are limited to JSON_BODY_LIMIT bytes and to
    MAX_JSON_DEPTH levels of nesting (scanned as they arrive, before any JSON parser runs).
    """

    def __init__(self, app: ASGIApp, streamed_paths: frozenset[str],
                 streamed_pattern: re.Pattern[str] | None = None) -> None:
        self.app = app
        self.streamed_paths = streamed_paths
        self.streamed_pattern = streamed_pattern  # streamed paths with a variable part

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        has_body = (declared.isdigit() and int(declared) > 0) or b"transfer-encoding" in headers
        limited = scope["path"] not in self.streamed_paths and not (
            self.streamed_pattern is not None and self.streamed_pattern.match(scope["path"])
        )
        if limited and declared.isdigit() and int(declared) > JSON_BODY_LIMIT:
            await _too_large(send)
            return
        state = {"done": not has_body, "received": 0, "started": False}
        depth = DepthScanner() if limited else None

        async def guarded_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if not message.get("more_body", False):
                    state["done"] = True
                if limited and state["received"] > JSON_BODY_LIMIT:
                    raise BodyTooLarge()
                if depth is not None:
                    depth.feed(message.get("body", b""))
            elif message["type"] == "http.disconnect":
                state["done"] = True
            return message

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                extra = [(b"x-content-type-options", b"nosniff")]
                unread = int(declared) - state["received"] if declared.isdigit() else None
                if not state["done"] and (unread is None or unread > DISCARD_LIMIT):
                    extra.append((b"connection", b"close"))
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {
                    **message,
                    "headers": list(message.get("headers", []))
                    + [(k, v) for k, v in extra if k not in names],
                }
            await send(message)

        try:
            await self.app(scope, guarded_receive, guarded_send)
        except BodyTooLarge:
            if state["started"]:
                raise
            await _too_large(send)


async def _too_large(send: Send) -> None:
    body = json.dumps({"detail": "Request body too large"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


Render = Callable[[Request, Exception], Awaitable[Response]]


class CatchAll:
    """Anything unexpected is logged once and answered with a clean 500 that closes the connection.

    Placed inside BodyGuard, so the answer carries the same headers as every other one
    (Starlette's own last-resort handler sits outside all middleware, and re-raises).
    """

    def __init__(self, app: ASGIApp, render: Render) -> None:
        self.app = app
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        except Exception as exc:
            request = Request(scope)
            log.exception("Unexpected error on %s %s", request.method, request.url.path)
            if started:
                return  # too late for an answer: the server closes the connection
            response = await self.render(request, exc)
            # The request's body and the app's state are unknown: do not reuse the connection.
            response.headers["Connection"] = "close"
            await response(scope, receive, send)
