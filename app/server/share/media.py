"""A share link's files: thumbnails, large previews, files with Range, downloads and a streamed ZIP."""

from __future__ import annotations

from collections.abc import Iterator

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from zipstream import ZIP_STORED, ZipStream

from app.core.formats import FORMAT_MIME
from app.library.errors import NotFound, PermissionDenied
from app.library.previews import preview_path
from app.library.records import AssetRecord
from app.library.service import LibraryService
from app.library.shares import ShareLinkRecord
from app.server.deps import Library
from app.server.files import content_disposition, download_name, file_response
from app.server.share.access import reviewer_name, shares_of
from app.server.share.render import visit

router = APIRouter(prefix="/s", include_in_schema=False)


def _asset(request: Request, lib: LibraryService, token: str, asset_id: str) -> tuple[ShareLinkRecord, AssetRecord]:
    """The link and one of its assets; 404 for any asset outside the link's scope."""
    link = visit(request, token)
    if link.kind != "review":
        raise NotFound("Asset not found")
    return link, lib.get_asset(shares_of(request).asset_in_link(link.id, asset_id))


def _jpeg(request: Request, source: object, record: AssetRecord, kind: str) -> Response:
    if source is None:
        raise NotFound(f"This asset has no {kind}")
    return file_response(request, source, media_type="image/jpeg",  # type: ignore[arg-type]
                         etag=f'"{record.sha256[:32]}-{kind}"', filename=None,
                         missing=f"This asset has no {kind}")


@router.get("/{token}/t/{asset_id}")
def thumbnail(token: str, asset_id: str, request: Request, lib: Library) -> Response:
    _, record = _asset(request, lib, token, asset_id)
    return _jpeg(request, lib.stored_thumb(record), record, "thumbnail")


@router.get("/{token}/p/{asset_id}")
async def preview(token: str, asset_id: str, request: Request, lib: Library) -> Response:
    """The large view: an image or a PDF's first page at up to 1600 px, made once and cached."""
    _, record = _asset(request, lib, token, asset_id)
    path = await anyio.to_thread.run_sync(preview_path, lib, record)
    if path is None:  # video and audio: their thumbnail (a frame, the waveform) is the preview
        return _jpeg(request, lib.stored_thumb(record), record, "thumbnail")
    return _jpeg(request, path, record, "preview")


@router.get("/{token}/f/{asset_id}")
def play(token: str, asset_id: str, request: Request, lib: Library) -> Response:
    """The file inline, with Range, for the players; documents and images only when downloads are on."""
    link, record = _asset(request, lib, token, asset_id)
    if record.asset_type not in ("video", "audio") and not link.allow_download:
        raise PermissionDenied("This link shows previews only")
    return file_response(request, lib.stored_file(record), media_type=FORMAT_MIME[record.format],
                         etag=f'"{record.sha256}"', filename=None,
                         missing="The asset's file is missing")


@router.get("/{token}/d/{asset_id}")
def download(token: str, asset_id: str, request: Request, lib: Library) -> Response:
    link, record = _asset(request, lib, token, asset_id)
    if not link.allow_download:
        raise PermissionDenied("This link shows previews only: downloads are off")
    name = download_name(record.name, record.format)
    response = file_response(request, lib.stored_file(record), media_type=FORMAT_MIME[record.format],
                             etag=f'"{record.sha256}"', filename=None,
                             missing="The asset's file is missing")
    response.headers["Content-Disposition"] = content_disposition(name, "attachment")
    if "range" not in request.headers:  # one event per download, not per resumed piece
        shares_of(request).record_event(link.id, "downloaded", reviewer_name(request) or None,
                                        record.id, name)
    return response


def _arcnames(records: list[AssetRecord]) -> list[str]:
    """Each file's name in the ZIP: its download name, numbered when two would clash."""
    taken: set[str] = set()
    names = []
    for r in records:
        name = download_name(r.name, r.format).replace("/", "_").replace("\\", "_")
        stem, dot, ext = name.rpartition(".")
        candidate, n = name, 2
        while candidate.casefold() in taken:
            candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
            n += 1
        taken.add(candidate.casefold())
        names.append(candidate)
    return names


def _chunks(lib: LibraryService, record: AssetRecord) -> Iterator[bytes]:
    stored = lib.stored_file(record)
    if stored is None:
        raise NotFound("The asset's file is missing")
    with stored.open() as f:
        while chunk := f.read(1024 * 1024):
            yield chunk


@router.get("/{token}/zip")
def download_all(token: str, request: Request, lib: Library) -> Response:
    """Every asset of the link as one ZIP, streamed as it is written (stored, not compressed:
    media is compressed already), with its length known in advance."""
    link = visit(request, token)
    if link.kind != "review":
        raise NotFound("Link not found")
    if not link.allow_download:
        raise PermissionDenied("This link shows previews only: downloads are off")
    ids = shares_of(request).asset_ids(link.id)
    found = lib.get_assets(ids)
    records = [found[i] for i in ids if i in found]
    archive = ZipStream(compress_type=ZIP_STORED, sized=True)
    for record, arcname in zip(records, _arcnames(records)):
        stored = lib.stored_file(record)
        if stored is None:
            continue
        if stored.path is not None:
            archive.add_path(str(stored.path), arcname)
        else:
            archive.add(_chunks(lib, record), arcname, size=stored.blob.size)
    shares_of(request).record_event(link.id, "downloaded", reviewer_name(request) or None, None,
                                    f"all ({len(records)} files, ZIP)")
    filename = f"{link.title}.zip"
    return StreamingResponse(
        iter(archive), media_type="application/zip",
        headers={"Content-Disposition": content_disposition(filename, "attachment"),
                 "Content-Length": str(len(archive)), "Cache-Control": "no-store",
                 "X-Content-Type-Options": "nosniff"},
    )
