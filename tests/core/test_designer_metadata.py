"""Designer metadata read at import: EXIF, XMP, ICC, codecs, PDF info, palette and hash."""

from __future__ import annotations

from pathlib import Path

import pypdf
from PIL import Image, ImageCms, ImageDraw

from app.core.ingest import analyze
from app.core.palette import delta_e, parse_colour, srgb_to_lab
from app.core.phash import NEAR_DUPLICATE, bands, distance
from app.core.probe import probe
from app.core.staging import stage_file
from tests.media import make_mp3, make_mp4

XMP = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="Studio Nord"
  photoshop:Headline="Spring launch">
  <dc:creator><rdf:Seq><rdf:li>Ana Lima</rdf:li></rdf:Seq></dc:creator>
  <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">(c) 2026 Ana Lima</rdf:li></rdf:Alt></dc:rights>
  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Bottle on sand</rdf:li></rdf:Alt></dc:description>
  <dc:subject><rdf:Bag><rdf:li>beach</rdf:li><rdf:li>bottle</rdf:li></rdf:Bag></dc:subject>
 </rdf:Description></rdf:RDF></x:xmpmeta>"""


def _photo(path: Path, colour: tuple[int, int, int] = (200, 30, 30), **save: object) -> Path:
    im = Image.new("RGB", (320, 240), colour)
    ImageDraw.Draw(im).ellipse([80, 40, 240, 200], fill=(250, 250, 240))
    im.save(path, "JPEG", quality=90, **save)
    return path


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "EOS R5"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2025:06:01 14:30:05"
    sub[0xA434] = "RF 50mm F1.2"
    sub[0x829A], sub[0x829D], sub[0x8827] = 1 / 250, 2.8, 200
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 29.0)
    gps[3], gps[4] = "E", (2.0, 17.0, 40.0)
    return exif.tobytes()


def test_a_photo_reports_its_exif_xmp_and_profile_field_by_field(tmp_path: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = _photo(tmp_path / "p.jpg", exif=_exif(), xmp=XMP, icc_profile=srgb)
    extra = probe(path, "image", "jpg", "image/jpeg").extra
    assert extra["camera"] == "Canon EOS R5"
    assert extra["lens"] == "RF 50mm F1.2"
    assert extra["taken_at"] == "2025-06-01T14:30:05"
    assert extra["exposure"] == "1/250 s f/2.8 ISO 200"
    assert extra["gps"] is True
    assert abs(extra["gps_lat"] - 48.858056) < 1e-4 and abs(extra["gps_lon"] - 2.294444) < 1e-4
    assert extra["creator"] == "Ana Lima"
    assert extra["rights"] == "(c) 2026 Ana Lima"
    assert extra["credit"] == "Studio Nord" and extra["headline"] == "Spring launch"
    assert extra["description"] == "Bottle on sand"
    assert extra["keywords"] == ["beach", "bottle"]
    assert "sRGB" in extra["icc"]
    assert extra["color_mode"] == "RGB"


def test_a_hostile_xmp_packet_is_skipped_and_the_image_still_imports(tmp_path: Path) -> None:
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    path = _photo(tmp_path / "b.jpg", xmp=bomb)
    extra = probe(path, "image", "jpg", "image/jpeg").extra
    assert "creator" not in extra and extra["color_mode"] == "RGB"


def test_video_audio_and_pdf_metadata(tmp_path: Path) -> None:
    video = make_mp4(tmp_path)
    v = probe(video.path, "video", "mp4", "video/mp4").extra
    assert v["codec"] == "h264" and v["frame_rate"] > 0 and v["bitrate"] > 0
    assert v["encoder"].startswith("Lavf")
    audio = make_mp3(tmp_path)
    a = probe(audio.path, "audio", "mp3", "audio/mpeg").extra
    assert a["codec"] == "mp3" and a["sample_rate"] > 0 and a["channels"] >= 1
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595.3, height=841.9)
    writer.add_metadata(
        {"/Title": "Brand book", "/Author": "Ana Lima", "/Producer": "InDesign",
         "/CreationDate": "D:20250102030405Z"}
    )
    pdf = tmp_path / "b.pdf"
    with pdf.open("wb") as f:
        writer.write(f)
    d = probe(pdf, "document", "pdf", "application/pdf").extra
    assert d["title"] == "Brand book" and d["creator"] == "Ana Lima"
    assert d["producer"] == "InDesign" and d["created_at"] == "2025-01-02T03:04:05"
    assert (d["page_width"], d["page_height"]) == (595.3, 841.9)


def test_palette_of_a_red_photo_is_red_first_and_not_blue(tmp_path: Path) -> None:
    path = _photo(tmp_path / "red.jpg")
    ing = analyze(stage_file(path, tmp_path))
    first = ing.looks.swatches[0]
    red, blue = srgb_to_lab(parse_colour("#c81e1e")), srgb_to_lab(parse_colour("blue"))
    assert delta_e(first.lab, red) < 10 < delta_e(first.lab, blue)
    assert 0.99 <= sum(s.share for s in ing.looks.swatches) <= 1.01
    assert len(ing.looks.swatches) <= 5


def test_a_resized_recompressed_copy_hashes_near_and_an_unrelated_image_far(tmp_path: Path) -> None:
    original = _photo(tmp_path / "o.jpg")
    copy = tmp_path / "c.jpg"
    with Image.open(original) as im:
        im.resize((200, 150)).save(copy, "JPEG", quality=60)
    other = tmp_path / "x.jpg"
    im = Image.new("RGB", (320, 240), (20, 40, 200))
    ImageDraw.Draw(im).rectangle([0, 0, 100, 240], fill=(250, 220, 0))
    im.save(other, "JPEG")
    h = [analyze(stage_file(p, tmp_path)).looks.phash for p in (original, copy, other)]
    assert all(isinstance(x, int) for x in h)
    assert distance(h[0], h[1]) <= NEAR_DUPLICATE
    assert set(bands(h[0])) & set(bands(h[1]))
    assert distance(h[0], h[2]) > 12


def test_parse_colour_rejects_nonsense_in_one_line() -> None:
    assert parse_colour("f00") == (255, 0, 0)
    try:
        parse_colour("not-a-colour")
    except ValueError as exc:
        assert str(exc) == "Not a colour: 'not-a-colour' (use #rrggbb or a colour name)"
    else:
        raise AssertionError("accepted")


def test_documents_and_audio_get_no_palette(tmp_path: Path) -> None:
    audio = make_mp3(tmp_path)
    ing = analyze(stage_file(audio.path, tmp_path))
    assert ing.looks.swatches == [] and ing.looks.phash is None


def test_transparent_pixels_are_no_palette_colour(tmp_path: Path) -> None:
    # A logo on a transparent ground: the thumbnail JPEG shows it on white, but white is
    # not one of its colours (a white chip in dark mode, and a "white" search finding it).
    logo = Image.new("RGBA", (400, 300), (255, 255, 255, 0))
    ImageDraw.Draw(logo).ellipse([120, 70, 280, 230], fill=(20, 60, 200, 255))
    path = tmp_path / "logo.png"
    logo.save(path)
    looks = analyze(stage_file(path, tmp_path)).looks
    white, blue = srgb_to_lab((255, 255, 255)), srgb_to_lab((20, 60, 200))
    assert looks.swatches and all(delta_e(s.lab, white) > 20 for s in looks.swatches)
    assert delta_e(looks.swatches[0].lab, blue) < 10
    assert 0.99 <= sum(s.share for s in looks.swatches) <= 1.01
    # A fully transparent picture has no colour at all.
    empty = tmp_path / "empty.png"
    Image.new("RGBA", (64, 64), (255, 255, 255, 0)).save(empty)
    assert analyze(stage_file(empty, tmp_path)).looks.swatches == []


def test_backfill_reads_transparency_from_the_original(tmp_path: Path) -> None:
    # The backfill of a library made before palettes must not read the flattened JPEG
    # thumbnail of a transparent logo: that thumbnail's white ground is no colour of it.
    from app.core.ingest import read_looks

    logo = Image.new("RGBA", (400, 300), (255, 255, 255, 0))
    ImageDraw.Draw(logo).ellipse([120, 70, 280, 230], fill=(20, 60, 200, 255))
    path = tmp_path / "logo.png"
    logo.save(path)
    ing = analyze(stage_file(path, tmp_path))
    _meta, looks = read_looks(ing.staged.path, "png", ing.thumb_path, "image")
    white, blue = srgb_to_lab((255, 255, 255)), srgb_to_lab((20, 60, 200))
    assert looks.swatches and all(delta_e(s.lab, white) > 20 for s in looks.swatches)
    assert delta_e(looks.swatches[0].lab, blue) < 10
    assert looks.phash == ing.looks.phash


def test_a_transparent_logos_colours_are_its_inks_not_their_blends(tmp_path: Path) -> None:
    # Blue with a white ring on a transparent ground: the palette is blue and white in
    # about their areas, with no lavender made by averaging the two.
    logo = Image.new("RGBA", (800, 800), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.rounded_rectangle([120, 120, 680, 680], 150, fill=(91, 76, 240, 255))
    draw.ellipse([250, 250, 550, 550], fill=(255, 255, 255, 255))
    path = tmp_path / "logo.png"
    logo.save(path)
    swatches = analyze(stage_file(path, tmp_path)).looks.swatches
    blue, white = srgb_to_lab((91, 76, 240)), srgb_to_lab((255, 255, 255))
    assert all(min(delta_e(s.lab, blue), delta_e(s.lab, white)) < 10 for s in swatches), swatches
    by_colour = {("blue" if delta_e(s.lab, blue) < 10 else "white"): s.share for s in swatches}
    # Areas: the ring is about a quarter of the ink (70,686 of 294,000 px).
    assert 0.17 <= by_colour["white"] <= 0.30 and 0.70 <= by_colour["blue"] <= 0.83


def test_a_small_bright_area_keeps_its_own_swatch(tmp_path: Path) -> None:
    # A yellow sun on a dusk gradient, 8 % of the picture: its own colour, not a blend.
    im = Image.new("RGB", (640, 400))
    draw = ImageDraw.Draw(im)
    for y in range(400):
        t = y / 399
        draw.line([(0, y), (640, y)], fill=(int(40 + 110 * t), int(25 + 40 * t), int(95 - 10 * t)))
    draw.ellipse([420, 60, 560, 200], fill=(252, 196, 92))
    path = tmp_path / "dusk.jpg"
    im.save(path, "JPEG", quality=90)
    swatches = analyze(stage_file(path, tmp_path)).looks.swatches
    sun = srgb_to_lab((252, 196, 92))
    assert min(delta_e(s.lab, sun) for s in swatches) < 8, [(s.hex, s.share) for s in swatches]
    assert 0.99 <= sum(s.share for s in swatches) <= 1.01
