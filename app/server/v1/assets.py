"""The v1 /api/assets routes: list, upload, get, delete, plus the files their `url`s point at."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.v1 import (
    V1_DEFAULT_LIMIT,
    V1_MAX_DESCRIPTION,
    V1_MAX_LIMIT,
    V1_MIME_TYPES,
    V1_TYPES,
    V1Asset,
    V1AssetPage,
    V1Message,
    V1Ok,
    V1Pagination,
    V1Type,
)
from app.core.formats import FORMAT_MIME
from app.library.errors import NotFound
from app.library.records import AssetQuery, AssetRecord
from app.library.service import LibraryService
from app.server.deps import BaseUrl, Library
from app.server.files import download_name, file_response
from app.server.v1.auth import ApiKeyUser
from app.server.v1.bucket import Bucket
from app.server.v1.errors import V1Route, envelope
from app.server.v1.present import asset_v1, bucket_v1, visible
from app.server.v1.responses import image_file, v1_errors
from app.server.v1.upload import body_kind, receive

router = APIRouter(prefix="/api/assets", tags=["v1: assets"], route_class=V1Route)

MAX_PAGE = 1_000_000


async def get_bucket(request: Request) -> Bucket:
    return request.app.state.v1_bucket  # type: ignore[no-any-return]


AssetIdParam = Annotated[str, Path(description="Asset ID (UUID)")]

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["base64", "type"],
                    "properties": {
                        "base64": {
                            "type": "string",
                            "description": "Base64-encoded image, with or without a data: prefix",
                        },
                        "type": {"type": "string", "enum": list(V1_TYPES)},
                        "filename": {"type": "string", "maxLength": 255},
                        "mimeType": {"type": "string", "enum": list(V1_MIME_TYPES)},
                        "description": {"type": "string", "maxLength": V1_MAX_DESCRIPTION},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "type"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "type": {"type": "string", "enum": list(V1_TYPES)},
                        "description": {"type": "string", "maxLength": V1_MAX_DESCRIPTION},
                    },
                }
            },
        },
    }
}


def _v1_asset(lib: LibraryService, asset_id: str, user_id: int) -> AssetRecord:
    """The caller's asset as v1 sees it; anything else (another user's, a video...) is not found."""
    record = lib.get_asset(asset_id, user_id)
    if not visible(record):
        raise NotFound("Asset not found")
    return record


def _enveloped_416(response: Response) -> Response:
    # The shared file sender answers an unsatisfiable Range itself, in the v2 error shape.
    if response.status_code != 416:
        return response
    return envelope(
        416,
        "RANGE_NOT_SATISFIABLE",
        "Requested range not satisfiable",
        {"Content-Range": response.headers["content-range"], "X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "",
    response_model=V1Ok[V1AssetPage],
    responses=v1_errors(401, 422),
    summary="List assets",
)
def list_assets(
    user: ApiKeyUser,
    lib: Library,
    base: BaseUrl,
    bucket: Annotated[Bucket, Depends(get_bucket)],
    type: Annotated[V1Type | None, Query(description="face, template or bucket")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    limit: Annotated[int, Query(ge=1, le=V1_MAX_LIMIT)] = V1_DEFAULT_LIMIT,
) -> V1Ok[V1AssetPage]:
    offset = (page - 1) * limit
    if type == "bucket":
        entries = bucket.list_for(user.id)[offset : offset + limit]
        assets = [bucket_v1(e, base) for e in entries]
    else:
        query = AssetQuery(user_id=user.id, asset_type="image", purpose=type, has_purpose=True)
        assets = [asset_v1(r, base) for r in lib.list_assets(query, limit=limit, offset=offset)]
    return V1Ok(data=V1AssetPage(assets=assets, pagination=V1Pagination(page=page, limit=limit)))


@router.post(
    "",
    status_code=201,
    response_model=V1Ok[V1Asset],
    responses=v1_errors(400, 401, 413, 415, 422),
    openapi_extra=_UPLOAD_BODY,
    summary="Upload an image (multipart or base64 JSON)",
)
async def upload_asset(
    request: Request,
    user: ApiKeyUser,
    lib: Library,
    base: BaseUrl,
    bucket: Annotated[Bucket, Depends(get_bucket)],
) -> JSONResponse:
    asset = await receive(request, body_kind(request), lib, bucket, user.id, base)
    return JSONResponse(V1Ok[V1Asset](data=asset).model_dump(mode="json"), status_code=201)


@router.get(
    "/bucket/{name}",
    response_class=Response,
    responses=image_file(404, 416, 422),
    summary="A bucket upload's file (no key needed: the name is the secret; it expires)",
)
def bucket_file(
    request: Request,
    name: Annotated[str, Path(description="The name at the end of the upload's url")],
    bucket: Annotated[Bucket, Depends(get_bucket)],
) -> Response:
    entry = bucket.get(name)
    stored = bucket.stored(name) if entry is not None else None
    if entry is None or stored is None:
        raise NotFound("File not found or expired")
    return _enveloped_416(
        file_response(
            request,
            stored,
            media_type=entry.mime,
            etag=f'"{name.split(".")[0][:16]}"',
            filename=download_name(entry.display_name, name.rsplit(".", 1)[1]),
            missing="File not found or expired",
        )
    )


@router.get(
    "/{asset_id}",
    response_model=V1Ok[V1Asset],
    responses=v1_errors(401, 404, 422),
    summary="Get an asset",
)
def get_asset(
    asset_id: AssetIdParam, user: ApiKeyUser, lib: Library, base: BaseUrl
) -> V1Ok[V1Asset]:
    return V1Ok(data=asset_v1(_v1_asset(lib, asset_id, user.id), base))


@router.get(
    "/{asset_id}/file",
    response_class=Response,
    responses=image_file(401, 404, 416, 422),
    summary="An asset's file (its `url`)",
)
def asset_file(
    request: Request, asset_id: AssetIdParam, user: ApiKeyUser, lib: Library
) -> Response:
    record = _v1_asset(lib, asset_id, user.id)
    return _enveloped_416(
        file_response(
            request,
            lib.stored_file(record),
            media_type=FORMAT_MIME[record.format],
            etag=f'"{record.sha256[:32]}"',
            filename=download_name(record.name, record.format),
            missing="Asset not found",
        )
    )


@router.delete(
    "/{asset_id}",
    response_model=V1Ok[V1Message],
    responses=v1_errors(401, 404, 422),
    summary="Delete an asset",
)
def delete_asset(asset_id: AssetIdParam, user: ApiKeyUser, lib: Library) -> V1Ok[V1Message]:
    record = _v1_asset(lib, asset_id, user.id)
    lib.delete_asset(record.id, user.id)
    return V1Ok(data=V1Message(message="Asset deleted"))
