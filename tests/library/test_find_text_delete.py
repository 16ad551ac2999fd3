"""A deleted asset's searchable text goes with it: no FTS row is left for `check --metadata` to purge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from app.library.service import LibraryService

XMP = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:creator><rdf:Seq><rdf:li>Quillfeather Moss</rdf:li></rdf:Seq></dc:creator>
 </rdf:Description></rdf:RDF></x:xmpmeta>"""


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[LibraryService]:
    library = LibraryService(tmp_path / "library", workers=1)
    try:
        yield library
    finally:
        library.close()


def _with_creator(lib: LibraryService, folder: Path, name: str, shade: int) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    Image.new("RGB", (64, 48), (shade, 40, 90)).save(path, "JPEG", quality=90, xmp=XMP)
    report = lib.import_paths([path], workers=1)
    assert not report.rejected, report.rejected
    return report.imported[0].id


def _text_rows(lib: LibraryService, asset_id: str) -> int:
    with lib.reading() as s:
        return int(
            s.scalar(text("SELECT count(*) FROM asset_text WHERE asset_id = :id"), {"id": asset_id})
            or 0
        )


def _found(lib: LibraryService, word: str) -> list[str]:
    return [r.id for r in lib.find.search(lib.find.where([f"text~{word}"]))]


@pytest.mark.parametrize("how", ["one", "many", "client", "campaign"])
def test_deleting_an_asset_deletes_its_text_row(lib: LibraryService, tmp_path: Path, how: str) -> None:
    keep = _with_creator(lib, tmp_path / "keep", "keep.jpg", 10)
    gone = _with_creator(lib, tmp_path / "gone", "gone.jpg", 200)
    assert _text_rows(lib, gone) == 1
    assert sorted(_found(lib, "Quillfeather")) == sorted([keep, gone])

    if how == "one":
        lib.delete_asset(gone)
    elif how == "many":
        lib.delete_assets([gone])
    else:
        acme = lib.create_client("Acme")
        spring = lib.create_campaign(acme.id, "Spring")
        from app.library.records import AssetChanges

        lib.update_asset(gone, AssetChanges(client_id=acme.id, campaign_id=spring.id))
        if how == "client":
            lib.delete_client(acme.id)
        else:
            lib.delete_campaign(spring.id)

    assert _text_rows(lib, gone) == 0
    assert _text_rows(lib, keep) == 1
    assert _found(lib, "Quillfeather") == [keep]


def test_reimported_text_is_replaced_not_doubled(lib: LibraryService, tmp_path: Path) -> None:
    asset_id = _with_creator(lib, tmp_path / "a", "a.jpg", 50)
    done, failed = (0, 0)
    with lib.writing() as s:
        s.execute(text("DELETE FROM asset_meta WHERE asset_id = :id"), {"id": asset_id})
    done, failed = lib.find.backfill()
    assert (done, failed) == (1, 0)
    assert _text_rows(lib, asset_id) == 1
    lib.delete_asset(asset_id)
    assert _text_rows(lib, asset_id) == 0
