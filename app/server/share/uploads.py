"""POST /s/{token}/upload: one file from a client through an upload link, by the server's upload path.

The file streams through the same multipart reader, staging, validation and filing as
/api/v2/upload-asset; the link's file and byte quota are enforced while it streams, and a
refused file leaves nothing behind (no temp file, no row, no quota used).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import anyio
import anyio.from_thread
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from app.core.errors import AtelierError, FileTooLarge
from app.core.ingest import Ingested
from app.core.names import has_control_characters
from app.library.errors import InvalidInput, NotFound
from app.library.records import AssetRecord
from app.library.service import LibraryService, Target
from app.library.shares import ShareLinkRecord, ShareService
from app.server.deps import Library, get_settings, upload_gate
from app.server.errors import BadUpload
from app.server.limits import PacedBody
from app.server.multipart import MAX_FORM_OVERHEAD, MultipartReader, UploadForm, boundary_of
from app.server.share.access import check_csrf, shares_of
from app.server.share.render import visit

router = APIRouter(prefix="/s", include_in_schema=False)
UPLOAD_PATH = re.compile(r"^/s/[A-Za-z0-9_-]{16,128}/upload$")
_EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,190}\.[^@\s<>.]{1,63}$")


@dataclass(frozen=True)
class Sender:
    name: str | None
    email: str | None

    def label(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email or ""


def _sender(form: UploadForm[Ingested]) -> Sender:
    name = " ".join(form.fields.get("uploader", "").split())[:200] or None
    email = form.fields.get("email", "").strip()[:254] or None
    if not name and not email:
        raise InvalidInput("Give your name or e-mail so the team knows who sent the files")
    if name and has_control_characters(name):
        raise InvalidInput("Your name cannot contain control characters")
    if email and (has_control_characters(email) or not _EMAIL.match(email)):
        raise InvalidInput("That e-mail address does not look right")
    return Sender(name, email)


def _counted(part: Iterator[bytes], remaining: int | None) -> Iterator[bytes]:
    """The file's bytes, stopped the moment they pass what the link's byte quota has left."""
    seen = 0
    for chunk in part:
        seen += len(chunk)
        if remaining is not None and seen > remaining:
            raise InvalidInput("This file would exceed the link's size quota")
        yield chunk


def _store(lib: LibraryService, shares: ShareService, link: ShareLinkRecord,
           check_csrf_of: Callable[[object], None],
           boundary: bytes, chunks: Iterator[bytes], campaign_client: str) -> AssetRecord:
    """Runs in a worker thread: read, stage and check the file, reserve quota, file it."""
    remaining = shares.remaining_bytes(link.id)
    reader: MultipartReader[Ingested] = MultipartReader(boundary, chunks)
    form = reader.read(lambda part: lib.receive_stream(_counted(part, remaining)), Ingested.discard)
    ingested = form.file
    assert ingested is not None
    size = ingested.staged.size
    try:
        check_csrf_of(form.fields.get("csrf"))
        sender = _sender(form)
        shares.reserve_upload(link.id, size)
    except BaseException:
        ingested.discard()
        raise
    target = Target(user_id=link.user_id, client_id=campaign_client, campaign_id=link.campaign_id,
                    description=f"Sent by {sender.label()} through an upload link")
    try:
        record = lib.file_received(ingested, form.filename or "upload", target)
    except BaseException:
        shares.release_upload(link.id, size)
        raise
    shares.mark_uploaded(link.id, record.id, sender.name, sender.email)
    shares.record_event(link.id, "uploaded", sender.label(), record.id, record.name)
    return record


@router.post("/{token}/upload")
async def upload(token: str, request: Request, lib: Library) -> Response:
    link = visit(request, token)
    if link.kind != "upload" or link.campaign_id is None:
        raise NotFound("Link not found")
    shares = shares_of(request)
    if link.quota_files is not None and link.used_files >= link.quota_files:
        raise InvalidInput(f"This link takes at most {link.quota_files} files")
    budget = lib.max_bytes + MAX_FORM_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > budget:
        raise FileTooLarge(lib.max_bytes)
    boundary = boundary_of(request.headers.get("content-type"))
    campaign = lib.get_campaign(link.campaign_id)
    settings = get_settings(request)
    gate = upload_gate(request)
    assert link.user_id is not None

    header = request.headers.get("x-csrf-token")
    if header is not None:
        check_csrf(request, link, header)  # before one byte of the file is read

    def check(supplied: object) -> None:
        if header is None:  # a plain form: its csrf field, read with the body
            check_csrf(request, link, supplied if isinstance(supplied, str) else None)

    with gate.admit(link.user_id):
        body = PacedBody(request.receive, settings.min_upload_rate, settings.upload_rate_window)

        def chunks() -> Iterator[bytes]:
            while (chunk := anyio.from_thread.run(body.next_chunk)) is not None:
                yield chunk

        try:
            record = await anyio.to_thread.run_sync(
                _store, lib, shares, link, check, boundary, chunks(), campaign.client_id,
                limiter=gate.limiter,
            )
        except ClientDisconnect:
            raise BadUpload("The upload was interrupted") from None
        except FileTooLarge:
            raise
        except AtelierError:
            await body.drain(budget)  # so the browser reads the reason
            raise
    return JSONResponse({"accepted": True, "id": record.id, "name": record.name,
                         "type": record.asset_type}, status_code=201)
