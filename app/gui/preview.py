"""AssetPreview: an image fitted, a video or audio player (QtMultimedia), a PDF page by page (QtPdf)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMargins, QPointF, QRectF, QSize, Qt, QUrl, Slot
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeySequence,
    QMovie,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPixmap,
    QShortcut,
)
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import formatting, icons, theme
from app.gui.tasks import Tasks
from app.gui.thumbnails import decode
from app.library.records import AssetRecord
from app.library.service import LibraryService

PREVIEW_EDGE = 2048  # big enough for a large quick look, small enough to decode quickly
MAX_ANIMATED_BYTES = 30 * 1024 * 1024


_CHECKER: dict[bool, QBrush] = {}


def checkerboard(cell: int = 8) -> QBrush:
    """The usual grey squares behind transparent pixels, in the current theme's tones."""
    dark = theme.current().dark
    brush = _CHECKER.get(dark)
    if brush is None:
        light, shade = (QColor("#3A3A40"), QColor("#2C2C31")) if dark else (QColor("#FFFFFF"), QColor("#E4E4EA"))
        tile = QPixmap(cell * 2, cell * 2)
        tile.fill(light)
        painter = QPainter(tile)
        painter.fillRect(0, 0, cell, cell, shade)
        painter.fillRect(cell, cell, cell, cell, shade)
        painter.end()
        brush = _CHECKER[dark] = QBrush(tile)
    return brush


class FittedImage(QWidget):
    """Paints an image (or the current frame of an animation) fitted, with rounded corners."""

    def __init__(self, parent: QWidget | None = None, *, upscale: bool = False) -> None:
        super().__init__(parent)
        self._image = QImage()
        self._movie: QMovie | None = None
        # A video's poster is a small thumbnail: fill the player with it, as the video will.
        self.upscale = upscale
        self.setMinimumSize(QSize(120, 90))

    def set_image(self, image: QImage) -> None:
        self._stop_movie()
        self._image = image
        self.update()

    def set_movie(self, path: Path) -> None:
        self._stop_movie()
        self._movie = QMovie(str(path), parent=self)
        self._movie.setCacheMode(QMovie.CacheMode.CacheAll)
        self._movie.frameChanged.connect(self._on_frame)
        self._movie.start()

    def _stop_movie(self) -> None:
        if self._movie is not None:
            self._movie.stop()
            self._movie.deleteLater()
            self._movie = None

    @Slot(int)
    def _on_frame(self, _frame: int) -> None:
        if self._movie is not None:
            self._image = self._movie.currentImage()
            self.update()

    def has_image(self) -> bool:
        return not self._image.isNull()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        area = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        size = self._image.size().toSizeF()
        if self.upscale or size.width() > area.width() or size.height() > area.height():
            size = size.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(QPointF(0, 0), size)
        target.moveCenter(area.center())
        path = QPainterPath()
        path.addRoundedRect(target, 8, 8)
        painter.setClipPath(path)
        if self._image.hasAlphaChannel():
            painter.fillRect(target, checkerboard())  # transparency seen as such, not as white
        painter.drawImage(target, self._image)
        painter.end()


class MediaPanel(QWidget):
    """A player for video or audio with simple controls.

    Above the controls: the video itself once it plays; before that (and for audio) a
    picture, the video's poster frame or the audio's waveform.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = QMediaPlayer(self)
        self.audio = QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.video = QVideoWidget()
        self.picture = FittedImage(upscale=True)
        self.screens = QStackedWidget()
        self.screens.addWidget(self.video)
        self.screens.addWidget(self.picture)
        self._has_video = False
        self.play_button = QToolButton()
        icons.set_icon(self.play_button, "play")
        self.play_button.setToolTip("Play / pause")
        self.position = QSlider(Qt.Orientation.Horizontal)
        self.position.setRange(0, 0)
        # Space belongs to Quick Look (open/close) and arrows to stepping through assets:
        # the controls never take the keyboard; K plays and pauses, as in video tools.
        self.play_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.position.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.play_key = QShortcut(QKeySequence(Qt.Key.Key_K), self, context=Qt.ShortcutContext.WindowShortcut)
        self.play_key.activated.connect(self._toggle)
        self.play_button.setToolTip("Play / pause (K)")
        self.time = QLabel("0:00 / 0:00")
        self.time.setObjectName("Muted")
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 4, 0, 0)
        controls.addWidget(self.play_button)
        controls.addWidget(self.position, 1)
        controls.addWidget(self.time)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.screens, 1)
        layout.addLayout(controls)
        self.player.setVideoOutput(self.video)
        self.play_button.clicked.connect(self._toggle)
        self.player.playbackStateChanged.connect(self._on_state)
        self.player.durationChanged.connect(self._on_duration)
        self.player.positionChanged.connect(self._on_position)
        self.position.sliderMoved.connect(self.player.setPosition)

    def load(self, path: Path, *, video: bool) -> None:
        self.player.stop()
        self._has_video = video
        self.picture.set_image(QImage())
        self.screens.setCurrentWidget(self.picture)
        self.player.setSource(QUrl.fromLocalFile(str(path)))

    def stop(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())

    @Slot()
    def _toggle(self) -> None:
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    @Slot(QMediaPlayer.PlaybackState)
    def _on_state(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        icons.set_icon(self.play_button, "pause" if playing else "play")
        if playing and self._has_video:
            self.screens.setCurrentWidget(self.video)

    @Slot(int)
    def _on_duration(self, ms: int) -> None:
        self.position.setRange(0, ms)
        self._show_time()

    @Slot(int)
    def _on_position(self, ms: int) -> None:
        if not self.position.isSliderDown():
            self.position.setValue(ms)
        self._show_time()

    def _show_time(self) -> None:
        now = formatting.duration(self.player.position() // 1000)
        total = formatting.duration(self.player.duration() // 1000)
        self.time.setText(f"{now} / {total}")


class PdfPanel(QWidget):
    """One page at a time, fitted, with previous/next."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = QPdfDocument(self)
        self.view = QPdfView()
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.SinglePage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.view.setFrameShape(QPdfView.Shape.NoFrame)
        # One whole page at a time: FitInView leaves the margins out of its sums, so with them
        # the page would overflow by a few pixels and grow a scroll bar.
        self.view.setDocumentMargins(QMargins(0, 0, 0, 0))
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.prev_button = QToolButton()
        icons.set_icon(self.prev_button, "chevron-left")
        self.prev_button.setToolTip("Previous page")
        self.next_button = QToolButton()
        icons.set_icon(self.next_button, "chevron-right")
        self.next_button.setToolTip("Next page")
        self.page_label = QLabel("")
        self.page_label.setObjectName("Muted")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 4, 0, 0)
        controls.addStretch(1)
        controls.addWidget(self.prev_button)
        controls.addWidget(self.page_label)
        controls.addWidget(self.next_button)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(controls)
        self.prev_button.clicked.connect(lambda: self.go(self.page() - 1))
        self.next_button.clicked.connect(lambda: self.go(self.page() + 1))
        self.view.pageNavigator().currentPageChanged.connect(self._show_page)

    def load(self, path: Path) -> bool:
        self.document.close()
        ok = self.document.load(str(path)) == QPdfDocument.Error.None_
        self.go(0)
        return ok

    def close_document(self) -> None:
        self.document.close()

    def page(self) -> int:
        return self.view.pageNavigator().currentPage()

    def go(self, page: int) -> None:
        count = self.document.pageCount()
        if count:
            page = max(0, min(count - 1, page))
            self.view.pageNavigator().jump(page, QPointF(), self.view.pageNavigator().currentZoom())
        self._show_page()

    @Slot()
    def _show_page(self) -> None:
        count = self.document.pageCount()
        page = self.page()
        self.page_label.setText(f"Page {page + 1} of {count}" if count else "")
        self.prev_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < count - 1)


