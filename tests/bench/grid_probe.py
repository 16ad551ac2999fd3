"""One grid measurement in its own process: a bare QListView, then Atelier's grid, on one library.

`python -m tests.bench.grid_probe LIBRARY STEPS` prints one JSON object. Own process, so that
memory growth is measured from a clean start and Qt runs offscreen without a display.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QAbstractListModel, QEventLoop, QModelIndex, QSize, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QPixmap  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QListView  # noqa: E402

import app.gui.thumbnails as gui_thumbnails  # noqa: E402
from app.gui.asset_model import AssetListModel  # noqa: E402
from app.gui.delegate import AssetDelegate  # noqa: E402
from app.gui.grid import AssetGridView  # noqa: E402
from app.gui.tasks import Tasks  # noqa: E402
from app.gui.thumbnails import ThumbnailCache  # noqa: E402
from app.library.records import AssetQuery  # noqa: E402
from app.library.service import LibraryService  # noqa: E402
from tests.bench.common import rss_mb  # noqa: E402

WIDTH, HEIGHT = 1280, 800
TIMEOUT_MS = 60_000
GUI_THREAD = threading.get_ident()
decodes = {"gui": 0, "worker": 0}
_decode = gui_thumbnails.decode


def _counting_decode(path: Path, bucket: int):  # type: ignore[no-untyped-def]
    decodes["gui" if threading.get_ident() == GUI_THREAD else "worker"] += 1
    return _decode(path, bucket)


# Every thumbnail decode goes through this module function; count which thread runs it.
gui_thumbnails.decode = _counting_decode


class _Painted:
    """Mixin: remembers when the viewport last finished painting, and stops a wait when told."""

    done_when = None  # a callable: True once the frame just painted is the one waited for
    loop: QEventLoop | None = None
    painted_at = 0.0

    def paintEvent(self, event):  # type: ignore[no-untyped-def]
        super().paintEvent(event)  # type: ignore[misc]
        self.painted_at = time.perf_counter()
        if self.loop is not None and self.done_when is not None and self.done_when():
            self.loop.quit()


class TimedGrid(_Painted, AssetGridView):
    pass


class TimedList(_Painted, QListView):
    pass


class MinimalModel(QAbstractListModel):
    """The least a grid needs: a count, a name, one shared picture and the tile size."""

    def __init__(self, count: int, tile: QSize, picture: QPixmap) -> None:
        super().__init__()
        self.count, self.tile, self.picture = count, tile, picture

    def rowCount(self, parent=QModelIndex()):  # type: ignore[no-untyped-def]  # noqa: B008
        return 0 if parent.isValid() else self.count

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"asset-{index.row():07d}.jpg"
        if role == Qt.ItemDataRole.DecorationRole:
            return self.picture
        if role == Qt.ItemDataRole.SizeHintRole:
            return self.tile
        return None


def spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_frame(view: _Painted, done) -> None:  # type: ignore[no-untyped-def]
    loop = QEventLoop()
    view.loop, view.done_when = loop, done
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(TIMEOUT_MS)
    loop.exec()
    view.loop = view.done_when = None
    if not timer.isActive():
        raise RuntimeError("no frame painted within the time limit")
    timer.stop()


BARE_BATCH = 2_000


def configure_like(bare: QListView, grid: AssetGridView) -> None:
    """The grid's view settings, on a plain QListView."""
    bare.setViewMode(QListView.ViewMode.ListMode)
    bare.setFlow(QListView.Flow.LeftToRight)
    bare.setWrapping(True)
    bare.setResizeMode(QListView.ResizeMode.Adjust)
    bare.setUniformItemSizes(True)
    bare.setLayoutMode(grid.layoutMode())
    # Not the grid's batch: the bare list's model counts its rows in Python, asked for every
    # row laid out, so it keeps the batch that suits it (2,000, Atelier's own before its rows
    # were counted in Qt). At the grid's 25,000 its first frame is ~10x slower (95 ms), and a
    # reference that slow would flatter the grid.
    bare.setBatchSize(BARE_BATCH)
    bare.setMovement(QListView.Movement.Static)
    bare.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    bare.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    bare.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    bare.setFrameShape(QListView.Shape.NoFrame)
    bare.setSpacing(grid.spacing())


def scroll_repaints(view: QListView, steps: int, settle_ms: int) -> list[float]:
    """Seconds to repaint the viewport after each one-screen scroll (the data then settles)."""
    bar = view.verticalScrollBar()
    times = []
    for _ in range(steps):
        bar.setValue(min(bar.maximum(), bar.value() + view.viewport().height()))
        start = time.perf_counter()
        view.viewport().repaint()
        times.append(time.perf_counter() - start)
        spin(settle_ms)
    return times


def main() -> None:
    folder, steps = Path(sys.argv[1]), int(sys.argv[2])
    app = QApplication([])
    lib = LibraryService(folder)
    lib.warm_up()  # as the window's start does, while it builds itself
    user_id = lib.local_user_id
    tasks = Tasks()
    thumbs = ThumbnailCache(lib)
    delegate = AssetDelegate(thumbs)
    model = AssetListModel(lib, tasks, thumbs)
    grid = TimedGrid(model, delegate)
    grid.resize(WIDTH, HEIGHT)

    # The reference: a bare QListView, the same settings and tile size, a minimal model.
    picture = QPixmap(delegate.edge, delegate.box_height())
    picture.fill(QColor(120, 130, 150))
    bare = TimedList()
    bare.resize(WIDTH, HEIGHT)
    configure_like(bare, grid)
    bare.show()
    spin(200)
    count = lib.count_assets(AssetQuery(user_id=user_id))
    minimal = MinimalModel(count, delegate.tile_size(), picture)
    start = time.perf_counter()
    bare.setModel(minimal)
    wait_frame(bare, lambda: bare.model() is not None and bare.model().rowCount() > 0)
    bare_first = bare.painted_at - start
    bare_scroll = scroll_repaints(bare, steps, 30)
    bare.hide()
    bare.setModel(None)
    bare.deleteLater()
    del minimal
    spin(100)
    gc.collect()

    grid.show()
    spin(300)
    before = rss_mb()

    def first_tiles_shown() -> bool:
        first = model.asset_id(0) if model.rowCount() else None
        return first is not None and model.cached_record(first) is not None

    start = time.perf_counter()
    model.set_query(AssetQuery(user_id=user_id))
    wait_frame(grid, first_tiles_shown)
    grid_first = grid.painted_at - start
    grid_scroll = scroll_repaints(grid, steps, 30)
    # Let the last thumbnails and rows arrive before memory is read.
    thumbs.wait(10_000)
    tasks.wait(10_000)
    spin(300)
    gc.collect()
    after = rss_mb()
    cache_mb = getattr(thumbs, "_used", 0) / 1024 / 1024
    print(
        json.dumps(
            {
                "rows": count,
                "bare_first": bare_first,
                "grid_first": grid_first,
                "bare_scroll": bare_scroll,
                "grid_scroll": grid_scroll,
                "rss_before": before,
                "rss_after": after,
                "cache_mb": cache_mb,
                "gui_decodes": decodes["gui"],
                "worker_decodes": decodes["worker"],
            }
        )
    )
    grid.hide()
    lib.close()
    app.quit()


if __name__ == "__main__":
    main()
