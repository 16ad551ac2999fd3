"""POST /api/v2/upload-asset: a multipart upload streamed to disk through LibraryService."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

import anyio
import anyio.from_thread
from fastapi import APIRouter, Header, Request
from starlette.requests import ClientDisconnect

from app.api.schemas import AssetRead
from app.core.errors import AtelierError, FileTooLarge
from app.core.formats import FORMAT_MIME
from app.core.ingest import Ingested
from app.library.errors import InvalidInput
from app.library.records import AssetRecord
from app.library.service import LibraryService, Target
from app.library.wire import asset_read
from app.server.deps import BaseUrl, CurrentUser, Library, get_settings, optional_uuid, upload_gate
from app.server.errors import BadUpload
from app.server.jsondepth import JsonTooDeep, check_depth
from app.server.limits import PacedBody
from app.server.multipart import MAX_FORM_OVERHEAD, MultipartReader, UploadForm, boundary_of
from app.server.responses import errors

router = APIRouter(prefix="/api/v2", tags=["assets"])

MAX_TAGS = 100

_FORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "The file: jpg/jpeg, png, gif, webp, mp4, mov, mp3, wav or pdf, "
            "judged by its bytes; at most the server's maxUploadBytes (50 MB by default).",
        },
        "clientId": {
            "type": "string",
            "format": "uuid",
            "description": "File the asset under this client (one of yours).",
        },
        "campaignId": {
            "type": "string",
            "format": "uuid",
            "description": "File the asset under this campaign (one of yours).",
        },
        "name": {
            "type": "string",
            "description": "Display name (defaults to the file's name).",
        },
        "tags": {
            "type": "array",
            "items": {"type": "string"},
            "description": 'Extension: the tags, as one part holding a JSON array of strings '
            '(e.g. ["hero", "blue"]); a form that repeats the field once per tag works too.',
        },
    },
}
# The type is decided from the file's bytes; a part's Content-Type is only documentation.
_FORM_ENCODING: dict[str, Any] = {
    "file": {"contentType": ", ".join(sorted(set(FORMAT_MIME.values())))},
    "tags": {"contentType": "application/json"},
}


def _tags(values: list[str]) -> tuple[str, ...]:
    """One part with a JSON array of strings, or (as HTML forms send lists) one part per tag."""
    if len(values) > 1:
        value: object = values
    elif not values or not values[0].strip():
        return ()
    else:
        try:
            check_depth(values[0].encode("utf-8", "surrogatepass"))
            value = json.loads(values[0])
        except JsonTooDeep as exc:
            raise InvalidInput(f"tags: {exc.detail}") from None
        except ValueError:
            value = None
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise InvalidInput("tags must be a JSON array of strings")
    if len(value) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags")
    return tuple(value)


def _target(form: UploadForm[Any], user_id: int) -> tuple[Target, str | None]:
    fields = form.fields
    target = Target(
        user_id=user_id,
        client_id=optional_uuid(fields.get("clientId"), "client"),
        campaign_id=optional_uuid(fields.get("campaignId"), "campaign"),
        tags=_tags(form.values.get("tags", [])),
    )
    name = fields.get("name")
    return target, name if name and name.strip() else None


def _store(
    lib: LibraryService,
    boundary: bytes,
    chunks: Iterator[bytes],
    user_id: int,
    idempotency_key: str | None,
) -> AssetRecord:
    """Runs in a worker thread: read the form, stage the file as it arrives, then file it."""
    reader: MultipartReader[Ingested] = MultipartReader(boundary, chunks)
    form: UploadForm[Ingested] = reader.read(lib.receive_stream, Ingested.discard)
    assert form.file is not None
    try:
        target, name = _target(form, user_id)
    except BaseException:
        form.file.discard()
        raise
    return lib.file_received(
        form.file,
        form.filename or "upload",
        target,
        name=name,
        idempotency_key=idempotency_key,
    )


def _check_retry(boundary: bytes, chunks: Iterator[bytes], user_id: int) -> None:
    """Runs in a worker thread: a retry must still be a valid upload; its file is not kept."""

    def skip(part: Iterator[bytes]) -> None:
        for _ in part:
            pass

    form: UploadForm[None] = MultipartReader(boundary, chunks).read(skip, lambda _: None)
    _target(form, user_id)  # the same checks of the fields


@router.post(
    "/upload-asset",
    status_code=201,
    response_model=AssetRead,
    summary="Upload an asset",
    description="Multipart upload of one file (field `file`) with optional `clientId`, "
    "`campaignId`, `name` and (extension) `tags`. The file is streamed to disk and judged "
    "by its bytes; anything refused leaves nothing behind. Extension: an `Idempotency-Key` "
    "header makes a retry by the same user return the first upload's asset (201, same body) "
    "without storing anything new.",
    responses={
        201: {"description": "The stored asset (discriminated union on `type`)"},
        **errors(400, 401, 404, 408, 409, 422, 429, 503),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": _FORM_SCHEMA, "encoding": _FORM_ENCODING}
            },
        }
    },
)
async def upload_asset(
    request: Request,
    user: CurrentUser,
    lib: Library,
    base: BaseUrl,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            description="Extension: retries with the same key return the first upload's asset.",
        ),
    ] = None,
) -> AssetRead:
    budget = lib.max_bytes + MAX_FORM_OVERHEAD
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > budget:
        # Refused from the headers alone: not one byte of a 2 GB body is read.
        raise FileTooLarge(lib.max_bytes)
    boundary = boundary_of(request.headers.get("content-type"))
    settings = get_settings(request)
    gate = upload_gate(request)
    with gate.admit(user.id):
        body = PacedBody(request.receive, settings.min_upload_rate, settings.upload_rate_window)
        earlier = None
        if idempotency_key:
            earlier = await anyio.to_thread.run_sync(lib.idempotent_result, user.id, idempotency_key)

        def chunks() -> Iterator[bytes]:
            while (chunk := anyio.from_thread.run(body.next_chunk)) is not None:
                yield chunk

        try:
            if earlier is not None:
                # A retry gets the first upload's asset, but only if it is an upload at all: a
                # body that would be refused on its own is refused on a retry too.
                await anyio.to_thread.run_sync(
                    _check_retry, boundary, chunks(), user.id, limiter=gate.limiter
                )
                return asset_read(earlier, base)
            record = await anyio.to_thread.run_sync(
                _store, lib, boundary, chunks(), user.id, idempotency_key, limiter=gate.limiter
            )
        except ClientDisconnect:
            raise BadUpload("The upload was interrupted") from None
        except FileTooLarge:
            # Past the limit: answer at once; BodyGuard closes the connection.
            raise
        except AtelierError:
            # Let a well-behaved client finish sending so that it reads the reason; past the
            # limit (or on a broken body) BodyGuard closes the connection instead.
            await body.drain(budget)
            raise
    return asset_read(record, base)
