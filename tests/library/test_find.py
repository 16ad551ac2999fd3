"""Finding things: metadata text, colour, similar images, ratings, labels, rights, smart folders."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import text

from app.library.errors import InvalidInput, NotFound
from app.library.find_models import AssetMeta
from app.library.records import AssetQuery
from app.library.service import LibraryService

XMP = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <dc:creator><rdf:Seq><rdf:li>Ana Lima</rdf:li></rdf:Seq></dc:creator>
  <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">(c) 2026 Ana Lima</rdf:li></rdf:Alt></dc:rights>
  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Bottle on sand</rdf:li></rdf:Alt></dc:description>
  <dc:subject><rdf:Bag><rdf:li>beach</rdf:li><rdf:li>bottle</rdf:li></rdf:Bag></dc:subject>
 </rdf:Description></rdf:RDF></x:xmpmeta>"""


def _picture(colour: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> Image.Image:
    im = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(im)
    draw.ellipse([size[0] // 4, size[1] // 6, size[0] * 3 // 4, size[1] * 5 // 6], fill=(250, 250, 240))
    return im


def _scene(seed: int) -> Image.Image:
    """A picture with structure (so its hash is its own), different for each seed."""
    im = Image.new("RGB", (400, 300), (40 + seed * 20, 90, 160 - seed * 10))
    draw = ImageDraw.Draw(im)
    for i in range(6):
        x = (seed * 53 + i * 71) % 360
        y = (seed * 29 + i * 47) % 260
        draw.rectangle([x, y, x + 40 + i * 5, y + 30], fill=((i * 40) % 256, (seed * 60) % 256, 200 - i * 30))
    return im


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[LibraryService]:
    library = LibraryService(tmp_path / "library", workers=1)
    try:
        yield library
    finally:
        library.close()


def _import(lib: LibraryService, *paths: Path) -> list[str]:
    report = lib.import_paths(list(paths), workers=1)
    assert not report.rejected, report.rejected
    by_name = {r.name: r.id for r in report.imported}
    return [by_name[p.name] for p in paths]


def test_metadata_text_is_stored_and_searchable(lib: LibraryService, tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "EOS R5"
    exif.get_ifd(0x8769)[0x9003] = "2025:06:01 14:30:05"
    path = tmp_path / "shot.jpg"
    _picture((200, 30, 30)).save(path, "JPEG", quality=90, exif=exif, xmp=XMP)
    other = tmp_path / "plain.jpg"
    _picture((30, 30, 200)).save(other, "JPEG")
    shot, plain = _import(lib, path, other)

    meta = lib.find.metadata(shot)
    assert meta["fields"]["creator"] == "Ana Lima"
    assert meta["fields"]["camera"] == "Canon EOS R5"
    assert meta["fields"]["keywords"] == ["beach", "bottle"]
    assert meta["palette"] and meta["phash"]
    with lib.reading() as s:
        row = s.get(AssetMeta, shot)
        assert row is not None and row.creator == "Ana Lima"
        assert row.taken_at is not None and row.taken_at.year == 2025

    def ids(*rules: str, match: str = "all") -> list[str]:
        return [r.id for r in lib.find.search(lib.find.where(list(rules), match))]

    assert ids("text~Bottle on") == [shot]
    assert ids("text~beach") == [shot]
    assert ids("text~plain") == [plain]  # the name is found too
    assert ids("text~Lima") == [shot]
    assert ids("text~zz") == []  # two letters: the ILIKE path
    assert ids("creator~ana") == [shot]
    assert ids("camera=canon eos r5") == [shot]
    assert ids("taken>=2025-06-01") == [shot]
    assert ids("taken<2025-06-01") == []
    assert sorted(ids("creator~ana", "name~plain", match="any")) == sorted([shot, plain])


def test_red_query_finds_red_not_blue(lib: LibraryService, tmp_path: Path) -> None:
    red, blue = tmp_path / "red.jpg", tmp_path / "blue.jpg"
    orange = tmp_path / "orange.jpg"
    _picture((220, 20, 20)).save(red, "JPEG")
    _picture((20, 40, 220)).save(blue, "JPEG")
    _picture((235, 90, 20)).save(orange, "JPEG")
    red_id, blue_id, orange_id = _import(lib, red, blue, orange)
    found = [r.id for r in lib.find.search(lib.find.where(["color=#dc1414~40"]))]
    assert found[0] == red_id
    assert blue_id not in found
    # Nearest first: orange is further from pure red than red is.
    assert [r.id for r in lib.find.search(lib.find.where(["color=red~60"]))][:2] == [red_id, orange_id]
    assert [r.id for r in lib.find.search(lib.find.where(["color=#1428dc"]))] == [blue_id]
    # Combinable with any other filter.
    lib.find.set_rating([orange_id], 4)
    assert [r.id for r in lib.find.search(lib.find.where(["color=red~60", "rating>=3"]))] == [orange_id]
    with pytest.raises(InvalidInput, match="Not a colour"):
        lib.find.where(["color=notacolour"])


def test_similar_finds_resized_recompressed_copy(lib: LibraryService, tmp_path: Path) -> None:
    original, copy, unrelated = tmp_path / "a.jpg", tmp_path / "a-small.jpg", tmp_path / "b.jpg"
    _scene(1).save(original, "JPEG", quality=95)
    with Image.open(original) as im:
        im.resize((200, 150), Image.Resampling.LANCZOS).save(copy, "JPEG", quality=60)
    _scene(4).save(unrelated, "JPEG", quality=95)
    (orig_id,) = _import(lib, original)
    (unrelated_id,) = _import(lib, unrelated)
    report = lib.import_paths([copy], workers=1)
    copy_id = report.imported[0].id
    # Reported as looking like the original, and kept.
    assert [(x[0], x[2]) for x in report.looks_like] == [(copy_id, orig_id)]
    found = [r.id for r in lib.find.search(lib.find.where([f"similar={orig_id}"]))]
    assert found == [copy_id]
    assert unrelated_id not in found
    # The count and the ids the grid pages through agree with the search (the grid's rows).
    assert lib.find.count(lib.find.where([f"similar={orig_id}"])) == 1
    assert lib.find.ids(lib.find.where([f"similar={orig_id}"])) == [copy_id]
    assert lib.find.count(lib.find.where([f"similar={unrelated_id}:3"])) == 0
    assert lib.find.search(lib.find.where([f"similar={unrelated_id}:3"])) == []


def _photo(seed: int) -> Image.Image:
    """A photo-like picture: a sky-to-ground gradient with soft discs, its own for each seed."""
    rnd = random.Random(seed)
    im = Image.new("RGB", (800, 600))
    draw = ImageDraw.Draw(im)
    top, ground = [tuple(rnd.randrange(256) for _ in range(3)) for _ in range(2)]
    for y in range(600):
        draw.line([(0, y), (800, y)], fill=tuple(int(a + (b - a) * y / 599) for a, b in zip(top, ground, strict=True)))
    for _ in range(25):
        x, y, r = rnd.randrange(800), rnd.randrange(600), rnd.randrange(20, 150)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rnd.randrange(256) for _ in range(3)))
    return im.filter(ImageFilter.GaussianBlur(2))


def test_a_slightly_cropped_copy_looks_like_its_original(lib: LibraryService, tmp_path: Path) -> None:
    originals = []
    for seed in range(4):
        _photo(seed).save(tmp_path / f"p{seed}.jpg", "JPEG", quality=92)
        originals.append(tmp_path / f"p{seed}.jpg")
    ids = _import(lib, *originals)
    copies = []
    for seed, side in enumerate((0.01, 0.02, 0.03, 0.02)):
        with Image.open(originals[seed]) as im:
            w, h = im.size
            cut = im.crop((int(w * side), int(h * side), int(w * (1 - side)), int(h * (1 - side))))
            cut.save(tmp_path / f"crop{seed}.jpg", "JPEG", quality=80)
        copies.append(tmp_path / f"crop{seed}.jpg")
    report = lib.import_paths(copies, workers=1)
    by_name = {r.name: r.id for r in report.imported}
    assert sorted((x[1], x[2]) for x in report.looks_like) == [
        (f"crop{seed}.jpg", ids[seed]) for seed in range(4)
    ]
    for seed in range(4):
        found = [r.id for r in lib.find.search(lib.find.where([f"similar={ids[seed]}"]))]
        assert found == [by_name[f"crop{seed}.jpg"]]


def test_flat_pictures_of_other_colours_do_not_look_alike(lib: LibraryService, tmp_path: Path) -> None:
    """The hash sees grey gradients only: a flat red and a flat blue hash the same."""
    paths = []
    for name, colour in (("red", (220, 20, 20)), ("blue", (20, 20, 220)), ("poster-red", (200, 30, 40))):
        picture = Image.new("RGB", (300, 200), colour) if not name.startswith("poster") else _picture(colour)
        picture.save(tmp_path / f"{name}.png")
        paths.append(tmp_path / f"{name}.png")
    _picture((20, 40, 220)).save(tmp_path / "poster-blue.png")
    paths.append(tmp_path / "poster-blue.png")
    report = lib.import_paths(paths, workers=1)
    assert report.looks_like == []
    by_name = {r.name: r.id for r in report.imported}
    assert lib.find.search(lib.find.where([f"similar={by_name['red.png']}"])) == []
    assert lib.find.search(lib.find.where([f"similar={by_name['poster-red.png']}"])) == []
    assert lib.find.count(lib.find.where([f"similar={by_name['poster-blue.png']}"])) == 0
    # The same flat red again, re-encoded, still looks like the first.
    Image.new("RGB", (150, 100), (222, 22, 18)).save(tmp_path / "red-again.jpg", "JPEG", quality=70)
    again = lib.import_paths([tmp_path / "red-again.jpg"], workers=1)
    assert [x[2] for x in again.looks_like] == [by_name["red.png"]]


def test_rating_label_filters_and_edits(lib: LibraryService, tmp_path: Path) -> None:
    paths = []
    for i, size in enumerate([(400, 200), (200, 400), (300, 300)]):
        p = tmp_path / f"p{i}.png"
        _picture((i * 80, 100, 50), size).save(p)
        paths.append(p)
    wide, tall, square = _import(lib, *paths)
    lib.find.set_rating([wide, tall], 5)
    lib.find.set_label([tall], "red")

    def ids(*rules: str) -> set[str]:
        return {r.id for r in lib.find.search(lib.find.where(list(rules)), limit=100)}

    assert ids("rating>=4") == {wide, tall}
    assert ids("rating=0") == {square}
    assert ids("label=red") == {tall}
    assert ids("label=none") == {wide, square}
    assert ids("orientation=landscape") == {wide}
    assert ids("orientation=portrait") == {tall}
    assert ids("orientation=square") == {square}
    assert ids("width>=300", "height<=300") == {wide, square}
    assert ids("size>0", "type=image", "format=png") == {wide, tall, square}
    assert ids("rating!=5") == {square}
    for bad, message in [
        ("rating>=9", "0 to 5"), ("label=pink", "label is one of"), ("size>lots", "Not a size"),
        ("nonsense=1", "Unknown field"), ("rating", "Not a rule"), ("taken>=yesterday", "Not a date"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            lib.find.where([bad])
    with pytest.raises(InvalidInput):
        lib.find.set_rating([wide], 6)
    with pytest.raises(NotFound):
        lib.find.set_label(["00000000-0000-4000-8000-000000000000"], "red")
    # An edit is a change the feed (and sync) sees.
    before = lib.get_asset(wide).change_seq
    lib.find.set_label([wide], "green")
    assert lib.get_asset(wide).change_seq > before


def test_smart_folder_counts_equal_the_query(lib: LibraryService, tmp_path: Path) -> None:
    paths = []
    for i in range(6):
        p = tmp_path / f"s{i}.png"
        _picture((220 if i % 2 else 20, 30, 30 if i % 2 else 220), (300 + i, 200)).save(p)
        paths.append(p)
    ids = _import(lib, *paths)
    lib.find.set_rating(ids[:3], 4)
    folder = lib.find.add_smart("Good reds", ["rating>=4", "color=#dc1e1e~30"])
    any_folder = lib.find.add_smart("Either", ["rating>=4", "color=#dc1e1e~30"], match="any")
    listed = {f.name: f.count for f in lib.find.smart_folders()}
    query = lib.find.where(["rating>=4", "color=#dc1e1e~30"])
    assert listed["Good reds"] == len(lib.find.search(query, limit=100)) == lib.find.count(query) == 1
    either = lib.find.where(["rating>=4", "color=#dc1e1e~30"], "any")
    assert listed["Either"] == len(lib.find.search(either, limit=100)) == 5
    assert lib.find.smart_folder(str(folder.id)).name == "Good reds"
    with pytest.raises(InvalidInput, match="exists"):
        lib.find.add_smart("good reds", ["rating>=1"])
    lib.find.remove_smart("Either")
    assert [f.name for f in lib.find.smart_folders()] == ["Good reds"]
    with pytest.raises(NotFound):
        lib.find.remove_smart(str(any_folder.id))


def test_rights_expiry_with_injected_clock(lib: LibraryService, tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        p = tmp_path / f"r{i}.png"
        _picture((i * 90, 60, 60)).save(p)
        paths.append(p)
    client = lib.create_client("Acme")
    campaign = lib.create_campaign(client.id, "Spring")
    target = lib.default_target(campaign_id=campaign.id)
    report = lib.import_paths(paths[:2], target, workers=1)
    in_campaign = sorted(r.id for r in report.imported)
    (own,) = _import(lib, paths[2])
    now = datetime(2026, 3, 1, tzinfo=UTC)
    lib.find.clock = lambda: now
    lib.find.set_rights(campaign_id=campaign.id, licence="RF", valid_until="2026-03-20")
    lib.find.set_rights(asset_id=own, licence="RM", credit="Photo: Ana", valid_until="2026-02-01")

    def ids(rule: str) -> list[str]:
        return sorted(r.id for r in lib.find.search(lib.find.where([rule]), limit=100))

    assert ids("rights=expiring") == in_campaign  # inherited from the campaign
    assert ids("rights=expired") == [own]
    assert lib.find.rights(in_campaign[0]).status == "expiring"
    assert lib.find.rights(in_campaign[0]).inherited == ("licence", "valid_until")
    assert lib.find.rights(own).credit == "Photo: Ana"
    # An asset's own date wins over its campaign's.
    lib.find.set_rights(asset_id=in_campaign[0], valid_until="2027-01-01")
    assert ids("rights=expiring") == [in_campaign[1]]
    # Time passes: the campaign's rights run out.
    now = datetime(2026, 3, 21, tzinfo=UTC)
    assert ids("rights=expired") == sorted([own, in_campaign[1]])
    assert lib.find.rights(in_campaign[1]).status == "expired"
    assert ids("licence~RM") == [own]
    with pytest.raises(InvalidInput, match="before valid from"):
        lib.find.set_rights(asset_id=own, valid_from="2026-05-01", valid_until="2026-04-01")
    with pytest.raises(InvalidInput, match="Not a date"):
        lib.find.set_rights(asset_id=own, valid_until="soon")
    assert now - timedelta(days=1) < now


def test_backfill_fills_assets_imported_before(lib: LibraryService, tmp_path: Path) -> None:
    p = tmp_path / "old.jpg"
    exif = Image.Exif()
    exif[0x013B] = "Old Hand"
    _picture((20, 200, 20)).save(p, "JPEG", exif=exif)
    (asset_id,) = _import(lib, p)
    lib.find.set_rating([asset_id], 3)
    with lib.writing() as s:  # as a library made before 0004 would be, but keep the rating
        s.execute(text("DELETE FROM asset_colours"))
        s.execute(text("DELETE FROM asset_text"))
        s.execute(text("DELETE FROM asset_meta"))
    assert lib.find.missing_metadata() == 1
    seen: list[tuple[int, int]] = []
    assert lib.find.backfill(progress=lambda d, t: seen.append((d, t))) == (1, 0)
    assert seen == [(1, 1)]
    assert lib.find.missing_metadata() == 0
    assert [r.id for r in lib.find.search(lib.find.where(["creator~old hand"]))] == [asset_id]
    assert [r.id for r in lib.find.search(lib.find.where(["color=#14c814"]))] == [asset_id]


def test_search_on_postgresql(tmp_path: Path) -> None:
    from tests.server.conftest import fresh_schema

    with fresh_schema("atelier_find") as url:
        lib = LibraryService(tmp_path / "pg-library", url, workers=1)
        try:
            p = tmp_path / "pg.jpg"
            _picture((220, 20, 20)).save(p, "JPEG", xmp=XMP)
            report = lib.import_paths([p], workers=1)
            asset_id = report.imported[0].id
            q = AssetQuery(user_id=report.imported[0].user_id)
            assert [r.id for r in lib.find.search(lib.find.where(["text~bottle"], base=q))] == [asset_id]
            assert [r.id for r in lib.find.search(lib.find.where(["color=#dc1414"], base=q))] == [asset_id]
            lib.find.set_rating([asset_id], 2)
            assert lib.find.count(lib.find.where(["rating>=2"], base=q)) == 1
            lib.find.add_smart("Two stars", ["rating>=2"], user_id=q.user_id)
            assert [f.count for f in lib.find.smart_folders(q.user_id)] == [1]
            # Look-alikes through bound band lists (PostgreSQL has no json_each): a cropped
            # copy is one, a flat blue picture (the same hash as a flat red) is not.
            _photo(3).save(tmp_path / "photo.jpg", "JPEG", quality=92)
            with Image.open(tmp_path / "photo.jpg") as im:
                im.crop((16, 12, 784, 588)).save(tmp_path / "photo-crop.jpg", "JPEG", quality=80)
            Image.new("RGB", (300, 200), (220, 20, 20)).save(tmp_path / "red.png")
            Image.new("RGB", (300, 200), (20, 20, 220)).save(tmp_path / "blue.png")
            first = lib.import_paths([tmp_path / "photo.jpg", tmp_path / "red.png"], workers=1)
            later = lib.import_paths([tmp_path / "photo-crop.jpg", tmp_path / "blue.png"], workers=1)
            photo_id = first.imported[0].id
            assert [(x[1], x[2]) for x in later.looks_like] == [("photo-crop.jpg", photo_id)]
            similar = [r.name for r in lib.find.search(lib.find.where([f"similar={photo_id}"], base=q))]
            assert similar == ["photo-crop.jpg"]
        finally:
            lib.close()


def test_copy_in_the_same_import_looks_like_the_first(lib: LibraryService, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    _scene(2).save(folder / "a1.jpg", "JPEG", quality=95)
    with Image.open(folder / "a1.jpg") as im:
        im.resize((300, 225)).save(folder / "a2.jpg", "JPEG", quality=70)
    report = lib.import_paths([folder], workers=1)
    ids = {r.name: r.id for r in report.imported}
    assert [(x[0], x[2]) for x in report.looks_like] == [(ids["a2.jpg"], ids["a1.jpg"])]
