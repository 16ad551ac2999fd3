"""Thumbnails for the grid: decoded to QImage by workers (newest request first), cached as QPixmap."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThread, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter, QPixmap

from app.gui import theme
from app.library.records import AssetRecord
from app.library.service import LibraryService

# Decoding at a few fixed sizes keeps the cache useful across small zoom changes.
BUCKETS = (128, 192, 256, 384, 512)
WORKER_NICE = 10  # Linux: decoding threads run at this nice value (the GUI thread keeps 0)
MAX_PENDING = 400  # requests beyond this are the oldest, long scrolled past: dropped


def bucket_for(edge_px: float) -> int:
    for b in BUCKETS:
        if b >= edge_px:
            return b
    return BUCKETS[-1]


def decode(path: Path, bucket: int) -> QImage:
    """The JPEG at path scaled to fit bucket x bucket; a null image when unreadable."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > bucket:
        scaled = size.scaled(QSize(bucket, bucket), Qt.AspectRatioMode.KeepAspectRatio)
        reader.setScaledSize(scaled)
    image = reader.read()
    if image.isNull():
        return image
    # The formats a QPixmap takes without another conversion on the GUI thread.
    if image.hasAlphaChannel():
        return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    return image.convertToFormat(QImage.Format.Format_RGB32)


# The stored thumbnail is a JPEG flattened on white (the API serves it as is). For images
# that may be transparent, the grid decodes the original instead, when it is small enough,
# and shows its transparency on a checkerboard.
ALPHA_FORMATS = frozenset({"png", "webp", "gif"})
MAX_ALPHA_SOURCE_BYTES = 8 * 1024 * 1024


def has_alpha(path: Path) -> bool:
    """From the header only (Pillow opens lazily): RGBA/LA, or a palette with transparency."""
    from PIL import Image

    with Image.open(path) as im:
        return im.mode in ("RGBA", "LA", "PA", "RGBa") or "transparency" in im.info


