"""The README's finding pictures: the details pane with metadata, a colour search, a smart folder.

Run with ATELIER_SHOTS=resources/screenshots to refresh the README's copies.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QScrollArea

from app.library.records import AssetChanges
from tests.browser import SHOTS
from tests.gui.conftest import wait_for_names
from tests.gui.showcase import PLAN
from tests.gui.test_find_window import pick_smart, smart_count
from tests.gui.test_window import select_row

pytestmark = pytest.mark.gui

PHOTO_XMP = b"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">
  <dc:creator><rdf:Seq><rdf:li>Ana Lima</rdf:li></rdf:Seq></dc:creator>
  <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">(c) 2026 Ana Lima Studio</rdf:li></rdf:Alt></dc:rights>
  <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Lemonade bottle on a sunny beach</rdf:li></rdf:Alt></dc:description>
  <dc:subject><rdf:Bag><rdf:li>beach</rdf:li><rdf:li>summer</rdf:li><rdf:li>lemonade</rdf:li></rdf:Bag></dc:subject>
  <photoshop:Credit>Ana Lima for Acme</photoshop:Credit>
 </rdf:Description></rdf:RDF></x:xmpmeta>"""


def beach_photo(path: Path) -> None:
    """Sky, sea and sand with a bottle: a palette of five clear colours, with EXIF and XMP."""
    im = Image.new("RGB", (1500, 1000), (120, 190, 235))
    d = ImageDraw.Draw(im)
    d.rectangle([0, 430, 1500, 600], fill=(30, 110, 170))
    d.rectangle([0, 600, 1500, 1000], fill=(236, 208, 150))
    d.ellipse([1150, 80, 1330, 260], fill=(255, 214, 90))
    d.rounded_rectangle([640, 420, 760, 860], radius=40, fill=(240, 180, 40))
    d.rectangle([675, 360, 725, 430], fill=(200, 60, 50))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Fujifilm", "X-T5"
    exif[0x0132] = "2026:07:14 10:32:00"
    im.save(path, "JPEG", quality=90, exif=exif, xmp=PHOTO_XMP)


def _settle(qtbot) -> None:  # type: ignore[no-untyped-def]
    qtbot.wait(400)  # wrapped labels and thumbnails settle before the picture


def _save(widget, name: str, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    widget.grab().save(str(shot_dir / name))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot_dir / name, SHOTS / name)


def test_finding_pictures_for_the_readme(qtbot, showcase, make_window, tmp_path, shot_dir) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    uid = lib.local_user_id
    photo = tmp_path / "beach-lemonade.jpg"
    beach_photo(photo)
    target = lib.default_target(client_id=made.clients["Acme Studio"], campaign_id=made.campaigns["Summer sale"])
    beach = lib.import_paths([photo], target, workers=1).imported[0].id
    a = made.assets
    lib.update_asset(beach, AssetChanges(tags=["beach"]))
    lib.find.set_rating([beach, a["hero-banner.jpg"], a["poster.webp"]], 5)
    lib.find.set_rating([a["logo-mark.png"], a["moodboard.jpg"]], 4)
    lib.find.set_rating([a["sticker.gif"]], 4)
    lib.find.set_label([beach, a["hero-banner.jpg"]], "green")
    lib.find.set_label([a["poster.webp"]], "yellow")
    soon = (datetime.now(UTC) + timedelta(days=18)).date().isoformat()
    lib.find.set_rights(asset_id=beach, licence="Rights-managed", credit="Ana Lima", valid_until=soon)
    lib.find.set_rights(asset_id=a["sticker.gif"], licence="Editorial", valid_until="2026-01-31")
    lib.find.add_smart("Best of summer", ["rating>=4", "campaign=Summer sale"], user_id=uid)
    lib.find.add_smart("Portraits", ["orientation=portrait"], user_id=uid)

    window = make_window(lib, size=(1360, 840))
    wait_for_names(qtbot, window, {*PLAN, "beach-lemonade.jpg"})

    # 1. The details pane: rating, label, rights, palette and the fields read from the file.
    select_row(window, "beach-lemonade.jpg")
    section = window.details.metadata
    qtbot.waitUntil(lambda: section.suggested == ["summer", "lemonade"], timeout=10_000)
    assert "Rights-managed" in section.rights.text()
    window.resize(1360, 1040)  # room for the preview and the whole Metadata section
    _settle(qtbot)
    scroll = window.details.findChild(QScrollArea)
    assert scroll is not None
    scroll.verticalScrollBar().setValue(window.details.tags_edit.y() - 8)
    _settle(qtbot)
    _save(window.details, "find-details.png", shot_dir)
    window.resize(1360, 840)
    scroll.verticalScrollBar().setValue(0)

    # 2. A colour search from a swatch: the sand of the photo, nearest first.
    swatch = max(section.swatches, key=lambda b: QColor(b.toolTip().split()[0]).lightness())
    qtbot.mouseClick(swatch, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.filters.colour is not None and window.model.loaded, timeout=10_000)
    qtbot.waitUntil(lambda: 0 < window.model.rowCount() < len(PLAN) + 1, timeout=10_000)
    _settle(qtbot)
    _save(window, "find-colour.png", shot_dir)
    window.search_colour(None)

    # 3. A smart folder, its count beside it equal to what the grid shows.
    qtbot.waitUntil(lambda: smart_count(window, "Best of summer") == 3, timeout=10_000)
    pick_smart(qtbot, window, "Best of summer")
    wait_for_names(qtbot, window, {"beach-lemonade.jpg", "poster.webp", "sticker.gif"})
    window.grid.clearSelection()
    _settle(qtbot)
    _save(window, "find-smart-folder.png", shot_dir)

    # 4. View > Colour Palettes on Tiles, over the whole library.
    window.sidebar.select_scope("all", None)
    wait_for_names(qtbot, window, {*PLAN, "beach-lemonade.jpg"})
    window.actions_by_name["tile_palettes"].trigger()
    badges = window.grid.asset_delegate.find_badges
    qtbot.waitUntil(lambda: (state := badges.state(beach)) is not None and bool(state.palette), timeout=10_000)
    _settle(qtbot)
    _save(window, "find-tile-palettes.png", shot_dir)
