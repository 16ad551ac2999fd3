"""LibraryService on a real temporary library: import, list, edit, delete, cascade, integrity."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.library.errors import Conflict, NotFound, PermissionDenied
from app.library.records import UNSET, AssetChanges, AssetQuery, CancelToken
from app.library.service import LibraryService
from tests import media


def _assets_files(lib: LibraryService) -> list[str]:
    return sorted(p.name for p in lib.storage.iter_files())


def test_import_every_type_with_ground_truth(library: LibraryService, media_dir: Path) -> None:
    jpg = media.make_jpeg(media_dir, 640, 480).path
    png = media.make_png(media_dir, 300, 200, alpha=True).path
    mp4 = media.make_mp4(media_dir, 320, 240, 2).path
    wav = media.make_wav(media_dir, 3).path
    pdf = media.make_pdf(media_dir, 4).path
    report = library.import_paths([jpg, png, mp4, wav, pdf])
    assert not report.rejected, report.rejected
    by_format = {r.format: r for r in report.imported}
    assert set(by_format) == {"jpg", "png", "mp4", "wav", "pdf"}
    assert (by_format["jpg"].width, by_format["jpg"].height) == (640, 480)
    assert (by_format["png"].width, by_format["png"].height) == (300, 200)
    assert (by_format["mp4"].width, by_format["mp4"].height, by_format["mp4"].duration) == (320, 240, 2)
    assert by_format["wav"].duration == 3
    assert by_format["pdf"].page_count == 4
    for r in report.imported:
        assert library.file_path(r).exists()
        assert library.thumb_path(r).exists()
        assert library.file_path(r).name == f"{r.id}.{r.format}"
    assert library.count_assets() == 5
    assert library.counts_by_type()["image"] == 2
    assert library.check().clean


def test_duplicates_skipped_unless_allowed(library: LibraryService, media_dir: Path) -> None:
    jpg = media.make_jpeg(media_dir, 100, 80).path
    first = library.import_paths([jpg])
    again = library.import_paths([jpg])
    assert len(first.imported) == 1 and not again.imported
    assert again.duplicates[0].existing_id == first.imported[0].id
    forced = library.import_paths([jpg], allow_duplicates=True)
    assert len(forced.imported) == 1
    assert library.count_assets() == 2


def test_folder_with_good_and_bad_files(library: LibraryService, tmp_path: Path) -> None:
    folder = tmp_path / "shoot"
    (folder / "sub").mkdir(parents=True)
    (folder / "bad").mkdir()
    for i in range(10):
        media.make_jpeg(folder / ("sub" if i % 2 else ""), 50 + i, 40, name=f"good{i}.jpg")
    bad = media.bad_corpus(folder / "bad")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    report = library.import_paths([folder])
    assert len(report.imported) == 10
    rejected = {r.path.name: r.reason for r in report.rejected}
    assert len(rejected) == len(bad)
    for path, expected in bad:
        assert expected in rejected[path.name], (path.name, rejected[path.name])
    assert any(p.name == ".DS_Store" for p in report.ignored)
    assert len(_assets_files(library)) == 20  # 10 files + 10 thumbnails, nothing else
    assert not any(library.storage.staging_dir.iterdir())


def test_cancel_stops_early_and_keeps_library_consistent(library: LibraryService, media_dir: Path) -> None:
    files = [media.make_jpeg(media_dir, 64, 64 + i, name=f"c{i}.jpg").path for i in range(12)]
    cancel = CancelToken()
    seen: list[int] = []

    def progress(p) -> None:  # type: ignore[no-untyped-def]
        seen.append(p.done)
        if p.done >= 2:
            cancel.cancel()

    report = library.import_paths(files, progress=progress, cancel=cancel)
    assert report.cancelled
    assert len(report.imported) < 12
    assert library.count_assets() == len(report.imported)
    assert library.check().clean


def test_filters_search_sort_and_keyset_pages(library: LibraryService, media_dir: Path) -> None:
    acme = library.create_client("Acme")
    spring = library.create_campaign(acme.id, "Spring launch")
    other = library.create_client("Globex")
    imgs = [media.make_jpeg(media_dir, 40 + i, 40, name=f"img{i}.jpg").path for i in range(6)]
    wav = media.make_wav(media_dir, 1).path
    library.import_paths(imgs[:3], library.default_target(client_id=acme.id, campaign_id=spring.id))
    library.import_paths(imgs[3:5], library.default_target(client_id=other.id))
    library.import_paths([imgs[5], wav])
    uid = library.local_user_id
    assert library.count_assets(AssetQuery(user_id=uid, client_id=acme.id)) == 3
    assert library.count_assets(AssetQuery(campaign_id=spring.id)) == 3
    assert library.count_assets(AssetQuery(unassigned=True)) == 2
    assert library.count_assets(AssetQuery(asset_type="audio")) == 1
    assert {r.name for r in library.list_assets(AssetQuery(text="img4"))} == {"img4.jpg"}
    names = [r.name for r in library.list_assets(AssetQuery(sort="name"), limit=100)]
    assert names == sorted(names)
    # keyset pages walk everything exactly once
    seen = [r.id for r in library.iter_assets(AssetQuery(sort="name"), page=2)]
    assert len(seen) == len(set(seen)) == 7
    clients = {c.name: c.asset_count for c in library.list_clients()}
    assert clients == {"Acme": 3, "Globex": 2}


def test_edit_assign_and_owner_checks(library: LibraryService, media_dir: Path) -> None:
    acme = library.create_client("Acme")
    spring = library.create_campaign(acme.id, "Spring")
    [r] = library.import_paths([media.make_jpeg(media_dir, 10, 10).path]).imported
    edited = library.update_asset(
        r.id, AssetChanges(name="Hero shot", tags=["hero", "hero", " blue  sky"], campaign_id=spring.id)
    )
    assert edited.name == "Hero shot"
    assert edited.tags == ["hero", "blue sky"]
    assert edited.campaign_id == spring.id and edited.campaign_name == "Spring"
    assert edited.change_seq > r.change_seq
    cleared = library.update_asset(r.id, AssetChanges(tags=None, campaign_id=None))
    assert cleared.tags is None and cleared.campaign_id is None
    assert cleared.name == "Hero shot"
    other = library.create_user("someone", "pw-12345678-ok")
    with pytest.raises(PermissionDenied):
        library.delete_asset(r.id, user_id=other.id)
    with pytest.raises(NotFound):
        library.get_asset(r.id, user_id=other.id)
    with pytest.raises(NotFound):
        library.get_asset("../../etc/passwd")
    with pytest.raises(Conflict):
        library.create_client("acme")
    assert AssetChanges().name is UNSET


def test_delete_cascade_removes_rows_and_files(library: LibraryService, media_dir: Path) -> None:
    acme = library.create_client("Acme")
    spring = library.create_campaign(acme.id, "Spring")
    fall = library.create_campaign(acme.id, "Fall")
    library.import_paths(
        [media.make_jpeg(media_dir, 20, 20 + i, name=f"s{i}.jpg").path for i in range(3)],
        library.default_target(campaign_id=spring.id),
    )
    library.import_paths(
        [media.make_jpeg(media_dir, 30, 20 + i, name=f"f{i}.jpg").path for i in range(2)],
        library.default_target(client_id=acme.id, campaign_id=fall.id),
    )
    [keep] = library.import_paths([media.make_png(media_dir, 9, 9).path]).imported
    assert library.delete_campaign(spring.id) == 3
    assert library.count_assets() == 3
    assert library.delete_client(acme.id) == 2
    assert library.list_campaigns() == []
    assert [r.id for r in library.list_assets()] == [keep.id]
    assert _assets_files(library) == sorted([f"{keep.id}.png", f"{keep.id}_thumb.jpg"])
    feed = library.changes_since(0, library.local_user_id)
    assert len(feed.deleted) == 5


def test_integrity_check_and_repair(library: LibraryService, media_dir: Path) -> None:
    a, b, c, d = library.import_paths(
        [media.make_jpeg(media_dir, 20 + i, 20, name=f"i{i}.jpg").path for i in range(4)]
    ).imported
    library.file_path(a).unlink()
    library.thumb_path(b).unlink()
    with open(library.file_path(c), "ab") as fh:
        fh.write(b"tampered")
    stray = library.storage.assets_dir / "12345678-1234-1234-1234-123456789abc.png"
    stray.write_bytes(b"x")
    report = library.check()
    kinds = sorted(i.kind for i in report.issues)
    assert kinds == ["hash_mismatch", "missing_file", "missing_thumbnail", "orphan_file"]
    library.check(repair=True)
    after = library.check()
    assert [i.kind for i in after.issues] == ["hash_mismatch"]  # never silently "fixed"
    assert library.thumb_path(b).exists()
    assert not stray.exists() and (library.data_dir / "lost+found" / stray.name).exists()
    assert library.count_assets() == 3


def test_crash_leftovers_are_settled_on_open(tmp_path: Path, media_dir: Path) -> None:
    lib = LibraryService(tmp_path / "lib")
    [r] = lib.import_paths([media.make_jpeg(media_dir, 12, 12).path]).imported
    from app.library.models import PendingFile

    # Simulate a crash after the files were placed but before the row was committed.
    ghost = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    with lib.writing() as s:
        s.add(PendingFile(asset_id=ghost, format="jpg", action="place"))
    (lib.storage.assets_dir / f"{ghost}.jpg").write_bytes(b"partial")
    (lib.storage.staging_dir / ".incoming-x.part").write_bytes(b"half")
    lib.close()
    reopened = LibraryService(tmp_path / "lib")
    try:
        assert not (reopened.storage.assets_dir / f"{ghost}.jpg").exists()
        assert not any(reopened.storage.staging_dir.iterdir())
        assert reopened.get_asset(r.id).id == r.id
        assert reopened.check().clean
    finally:
        reopened.close()