class AssetPreview(QStackedWidget):
    """Shows one asset as it is; everything slow (decoding a big image) happens off the GUI thread."""

    def __init__(self, library: LibraryService, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.tasks = tasks
        self.message = QLabel("")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setObjectName("Muted")
        self.message.setWordWrap(True)
        self.image = FittedImage()
        self._media: MediaPanel | None = None
        self._pdf: PdfPanel | None = None
        self.addWidget(self.message)
        self.addWidget(self.image)
        self.shown_id: str | None = None
        self._generation = 0
        self.show_message("")

    @property
    def media(self) -> MediaPanel:
        if self._media is None:  # QtMultimedia starts its backend on first use; only then
            self._media = MediaPanel()
            self.addWidget(self._media)
        return self._media

    @property
    def pdf(self) -> PdfPanel:
        if self._pdf is None:
            self._pdf = PdfPanel()
            self.addWidget(self._pdf)
        return self._pdf

    def show_message(self, text: str) -> None:
        self._stop()
        self.shown_id = None
        self.message.setText(text)
        self.setCurrentWidget(self.message)

    def show_asset(self, record: AssetRecord) -> None:
        if record.id == self.shown_id:
            return
        self._stop()
        self.shown_id = record.id
        self._generation += 1
        path = self.library.file_path(record)
        if not path.is_file():
            self.show_message(f"The file of “{record.name}” is missing from the library.")
            self.shown_id = record.id
            return
        if record.asset_type == "image":
            self.image.set_image(QImage())
            self.setCurrentWidget(self.image)
            if record.format in ("gif", "webp") and (record.size or 0) <= MAX_ANIMATED_BYTES:
                self.image.set_movie(path)
            else:
                # A 24 MP JPEG takes half a second: its thumbnail shows at once, then the image.
                thumb = self.library.thumb_path(record) if record.format in ("jpg", "jpeg") else None
                self._decode_later(path, self.image.set_image, placeholder=thumb)
        elif record.asset_type in ("video", "audio"):
            media = self.media
            media.load(path, video=record.asset_type == "video")
            self.setCurrentWidget(media)
            # The poster frame or waveform the import made, until the video plays.
            self._decode_later(self.library.thumb_path(record), media.picture.set_image)
        elif record.asset_type == "document":
            if self.pdf.load(path):
                self.setCurrentWidget(self.pdf)
            else:
                self.show_message("This document cannot be shown")

    def _decode_later(self, path: Path, show, placeholder: Path | None = None) -> None:  # type: ignore[no-untyped-def]
        generation = self._generation
        done = [False]

        def shown(image: QImage) -> None:
            if generation == self._generation:
                done[0] = True
                show(image)

        def early(image: QImage) -> None:
            if generation == self._generation and not done[0] and not image.isNull():
                show(image)

        if placeholder is not None and placeholder.is_file():
            self.tasks.run(lambda: decode(placeholder, PREVIEW_EDGE), early, lambda _e: None)
        self.tasks.run(lambda: decode(path, PREVIEW_EDGE), shown, lambda _e: None)

    def _stop(self) -> None:
        self._generation += 1
        if self._media is not None:
            self._media.stop()
        if self._pdf is not None:
            self._pdf.close_document()
        self.image.set_image(QImage())

    def stop(self) -> None:
        self._stop()
        self.shown_id = None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.current().color("tile"))
        painter.drawRoundedRect(QRectF(self.rect()), 10, 10)
        painter.end()
