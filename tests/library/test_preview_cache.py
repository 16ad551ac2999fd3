"""Cached large previews go with their asset, whichever way it is deleted, and after a crash."""

from __future__ import annotations

from itertools import count
from pathlib import Path

from app.library.models import Asset, PendingFile
from app.library.previews import preview_path
from app.library.service import LibraryService
from tests.library.test_cli import atelier
from tests.media import make_pdf, make_png

_WIDTHS = count(40)  # every file different: an identical one would be a duplicate, not imported


def _import(library: LibraryService, tmp_path: Path, how_many: int, **target: str) -> list[str]:
    ids = []
    for _ in range(how_many):
        width = next(_WIDTHS)
        path = make_png(tmp_path, width=width, name=f"p{width}.png").path
        report = library.import_paths([path], library.default_target(**target))
        ids.append(report.imported[0].id)
    return ids


def _cached(library: LibraryService, asset_id: str) -> list[Path]:
    return sorted((library.data_dir / "previews").glob(f"{asset_id}-*"))


def _preview(library: LibraryService, asset_id: str) -> Path:
    path = preview_path(library, library.get_asset(asset_id))
    assert path is not None and path.exists()
    assert _cached(library, asset_id) == [path]
    return path


def test_every_delete_path_removes_the_cached_previews(library: LibraryService, tmp_path: Path) -> None:
    uid = library.local_user_id
    client = library.create_client("Acme", user_id=uid)
    spring = library.create_campaign(client.id, "Spring", user_id=uid)
    other = library.create_client("Globex", user_id=uid)
    one, two, three, kept = _import(library, tmp_path, 4)
    in_campaign = _import(library, tmp_path, 1, client_id=client.id, campaign_id=spring.id)[0]
    in_client = _import(library, tmp_path, 1, client_id=other.id)[0]
    for asset_id in (one, two, three, kept, in_campaign, in_client):
        _preview(library, asset_id)
    kept_path = _cached(library, kept)

    library.delete_asset(one)
    assert _cached(library, one) == []
    assert library.delete_assets([two, three]) == 2
    assert _cached(library, two) == _cached(library, three) == []
    library.delete_campaign(spring.id)
    assert _cached(library, in_campaign) == []
    library.delete_client(other.id)
    assert _cached(library, in_client) == []
    assert _cached(library, kept) == kept_path  # only the deleted ones went


def test_a_pdf_preview_goes_too(library: LibraryService, tmp_path: Path) -> None:
    path = make_pdf(tmp_path, 1, name="brief.pdf").path
    asset_id = library.import_paths([path], library.default_target()).imported[0].id
    _preview(library, asset_id)
    library.delete_asset(asset_id)
    assert _cached(library, asset_id) == []


def test_a_crash_between_the_row_and_the_files_is_finished_on_open(tmp_path: Path) -> None:
    """The row went but the process died before the files: the next open removes the preview."""
    folder = tmp_path / "lib"
    with LibraryService(folder) as library:
        asset_id, survivor = _import(library, tmp_path, 2)
        _preview(library, asset_id)
        _preview(library, survivor)
        record = library.get_asset(asset_id)
        with library.writing() as s:  # what delete_asset commits before it touches a file
            s.add(PendingFile(asset_id=asset_id, format=record.format, action="remove"))
            s.delete(s.get(Asset, asset_id))
    with LibraryService(folder) as library:
        assert _cached(library, asset_id) == []
        assert len(_cached(library, survivor)) == 1


def test_a_stray_preview_without_an_asset_is_removed_on_open(tmp_path: Path) -> None:
    """A preview whose asset is gone by any other way (a restored database, a copied folder)."""
    folder = tmp_path / "lib"
    with LibraryService(folder) as library:
        (survivor,) = _import(library, tmp_path, 1)
        _preview(library, survivor)
    stray = folder / "previews" / "0b8f7ad4-3a41-4e57-9d59-4f0b4c3c9a11-0123456789abcdef-1600.jpg"
    stray.write_bytes(b"\xff\xd8old")
    unrelated = folder / "previews" / "notes.txt"  # not a preview's name: never touched
    unrelated.write_text("mine")
    with LibraryService(folder):
        assert not stray.exists()
        assert unrelated.exists()
        assert len(list((folder / "previews").glob(f"{survivor}-*"))) == 1


def test_a_new_preview_replaces_the_stale_ones_of_its_asset(library: LibraryService, tmp_path: Path) -> None:
    """A preview named for an older file of the same asset is stale: making the current one drops it."""
    (asset_id,) = _import(library, tmp_path, 1)
    stale = library.data_dir / "previews" / f"{asset_id}-{'0' * 16}-1600.jpg"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"\xff\xd8old")
    current = preview_path(library, library.get_asset(asset_id))
    assert current is not None and _cached(library, asset_id) == [current]


def test_the_cli_delete_removes_the_preview(tmp_path: Path) -> None:
    folder = tmp_path / "lib"
    with LibraryService(folder) as library:
        (asset_id,) = _import(library, tmp_path, 1)
        _preview(library, asset_id)
    done = atelier(folder, "delete", asset_id, "--yes")
    assert done.returncode == 0, done.stderr
    assert list((folder / "previews").glob(f"{asset_id}-*")) == []
