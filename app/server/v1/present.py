"""What the v1 dialect shows: library records, bucket files and persons as v1 wire models."""

from __future__ import annotations

from datetime import UTC, datetime

from app.api.v1 import V1_PURPOSES, V1Asset, V1Person
from app.core.formats import FORMAT_MIME
from app.library.persons import PersonRecord
from app.library.records import AssetRecord
from app.server.v1.bucket import BucketFile


def visible(record: AssetRecord) -> bool:
    """v1 sees images with a face or template purpose; the rest of the library is v2's."""
    return record.asset_type == "image" and record.purpose in V1_PURPOSES


def file_url(base_url: str, asset_id: str) -> str:
    return f"{base_url}/api/assets/{asset_id}/file"


def bucket_url(base_url: str, name: str) -> str:
    return f"{base_url}/api/assets/bucket/{name}"


def asset_v1(r: AssetRecord, base_url: str) -> V1Asset:
    return V1Asset(
        id=r.id,
        type=r.purpose,  # type: ignore[arg-type]  # visible() holds
        url=file_url(base_url, r.id),
        name=r.name,
        description=r.description,
        mimeType=FORMAT_MIME.get(r.format, r.mime),
        size=r.size or 0,
        width=r.width,
        height=r.height,
        createdAt=r.uploaded_at,
    )


def bucket_v1(f: BucketFile, base_url: str) -> V1Asset:
    # The document: a bucket upload has an empty id and null width/height (no database row).
    return V1Asset(
        id="",
        type="bucket",
        url=bucket_url(base_url, f.name),
        name=f.display_name,
        description=f.description,
        mimeType=f.mime,
        size=f.size,
        width=None,
        height=None,
        createdAt=datetime.fromtimestamp(f.created_at, UTC),
    )


def person_v1(p: PersonRecord) -> V1Person:
    return V1Person(
        id=p.id, name=p.name, imageIds=p.image_ids, createdAt=p.created_at, updatedAt=p.updated_at
    )
