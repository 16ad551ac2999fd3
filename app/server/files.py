"""Serving a library file: Content-Type, Range (206/416), ETag and conditional GET (304), safe headers."""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import anyio
import anyio.to_thread
from fastapi import Request, Response
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

from app.library.errors import NotFound
from app.library.storage import StoredFile

MAX_RANGES = 16
CACHE_CONTROL = "private, no-cache"


class _RangeFileResponse(FileResponse):
    """Starlette's file sender, handed a Range header that files.py has already judged."""

    # Starlette's 64 KiB default costs one thread hop per chunk; at 1 MiB a 50 MB video
    # streams several times faster while memory per download stays small.
    chunk_size = 1024 * 1024

    def __init__(self, path: Path, *, range_header: str | None, **kwargs: object) -> None:
        super().__init__(path, **kwargs)  # type: ignore[arg-type]
        self._range_header = range_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(k, v) for k, v in scope["headers"] if k != b"range"]
        if self._range_header is not None:
            headers.append((b"range", self._range_header.encode("latin-1")))
        await super().__call__({**scope, "headers": headers}, receive, send)


class _AsyncReader:
    """The async file Starlette's sender expects, over a blocking reader (ranged GETs for S3)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw

    async def seek(self, offset: int) -> int:
        return await anyio.to_thread.run_sync(self._raw.seek, offset)

    async def read(self, size: int) -> bytes:
        return await anyio.to_thread.run_sync(self._raw.read, size)


class _StoreFileResponse(_RangeFileResponse):
    """The same sender (so the same Range, 206 and multipart answers), reading from the store."""

    def __init__(self, stored: StoredFile, **kwargs: Any) -> None:
        super().__init__(Path(stored.blob.name), **kwargs)
        self._stored = stored

    @asynccontextmanager
    async def _open_file(self) -> AsyncIterator[Any]:
        raw = await anyio.to_thread.run_sync(self._stored.open)
        try:
            yield _AsyncReader(raw)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(raw.close)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # There is no local path to hand to a server's sendfile extension.
        extensions = {k: v for k, v in scope.get("extensions", {}).items() if k != "http.response.pathsend"}
        await super().__call__({**scope, "extensions": extensions}, receive, send)


def _stat_of(stored: StoredFile) -> os.stat_result:
    blob = stored.blob
    mtime = int(blob.mtime)
    return os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, blob.size, mtime, mtime, mtime))


def content_disposition(name: str, disposition: str = "inline") -> str:
    """The name as both a plain ASCII filename and an RFC 5987 filename* for any script."""
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(c if c.isprintable() and c not in '"\\' else "_" for c in fallback).strip()
    stem, dot, ext = fallback.rpartition(".")
    if not any(c.isalnum() for c in (stem if dot else fallback)):
        # Nothing readable survives in ASCII ("日本.jpg"): a generic name with the extension.
        fallback = f"file.{ext}" if dot and ext else "file"
    encoded = quote(name, safe="!#$&+^`|~")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def download_name(name: str, fmt: str) -> str:
    """The asset's display name, with its format's extension when the name lacks it."""
    extensions = {"jpg": (".jpg", ".jpeg")}.get(fmt, (f".{fmt}",))
    return name if name.lower().endswith(extensions) else f"{name}.{fmt}"


def _etag_matches(header: str, etag: str) -> bool:
    # Weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
    opaque = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


def _not_modified(request: Request, etag: str, mtime: float) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    since = request.headers.get("if-modified-since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False
        if when is None:
            return False
        return int(mtime) <= when.timestamp()
    return False


def judge_range(header: str | None, size: int) -> tuple[str | None, bool]:
    """(the Range header to honour or None for the whole file, whether it is unsatisfiable).

    A malformed or non-bytes Range is ignored, as RFC 9110 allows; unsatisfiable parts are
    dropped, and only a Range with no satisfiable part at all is answered with 416.
    """
    if header is None:
        return None, False
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        return None, False
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) > MAX_RANGES:
        return None, False
    satisfiable: list[str] = []
    for part in parts:
        first, dash, last = part.partition("-")
        first, last = first.strip(), last.strip()
        if not dash or (first and not first.isdigit()) or (last and not last.isdigit()):
            return None, False
        if not first:
            if not last:
                return None, False
            length = int(last)
            if length > 0 and size > 0:
                satisfiable.append(f"{max(0, size - length)}-{size - 1}")
            continue
        start = int(first)
        end = int(last) if last else size - 1
        if last and end < start:
            return None, False
        if start < size:
            satisfiable.append(f"{start}-{min(end, size - 1)}")
    if not satisfiable:
        return None, True
    return "bytes=" + ",".join(satisfiable), False


def file_response(
    request: Request,
    source: Path | StoredFile | None,
    *,
    media_type: str,
    etag: str,
    filename: str | None,
    missing: str,
) -> Response:
    """A GET of a file: 304 when the client's copy is current, else 200 or 206 (or 416).

    A local path (or a stored file that has one) is sent by the OS; any other stored file
    is streamed from its store, through the same Range handling.
    """
    stored = source if isinstance(source, StoredFile) else None
    path = stored.path if stored is not None else source
    try:
        if path is not None:
            st = os.stat(path)
        elif stored is not None:
            st = _stat_of(stored)
        else:
            raise FileNotFoundError
    except FileNotFoundError:
        raise NotFound(missing) from None
    headers = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "Last-Modified": formatdate(st.st_mtime, usegmt=True),
        "X-Content-Type-Options": "nosniff",
        "Accept-Ranges": "bytes",
    }
    if filename is not None:
        headers["Content-Disposition"] = content_disposition(filename)
    if _not_modified(request, etag, st.st_mtime):
        return Response(status_code=304, headers=headers)
    range_header, unsatisfiable = judge_range(request.headers.get("range"), st.st_size)
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range not in (etag, headers["Last-Modified"]):
        # The client's partial copy is stale: it gets the whole current file.
        range_header, unsatisfiable = None, False
    if unsatisfiable:
        return Response(
            content=b'{"detail":"Requested range not satisfiable"}',
            status_code=416,
            media_type="application/json",
            headers={"Content-Range": f"bytes */{st.st_size}", "X-Content-Type-Options": "nosniff"},
        )
    if path is None:
        assert stored is not None
        return _StoreFileResponse(
            stored,
            range_header=range_header,
            media_type=media_type,
            headers=headers,
            stat_result=st,
        )
    return _RangeFileResponse(
        path,
        range_header=range_header,
        media_type=media_type,
        headers=headers,
        stat_result=st,
    )
