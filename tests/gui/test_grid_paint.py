"""How the grid paints fast: texts prepared off the GUI thread, sliced boxes, counting after the paint."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication

import app.gui.thumbnails as gui_thumbnails
from app.gui import asset_model, theme
from app.gui.asset_model import FIRST_ROWS, AssetListModel
from app.gui.delegate import PAD, RADIUS, _box_slices
from app.gui.tasks import Tasks
from app.gui.thumbnails import ThumbnailCache
from app.library.records import AssetQuery
from app.library.service import LibraryService
from tests.gui.test_scale import fill

pytestmark = pytest.mark.gui
ROWS = 1000


@pytest.fixture
def rows_library(tmp_path: Path) -> Iterator[LibraryService]:
    with LibraryService(tmp_path / "library", workers=1) as lib:
        fill(lib, ROWS)
        yield lib


def _box_image(w: int, h: int, dpr: float) -> QImage:
    image = QImage(round(w * dpr), round(h * dpr), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#3A7BD5"))
    p.drawRoundedRect(QRectF(0, 0, w, h), RADIUS, RADIUS)
    p.setBrush(QColor("#F5C542"))
    p.drawEllipse(QRectF(w / 4, h / 4, w / 2, h / 2))
    p.end()
    return image


@pytest.mark.parametrize("dpr", [1.0, 2.0, 1.25, 1.5])
def test_a_sliced_box_paints_exactly_the_pixels_of_the_whole_box(qapp, dpr: float) -> None:  # type: ignore[no-untyped-def]
    w, h = 176, 137
    image = _box_image(w, h, dpr)
    # The delegate's choice: the fewest rows past the radius that end on a whole pixel, or none.
    cap = next((c for c in range(10, 27) if (c * dpr).is_integer()), 0)
    box = _box_slices(image, cap, dpr)
    if cap:
        assert not box.middle.hasAlphaChannel()  # the middle is copied, not blended

    def painted(draw) -> QImage:  # type: ignore[no-untyped-def]
        out = QImage(round(300 * dpr), round(200 * dpr), QImage.Format.Format_RGB32)
        out.setDevicePixelRatio(dpr)
        out.fill(QColor("#F6F6F8"))
        p = QPainter(out)
        draw(p)
        p.end()
        return out

    for x, y in ((13, 21), (12, 20)):
        # Where the slices go when a tile's corner falls between device pixels.
        at = QPointF(round(x * dpr) / dpr, round(y * dpr) / dpr)
        whole = painted(lambda p, at=at: p.drawImage(at, image))
        sliced = painted(lambda p, x=x, y=y: box.draw(p, x, y))
        assert sliced == whole, (x, y)


def _window_with_selection(make_window, lib: LibraryService):  # type: ignore[no-untyped-def]
    window = make_window(lib)
    model, grid = window.model, window.grid
    grid.select_ids([model.asset_id(0)])
    return window, model, grid


def test_tiles_show_picture_name_badges_and_selection(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _made = showcase
    window, model, grid = _window_with_selection(make_window, lib)
    count = model.rowCount()
    # Wait until every tile has its thumbnail (or is known to have none) and its record.
    qtbot.waitUntil(
        lambda: all(model.record(r) is not None for r in range(count))
        and window.thumbnails.cached_count + sum(window.thumbnails.is_missing(model.asset_id(r) or "") for r in range(count)) >= count,
        timeout=10_000,
    )
    image = grid.viewport().grab().toImage()
    delegate = grid.asset_delegate
    t = theme.current()

    def near(c: QColor, ref: QColor, tol: int = 40) -> bool:
        return all(abs(a - b) <= tol for a, b in zip(c.getRgb()[:3], ref.getRgb()[:3], strict=True))

    def box_edge(row: int) -> QColor:
        rect = grid.visualRect(model.index(row, 0))
        return image.pixelColor(rect.x() + PAD + 1, rect.y() + PAD + delegate.box_height() // 2)

    def text_pixels(row: int) -> int:
        rect = grid.visualRect(model.index(row, 0))
        top = rect.y() + PAD + delegate.box_height() + 8
        return sum(
            near(image.pixelColor(x, y), t.color("text"), 60)
            for x in range(rect.x() + PAD, rect.x() + PAD + 60)
            for y in range(top, top + delegate._name_h)
        )

    # The selected tile wears the accent ring; the next one does not.
    assert near(box_edge(0), t.color("accent"))
    assert not near(box_edge(1), t.color("accent"))
    # Every tile's name is written under its box.
    assert all(text_pixels(r) > 10 for r in range(count))
    # A picture, not the empty box: the middle of the first tile's box is not the tile colour.
    rect = grid.visualRect(model.index(0, 0))
    middle = image.pixelColor(rect.x() + PAD + delegate.edge // 2, rect.y() + PAD + delegate.box_height() // 2)
    assert not near(middle, t.color("tile"), 8)


def test_texts_are_prepared_by_the_worker_that_fetched_the_records(qtbot, rows_library, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(rows_library)
    model, grid = window.model, window.grid
    delegate = grid.asset_delegate
    row = FIRST_ROWS + 20  # past the first rows: its record came with the count
    qtbot.waitUntil(lambda: model.asset_id(row) is not None and model.record(row) is not None)
    record = model.record(row)
    prepared = model.prepared(record.id)
    assert prepared is not None and prepared.record is record
    on_gui = delegate._texts(record, delegate.edge, delegate._name_fm, delegate._caption_fm)
    assert (prepared.name, prepared.caption, prepared.format_text, prepared.corner_text) == (
        on_gui.name, on_gui.caption, on_gui.format_text, on_gui.corner_text,
    )  # fmt: skip

    # Painting the tile uses what was prepared instead of measuring again.
    grid.scrollTo(model.index(row, 0))
    qtbot.waitUntil(lambda: record.id in delegate._tiles)
    assert delegate._tiles[record.id] is prepared


@pytest.fixture
def lone_model(rows_library: LibraryService) -> Iterator[Callable[[], tuple[AssetListModel, Tasks]]]:
    """Makes a model with no view, and its tasks; nothing is left running when the test ends."""
    owner = QObject()
    made: list[tuple[Tasks, ThumbnailCache]] = []

    def make() -> tuple[AssetListModel, Tasks]:
        tasks = Tasks(owner)
        thumbnails = ThumbnailCache(rows_library, owner)
        made.append((tasks, thumbnails))
        return AssetListModel(rows_library, tasks, thumbnails, owner), tasks

    yield make
    for tasks, thumbnails in made:
        tasks.wait(10_000)
        thumbnails.wait(10_000)
    QApplication.processEvents()
    made.clear()
    owner.deleteLater()
    QApplication.processEvents()


def test_a_new_query_is_counted_once_its_first_rows_are_painted(qtbot, rows_library, lone_model, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # No view here, and the fallback for that made long: only painted() may start the count.
    monkeypatch.setattr(asset_model, "PAINT_WAIT_MS", 600_000)
    model, tasks = lone_model()
    model.set_query(AssetQuery(user_id=rows_library.local_user_id))
    qtbot.waitUntil(lambda: model.rowCount() == FIRST_ROWS)
    assert tasks.wait(10_000)
    QApplication.processEvents()
    assert not model.loaded and model.rowCount() == FIRST_ROWS  # the count has not even started

    model.painted()
    qtbot.waitUntil(lambda: model.loaded, timeout=10_000)
    assert model.rowCount() == ROWS


def test_without_a_view_the_count_still_comes(qtbot, rows_library, lone_model) -> None:  # type: ignore[no-untyped-def]
    model, _tasks = lone_model()
    with qtbot.waitSignal(model.query_loaded, timeout=10_000) as loaded:
        model.set_query(AssetQuery(user_id=rows_library.local_user_id))
    assert loaded.args == [ROWS]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_thumbnails_are_decoded_below_the_gui_threads_priority(qtbot, showcase, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lib, made = showcase
    seen: list[int] = []
    decode = gui_thumbnails.decode

    def noting(path: Path, bucket: int) -> QImage:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return decode(path, bucket)

    monkeypatch.setattr(gui_thumbnails, "decode", noting)
    cache = ThumbnailCache(lib)
    record = lib.get_asset(made.assets["hero-banner.jpg"])
    assert cache.pixmap(record, 256) is None  # asked for
    with qtbot.waitSignal(cache.thumbnail_ready, timeout=10_000):
        cache.wait(10_000)
    assert cache.pixmap(record, 256) is not None
    gui = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert seen and all(nice >= min(19, gui + gui_thumbnails.WORKER_NICE) for nice in seen)
