"""The assets table's url, thumbnail_url and waveform_url are what the API shows, not copies."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from app.library.models import Asset
from app.library.records import AssetQuery, AssetRecord
from app.library.service import LibraryService
from app.library.wire import asset_read, asset_state
from tests import media

BASE = "https://atelier.example"


def _kinds(library: LibraryService, media_dir: Path) -> dict[str, AssetRecord]:
    files = [
        media.make_png(media_dir, 20, 10).path,
        media.make_mp4(media_dir).path,
        media.make_wav(media_dir).path,
        media.make_pdf(media_dir).path,
    ]
    report = library.import_paths(files)
    assert not report.rejected
    return {r.asset_type: r for r in report.imported}


def _shown(record: AssetRecord) -> dict[str, object]:
    wire = asset_read(record, BASE).model_dump()
    return {k: wire.get(k) for k in ("url", "thumbnailUrl", "waveformUrl")}


def _columns(library: LibraryService, asset_id: str) -> tuple[str, str | None, str | None]:
    with library.reading() as s:
        a = s.get(Asset, asset_id)
        assert a is not None
        return a.url, a.thumbnail_url, a.waveform_url


def test_an_import_stores_what_the_wire_shows(library: LibraryService, media_dir: Path) -> None:
    kinds = _kinds(library, media_dir)
    for kind, record in kinds.items():
        url, thumb, wave = _columns(library, record.id)
        assert url == f"/api/v2/assets/{record.id}", kind
        shown = _shown(library.get_asset(record.id))
        assert shown["url"] == BASE + url, kind
        if kind in ("video", "document"):
            assert shown["thumbnailUrl"] == BASE + (thumb or ""), kind
        if kind == "audio":
            assert shown["waveformUrl"] == BASE + (wave or ""), kind


def test_the_wire_follows_the_columns(library: LibraryService, media_dir: Path) -> None:
    """A row whose thumbnail or waveform is gone says so, and the API must not promise one."""
    kinds = _kinds(library, media_dir)
    with library.writing() as s:
        s.execute(update(Asset).values(thumbnail_url=None, waveform_url=None))
        s.execute(
            update(Asset)
            .where(Asset.id == kinds["image"].id)
            .values(url=f"/api/v2/assets/{kinds['image'].id}?v=2")
        )
    listed = {r.id: r for r in library.list_assets(AssetQuery(), limit=10)}
    for kind in ("video", "document"):
        assert _shown(listed[kinds[kind].id])["thumbnailUrl"] is None, kind
    assert _shown(library.get_asset(kinds["audio"].id))["waveformUrl"] is None
    image = library.get_asset(kinds["image"].id)
    assert _shown(image)["url"] == f"{BASE}/api/v2/assets/{image.id}?v=2"
    feed = library.changes_since(0, library.local_user_id).assets
    video = next(r for r in feed if r.asset_type == "video")
    assert asset_state(video, BASE).asset.model_dump()["thumbnailUrl"] is None