def on_checkerboard(image: QImage, dark: bool, cell: int = 8) -> QImage:
    """The image over light/dark grey squares, opaque: safe to paint in a worker thread."""
    light, shade = (QColor("#3A3A40"), QColor("#2C2C31")) if dark else (QColor("#FFFFFF"), QColor("#E4E4EA"))
    ground = QImage(image.size(), QImage.Format.Format_RGB32)
    ground.fill(light)
    painter = QPainter(ground)
    for y in range(0, image.height(), cell):
        for x in range((y // cell) % 2 * cell, image.width(), 2 * cell):
            painter.fillRect(x, y, cell, cell, shade)
    painter.drawImage(0, 0, image)
    painter.end()
    return ground


def transparent_tile(library: LibraryService, record: AssetRecord, bucket: int) -> QImage | None:
    """The original on a checkerboard for a small transparent image; None: use the thumbnail."""
    if record.format not in ALPHA_FORMATS or (record.size or 0) > MAX_ALPHA_SOURCE_BYTES:
        return None
    path = library.file_path(record)
    try:
        if not has_alpha(path):
            return None
    except Exception:  # unreadable or gone: the stored thumbnail (or the type icon) instead
        return None
    image = decode(path, bucket)
    return None if image.isNull() else on_checkerboard(image, theme.current().dark)


def _yield_to_gui() -> None:
    """Let the GUI thread have the CPU first: a frame is late at once, a thumbnail can wait.

    Qt's thread priorities reach Windows and macOS; on Linux ordinary threads have none, but
    each thread has its own nice value.
    """
    QThread.currentThread().setPriority(QThread.Priority.LowPriority)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICE)


class _Worker(QRunnable):
    def __init__(self, cache: ThumbnailCache) -> None:
        super().__init__()
        self._cache = cache

    def run(self) -> None:
        _yield_to_gui()
        while True:
            job = self._cache._next_job()
            if job is None:
                return
            asset_id, record, bucket = job
            try:
                image = transparent_tile(self._cache.library, record, bucket)
                if image is None:
                    image = decode(self._cache.library.thumb_path(record), bucket)
            except Exception:  # a bad id or vanished file: show the type icon instead
                image = QImage()
            self._cache._decoded.emit(asset_id, image, bucket)


class ThumbnailCache(QObject):
    """Asks for thumbnails off the GUI thread and keeps a bounded LRU of pixmaps.

    The delegate asks for what it paints; only visible tiles are painted, so the most
    recent requests are the visible ones and are served first (LIFO).
    """

    thumbnail_ready = Signal(str)
    thumbnail_failed = Signal(str)
    _decoded = Signal(str, QImage, int)

    def __init__(
        self,
        library: LibraryService,
        parent: QObject | None = None,
        *,
        budget_bytes: int = 192 * 1024 * 1024,
        threads: int = 2,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self._budget = budget_bytes
        self._used = 0
        self._pixmaps: OrderedDict[str, tuple[QPixmap, int]] = OrderedDict()
        self._missing: set[str] = set()
        self._lock = threading.Lock()
        self._queue: OrderedDict[str, tuple[AssetRecord, int]] = OrderedDict()
        self._in_flight: set[str] = set()
        # GUI thread only: id -> bucket of every request queued or in flight, so that a
        # repeated request (every paint of a tile still waiting) costs a dict lookup.
        self._pending: dict[str, int] = {}
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._workers = 0
        self._max_workers = threads
        self._decoded.connect(self._on_decoded)
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.setInterval(0)
        self._start_timer.timeout.connect(self._start_workers)

    # --- GUI thread ------------------------------------------------------------------

    def pixmap(self, record: AssetRecord, edge_px: float, bucket: int = 0) -> QPixmap | None:
        """The cached pixmap (maybe smaller than asked while a sharper one is made), or None.

        `bucket`, when the caller has it already, saves working it out from edge_px again.
        """
        bucket = bucket or bucket_for(edge_px)
        entry = self._pixmaps.get(record.id)
        if entry is not None:
            self._pixmaps.move_to_end(record.id)
            pm, have = entry
            # Only a thumbnail shrunk to its bucket can be decoded sharper.
            if have < bucket and max(pm.width(), pm.height()) >= have:
                self.request(record, bucket)
            return pm
        if record.id not in self._missing:
            self.request(record, bucket)
        return None

    def is_missing(self, asset_id: str) -> bool:
        return asset_id in self._missing

    def request(self, record: AssetRecord, bucket: int) -> None:
        asset_id = record.id
        if self._pending.get(asset_id) == bucket:
            # Asked for already: only keep it the newest request if it still waits.
            with self._lock:
                if asset_id in self._queue:
                    self._queue.move_to_end(asset_id)
            return
        with self._lock:
            if asset_id in self._in_flight:
                return
            self._queue.pop(asset_id, None)
            self._queue[asset_id] = (record, bucket)
            self._pending[asset_id] = bucket
            while len(self._queue) > MAX_PENDING:
                dropped, _ = self._queue.popitem(last=False)
                self._pending.pop(dropped, None)
            idle = self._workers < self._max_workers
        if idle and not self._start_timer.isActive():
            # Workers start once the paint that asked is over, not in the middle of it.
            self._start_timer.start()

    def _start_workers(self) -> None:
        with self._lock:
            count = min(self._max_workers - self._workers, len(self._queue))
            self._workers += max(0, count)
        for _ in range(count):
            self._pool.start(_Worker(self))

    def forget(self, asset_ids: list[str] | set[str]) -> None:
        """Drop cached pixmaps (deleted assets), so memory and stale pictures go too."""
        for asset_id in asset_ids:
            entry = self._pixmaps.pop(asset_id, None)
            if entry is not None:
                self._used -= _weight(entry[0])
            self._missing.discard(asset_id)

    def clear(self) -> None:
        self._pixmaps.clear()
        self._missing.clear()
        self._used = 0
        with self._lock:
            self._queue.clear()
            self._pending.clear()

    def wait(self, msecs: int = 5000) -> bool:
        if self._start_timer.isActive():
            self._start_timer.stop()
            self._start_workers()
        return self._pool.waitForDone(msecs)

    @Slot(str, QImage, int)
    def _on_decoded(self, asset_id: str, image: QImage, bucket: int) -> None:
        with self._lock:
            self._in_flight.discard(asset_id)
            self._pending.pop(asset_id, None)
        if image.isNull():
            if asset_id not in self._pixmaps:
                self._missing.add(asset_id)
                self.thumbnail_failed.emit(asset_id)
            return
        pm = QPixmap.fromImage(image)
        old = self._pixmaps.pop(asset_id, None)
        if old is not None:
            self._used -= _weight(old[0])
        self._pixmaps[asset_id] = (pm, bucket)
        self._used += _weight(pm)
        while self._used > self._budget and len(self._pixmaps) > 1:
            _, (evicted, _) = self._pixmaps.popitem(last=False)
            self._used -= _weight(evicted)
        self.thumbnail_ready.emit(asset_id)

    # --- worker threads --------------------------------------------------------------

    def _next_job(self) -> tuple[str, AssetRecord, int] | None:
        with self._lock:
            if not self._queue:
                self._workers -= 1
                return None
            asset_id, (record, bucket) = self._queue.popitem(last=True)
            self._in_flight.add(asset_id)
            return asset_id, record, bucket

    @property
    def cached_count(self) -> int:
        return len(self._pixmaps)


def _weight(pm: QPixmap) -> int:
    return max(1, pm.width() * pm.height() * 4)
