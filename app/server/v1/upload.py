"""POST /api/assets: a multipart or JSON (base64) upload, decoded and checked as it streams in."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import anyio.from_thread
import anyio.to_thread
from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from starlette.requests import ClientDisconnect

from app.api.v1 import V1_MAX_DESCRIPTION, V1Asset, V1AssetJson, V1Type
from app.core.errors import AtelierError, FileTooLarge, InvalidFileType
from app.core.ingest import Ingested
from app.core.names import safe_display_name
from app.library.service import LibraryService, Target
from app.server.deps import get_settings, upload_gate
from app.server.limits import PacedBody
from app.server.multipart import MultipartReader, boundary_of
from app.server.v1.bucket import Bucket
from app.server.v1.errors import InvalidBody, NotAnImage
from app.server.v1.jsonbody import MAX_OTHER_BYTES, BodyError, JsonObjectReader
from app.server.v1.present import asset_v1, bucket_v1

BodyKind = Literal["json", "form"]


class V1AssetForm(BaseModel):
    """The multipart fields besides the file."""

    type: V1Type
    description: str | None = Field(default=None, max_length=V1_MAX_DESCRIPTION)


@dataclass(frozen=True)
class UploadFields:
    type: str
    filename: str | None
    description: str | None


def body_kind(request: Request) -> BodyKind:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media == "multipart/form-data":
        return "form"
    raise HTTPException(
        415, "Send the image as multipart/form-data (file, type) or as JSON (base64, type)"
    )


def body_budget(kind: BodyKind, max_bytes: int) -> int:
    """The most body bytes a file under the limit can take, fields and all."""
    # Base64 is 4/3 of the bytes; allow for line breaks and escaped slashes on top.
    payload = max_bytes * 4 // 3 * 11 // 10 if kind == "json" else max_bytes
    return payload + MAX_OTHER_BYTES


async def receive(
    request: Request,
    kind: BodyKind,
    lib: LibraryService,
    bucket: Bucket,
    user_id: int,
    base_url: str,
) -> V1Asset:
    """Read the body in a worker thread (files and probes block) fed from this event loop."""
    budget = body_budget(kind, lib.max_bytes)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > budget:
        # Refused from the headers alone: not one byte of a huge body is read.
        raise FileTooLarge(lib.max_bytes)
    boundary = boundary_of(request.headers.get("content-type")) if kind == "form" else b""
    settings = get_settings(request)
    gate = upload_gate(request)
    with gate.admit(user_id):
        body = PacedBody(request.receive, settings.min_upload_rate, settings.upload_rate_window)

        def chunks() -> Iterator[bytes]:
            while (chunk := anyio.from_thread.run(body.next_chunk)) is not None:
                yield chunk

        def work() -> V1Asset:
            return _receive(kind, chunks(), boundary, lib, bucket, user_id, base_url)

        try:
            return await anyio.to_thread.run_sync(work, limiter=gate.limiter)
        except ClientDisconnect:
            raise InvalidBody("The upload was interrupted") from None
        except FileTooLarge:
            raise  # answered at once; the app's BodyGuard closes the connection
        except (AtelierError, RequestValidationError):
            # A well-behaved client gets to finish sending, so that it reads the reason.
            await body.drain(budget)
            raise


def _receive(
    kind: BodyKind,
    chunks: Iterator[bytes],
    boundary: bytes,
    lib: LibraryService,
    bucket: Bucket,
    user_id: int,
    base_url: str,
) -> V1Asset:
    received: list[Ingested] = []

    def consume(pieces: Iterator[bytes]) -> Ingested:
        # The same staging and analysis as every upload: type from the bytes, size limit, probe.
        ingested = lib.receive_stream(pieces)
        received.append(ingested)
        return ingested

    try:
        ingested, fields = _parse(kind, chunks, boundary, consume)
        if ingested.info.asset_type != "image":
            raise NotAnImage(ingested.staged.mime)
    except BaseException as exc:
        for item in received:
            item.discard()
        if isinstance(exc, InvalidFileType):
            raise NotAnImage(exc.mime) from None  # what is allowed here is a shorter list
        raise
    name = fields.filename or f"{fields.type}-{uuid.uuid4().hex[:12]}.{ingested.info.format}"
    description = fields.description or None
    if fields.type == "bucket":
        try:
            entry = bucket.put(
                ingested.staged.path,
                ingested.info.format,
                user_id=user_id,
                display_name=safe_display_name(name),
                description=description,
                size=ingested.staged.size,
            )
        finally:
            ingested.discard()  # the thumbnail, and the file if it did not move
        return bucket_v1(entry, base_url)
    record = lib.file_received(
        ingested, name, Target(user_id=user_id, purpose=fields.type, description=description)
    )
    return asset_v1(record, base_url)


def _parse(
    kind: BodyKind,
    chunks: Iterator[bytes],
    boundary: bytes,
    consume: Callable[[Iterator[bytes]], Ingested],
) -> tuple[Ingested, UploadFields]:
    if kind == "json":
        reader = JsonObjectReader(chunks, stream_key="base64")
        try:
            ingested = reader.parse(consume)
        except BodyError as exc:
            raise InvalidBody(str(exc)) from None
        fields = _json_fields(reader.fields, reader.streamed)
    else:
        form = MultipartReader[Ingested](boundary, chunks).read(consume, Ingested.discard)
        ingested = form.file
        fields = _form_fields(form.fields, form.filename)
    assert ingested is not None  # both readers refuse a body without the file
    return ingested, fields


def _json_fields(raw: dict[str, object], streamed: bool) -> UploadFields:
    data: dict[str, Any] = dict(raw)
    if streamed:
        data["base64"] = ""  # already decoded into the staged file
    model = _validated(V1AssetJson, data)
    return UploadFields(model.type, model.filename, model.description)


def _form_fields(raw: dict[str, str], filename: str | None) -> UploadFields:
    model = _validated(V1AssetForm, raw)
    return UploadFields(model.type, filename or None, model.description)


def _validated(model: type[Any], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
