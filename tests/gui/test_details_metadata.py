"""The details pane's Metadata section: rating, label, palette, rights and the fields read."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.gui.details import DetailsPane
from app.gui.tasks import Tasks
from app.library.service import LibraryService
from tests.gui.conftest import wait_for_names
from tests.gui.test_window import ALL, select_row
from tests.library.test_find import XMP


def test_metadata_section_shows_what_was_read_and_set(qtbot, tmp_path: Path, shot_dir: Path) -> None:  # type: ignore[no-untyped-def]
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "EOS R5"
    im = Image.new("RGB", (400, 300), (200, 40, 40))
    ImageDraw.Draw(im).rectangle([0, 200, 400, 300], fill=(30, 60, 190))
    path = tmp_path / "poster.jpg"
    im.save(path, "JPEG", quality=90, exif=exif, xmp=XMP)
    lib = LibraryService(tmp_path / "lib", workers=1)
    try:
        record = lib.import_paths([path], workers=1).imported[0]
        lib.find.set_rating([record.id], 4)
        lib.find.set_label([record.id], "green")
        lib.find.set_rights(asset_id=record.id, licence="RF", valid_until="2000-01-01")
        tasks = Tasks()
        pane = DetailsPane(lib, tasks)
        # The pane's workers go with the pane: a Tasks freed first (by Python, at the end of
        # this test) left the preview's queued results to a deleted object, crashing now and then.
        tasks.setParent(pane)
        qtbot.addWidget(pane)
        pane.resize(360, 900)
        pane.show_record(lib.get_asset(record.id))
        pane.show()
        qtbot.waitUntil(pane.preview.image.has_image)
        section = pane.metadata
        assert section.stars.text() == "★★★★☆"
        assert "green" in section.label_chip.text()
        assert section.rights.text() == "RF  ·  Expired 1 Jan 2000"
        rows = {
            section.fields.itemAt(i, section.fields.ItemRole.LabelRole).widget().text():  # type: ignore[union-attr]
            section.fields.itemAt(i, section.fields.ItemRole.FieldRole).widget().text()  # type: ignore[union-attr]
            for i in range(section.fields.rowCount())
        }
        assert rows["Creator"] == "Ana Lima" and rows["Camera"] == "Canon EOS R5"
        assert rows["Keywords"] == "beach, bottle"
        chips = [section.palette.itemAt(i).widget() for i in range(section.palette.count())]
        assert len([c for c in chips if c is not None]) >= 2  # red and blue
        assert "Looks like" not in rows
        pane.grab().save(str(shot_dir / "details-metadata.png"))
        # A resized copy imported later says what it looks like, here as at its import.
        with Image.open(path) as original:
            original.resize((200, 150)).save(tmp_path / "poster-small.jpg", "JPEG", quality=60)
        copy = lib.import_paths([tmp_path / "poster-small.jpg"], workers=1).imported[0]
        pane.show_record(lib.get_asset(copy.id))
        labels = [section.fields.itemAt(i, section.fields.ItemRole.LabelRole).widget().text()  # type: ignore[union-attr]
                  for i in range(section.fields.rowCount())]
        looks = section.fields.itemAt(labels.index("Looks like"), section.fields.ItemRole.FieldRole).widget()
        assert looks.text() == "poster.jpg"  # type: ignore[union-attr]
        assert tasks.wait()  # the copy's preview is read before the library closes
    finally:
        lib.close()


def test_keys_rate_and_label_the_selection(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _made = showcase
    window = make_window(lib)
    wait_for_names(qtbot, window, ALL)
    select_row(window, "sunset-loop.mp4")
    qtbot.waitUntil(lambda: window.details.record is not None and window.details.record.name == "sunset-loop.mp4")
    asset_id = window.details.record.id
    window.grid.setFocus()
    qtbot.waitUntil(window.grid.hasFocus)
    qtbot.keyClick(window.grid, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: lib.find.metadata(asset_id)["rating"] == 4)
    qtbot.waitUntil(lambda: window.details.metadata.stars.text() == "★★★★☆")
    qtbot.keyClick(window.grid, Qt.Key.Key_6)
    qtbot.waitUntil(lambda: lib.find.metadata(asset_id)["label"] == "red")
    qtbot.keyClick(window.grid, Qt.Key.Key_6)  # again: off
    qtbot.waitUntil(lambda: lib.find.metadata(asset_id)["label"] is None)
    # Digits typed in the search box are text, not ratings.
    window.focus_search()
    focused = QApplication.focusWidget()
    assert focused is not None and focused is not window.grid
    qtbot.keyClick(focused, Qt.Key.Key_0)
    qtbot.wait(200)
    assert lib.find.metadata(asset_id)["rating"] == 4
