"""Records to the v2 wire models: the one place that decides what the API shows of an asset."""

from __future__ import annotations

from typing import Any

from app.api.schemas import (
    AssetRead,
    AssetState,
    AudioAsset,
    CampaignRead,
    ClientRead,
    DocumentAsset,
    EditTimes,
    ImageAsset,
    SyncRights,
    VideoAsset,
)
from app.library.find_sync import Facts
from app.library.records import AssetRecord, CampaignRecord, ClientRecord


def asset_read(r: AssetRecord, base_url: str = "") -> AssetRead:
    """The spec's discriminated union; base_url makes urls absolute (e.g. https://host).

    The urls are the row's url, thumbnail_url and waveform_url columns (repository.stored_urls
    writes them), so what a row says is what the API shows. An image's thumbnail is left
    out: the spec's image has no thumbnailUrl field.
    """
    base = base_url.rstrip("/")
    thumbnail = None if r.thumbnail_url is None else base + r.thumbnail_url
    common: dict[str, Any] = dict(
        id=r.id,
        userId=r.user_id,
        clientId=r.client_id,
        campaignId=r.campaign_id,
        name=r.name,
        url=base + r.url,
        size=r.size,
        uploadedAt=r.uploaded_at,
        tags=r.tags,
        format=r.format,
    )
    if r.asset_type == "image":
        return ImageAsset(width=r.width or 0, height=r.height or 0, **common)
    if r.asset_type == "video":
        return VideoAsset(
            width=r.width or 0,
            height=r.height or 0,
            duration=r.duration or 0,
            thumbnailUrl=thumbnail,
            **common,
        )
    if r.asset_type == "audio":
        waveform = None if r.waveform_url is None else base + r.waveform_url
        return AudioAsset(duration=r.duration or 0, waveformUrl=waveform, **common)
    return DocumentAsset(pageCount=r.page_count, thumbnailUrl=thumbnail, **common)


def asset_state(
    r: AssetRecord,
    base_url: str = "",
    edit_times: dict[str, str] | None = None,
    facts: Facts | None = None,
) -> AssetState:
    extra: dict[str, Any] = {}
    if facts is not None:
        rights = dict(zip(_RIGHTS_WIRE, facts.rights, strict=True))
        extra = {
            "rating": facts.rating,
            "label": facts.label or None,
            "rights": SyncRights(**{k: v or None for k, v in rights.items()}),
        }
    return AssetState(
        editTimes=EditTimes(**edit_times) if edit_times else None,
        asset=asset_read(r, base_url),
        sha256=r.sha256,
        updatedAt=r.updated_at,
        clientName=r.client_name,
        campaignName=r.campaign_name,
        **extra,
    )


_RIGHTS_WIRE = ("licence", "source", "credit", "validFrom", "validUntil")


def client_read(c: ClientRecord) -> ClientRead:
    return ClientRead(
        id=c.id, name=c.name, createdAt=c.created_at, updatedAt=c.updated_at, assetCount=c.asset_count
    )


def campaign_read(c: CampaignRecord) -> CampaignRead:
    return CampaignRead(
        id=c.id,
        clientId=c.client_id,
        name=c.name,
        createdAt=c.created_at,
        updatedAt=c.updated_at,
        assetCount=c.asset_count,
    )
