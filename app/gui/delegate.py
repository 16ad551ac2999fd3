"""AssetDelegate: paints a tile (rounded thumbnail, badges, name, caption) from cached data only."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.gui import formatting, icons, theme
from app.gui.asset_model import AssetListModel
from app.gui.find_badges import FindBadges
from app.gui.review_badges import ReviewBadges
from app.gui.thumbnails import ThumbnailCache, bucket_for
from app.library.records import AssetRecord

PAD = 8
RADIUS = 9.0
BOX_RATIO = 0.78  # thumbnail box height / width: between 4:3 and 5:4, kind to both
BADGE_FILL = QColor(12, 12, 16, 168)
BADGE_TEXT = QColor(255, 255, 255, 235)
TEXT_CACHE = 4096  # tiles whose elided name and caption are kept
PICTURE_CACHE = 160  # rounded, display-sized thumbnails kept (a few screens' worth)
BADGE_CACHE = 512
COMMON_FORMATS = ("JPG", "JPEG", "PNG", "GIF", "WEBP", "MP4", "MOV", "MP3", "WAV", "PDF")
# Looked up once: PySide6 enum access and arithmetic are slow enough to show in every paint.
_SELECTED = QStyle.StateFlag.State_Selected
_HOVERED = QStyle.StateFlag.State_MouseOver
_ANTIALIAS = QPainter.RenderHint.Antialiasing
_SMOOTH = QPainter.RenderHint.SmoothPixmapTransform
_NO_PEN = Qt.PenStyle.NoPen
_NO_BRUSH = Qt.BrushStyle.NoBrush
_TRANSPARENT = Qt.GlobalColor.transparent
_ELIDE_MIDDLE = Qt.TextElideMode.ElideMiddle
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight
_KEEP_ASPECT = Qt.AspectRatioMode.KeepAspectRatio


@dataclass(slots=True)
class _Tile:
    """What a tile shows besides its picture: texts measured for a width, and badges.

    Made in the worker that fetched the record (see prepare()), or on a first paint; the
    pills, being pixmaps, are only ever looked up on the GUI thread.
    """

    record: AssetRecord
    width: int
    name: str
    caption: str
    format_text: str
    corner_text: str | None
    format_pill: QPixmap | None = None
    corner_pill: QPixmap | None = None


@dataclass(slots=True, frozen=True)
class _Box:
    """A thumbnail box in three slices: the rows with the rounded corners, top and bottom, are
    blended; the opaque rows between are copied, which costs a fraction of a blend."""

    top: QPixmap  # null when the box is not sliced: then `middle` is all of it
    middle: QPixmap
    bottom: QPixmap
    middle_y: int  # logical offset of the middle slice
    bottom_y: float  # and of the bottom one: not a whole logical pixel at every pixel ratio
    snap: float  # the pixel ratio when fractional: slices then start on whole device pixels

    def draw(self, painter: QPainter, x: int, y: int) -> None:
        if self.top.isNull():
            painter.drawPixmap(x, y, self.middle)
        elif not self.snap:
            painter.drawPixmap(x, y + self.middle_y, self.middle)
            painter.drawPixmap(x, y, self.top)
            painter.drawPixmap(QPointF(x, y + self.bottom_y), self.bottom)
        else:
            # A position between device pixels would be rounded for each slice on its own,
            # opening a seam between them: start the box on a whole device pixel instead.
            dpr = self.snap
            fx, fy = round(x * dpr) / dpr, round(y * dpr) / dpr
            painter.drawPixmap(QPointF(fx, fy + self.middle_y), self.middle)
            painter.drawPixmap(QPointF(fx, fy), self.top)
            painter.drawPixmap(QPointF(fx, fy + self.bottom_y), self.bottom)


def _box_slices(image: QImage, cap: int, dpr: float) -> _Box:
    """Slice a box image (see _Box) `cap` logical rows from each end; 0 leaves it whole. `cap`
    rows must be a whole number of device pixels."""
    if cap <= 0:
        return _Box(QPixmap(), QPixmap.fromImage(image), QPixmap(), 0, 0.0, 0.0)
    cap_px = round(cap * dpr)
    width, height = image.width(), image.height()
    middle = image.copy(0, cap_px, width, height - 2 * cap_px).convertToFormat(QImage.Format.Format_RGB32)
    return _Box(
        QPixmap.fromImage(image.copy(0, 0, width, cap_px)),
        QPixmap.fromImage(middle),
        QPixmap.fromImage(image.copy(0, height - cap_px, width, cap_px)),
        cap,
        (height - cap_px) / dpr,
        0.0 if dpr.is_integer() else dpr,
    )


@dataclass(slots=True)
class _Art:
    """The pixmaps and pens every tile shares, for one theme, tile size and pixel ratio."""

    selected_bg: QPixmap
    hover_bg: QPixmap
    ring: QPixmap
    skeleton: QPixmap  # the two text bars of a tile whose record is still loading
    text_pen: QPen
    muted_pen: QPen
    boxes: dict[str, _Box]  # type -> the empty box with its glyph; "" -> the empty box


def _canvas(w: float, h: float, dpr: float) -> QPixmap:
    pm = QPixmap(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)))
    pm.setDevicePixelRatio(dpr)
    pm.fill(_TRANSPARENT)
    return pm


def _rounded_rect(painter: QPainter, rect: QRectF, radius: float, color: QColor) -> None:
    painter.setPen(_NO_PEN)
    painter.setBrush(color)
    painter.drawRoundedRect(rect, radius, radius)


class AssetDelegate(QStyledItemDelegate):
    """What a tile shows is made once per theme, size and pixel ratio (badges, glyphs,
    highlights) or once per thumbnail (the picture already rounded and placed in its box), so
    a paint is a handful of drawPixmap calls and two drawText calls, with no painter state to
    save and restore.

    Over a screen of tiles it is the pixels that cost, not the calls: the boxes (see _Box) are
    mostly copied, not blended.
    """

    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.edge = 176
        # Share-link review badges; set by the window (None: tiles show none).
        self.reviews: ReviewBadges | None = None
        # Rating, colour label and rights badges; set by the window (None: tiles show none).
        self.find_badges: FindBadges | None = None
        self._fonts(QFont())
        self._warm_timer = QTimer(self)
        self._warm_timer.setSingleShot(True)
        self._warm_timer.setInterval(0)
        self._warm_timer.timeout.connect(self._warm)

    def _fonts(self, base: QFont) -> None:
        self._name_font = QFont(base)
        self._name_font.setWeight(QFont.Weight.Medium)
        self._caption_font = QFont(base)
        self._caption_font.setPointSizeF(max(7.0, base.pointSizeF() * 0.86))
        self._badge_font = QFont(base)
        self._badge_font.setPointSizeF(max(6.5, base.pointSizeF() * 0.74))
        self._badge_font.setWeight(QFont.Weight.DemiBold)
        self._name_fm = QFontMetrics(self._name_font)
        self._caption_fm = QFontMetrics(self._caption_font)
        self._badge_fm = QFontMetrics(self._badge_font)
        self._name_h = self._name_fm.height()
        self._caption_h = self._caption_fm.height()
        self._name_ascent = self._name_fm.ascent()
        self._caption_ascent = self._caption_fm.ascent()
        self._badge_ascent = self._badge_fm.ascent()
        # For prepare(): a worker builds its own fonts from these, never sharing the GUI's.
        self._font_specs = tuple(f.toString() for f in (self._name_font, self._caption_font, self._badge_font))
        self._reset_caches()

    def _reset_caches(self) -> None:
        """Forget everything derived from the fonts, the size, the theme or the pixel ratio."""
        self._theme: theme.Theme | None = None
        self._dpr = 0.0
        self._art: _Art | None = None
        self._box_h = self.box_height()
        self._box_px = 0.0
        self._bucket = 0
        self._cap = 0
        # record.id -> its texts and badges (the record itself tells when they are stale)
        self._tiles: dict[str, _Tile] = {}
        # badge text -> a ready pill; the images workers made for new texts; texts seen once
        self._pills: dict[str, QPixmap] = {}
        self._pill_images: dict[str, QImage] = {}
        self._pills_seen: set[str] = set()
        # (pixmap cacheKey, kind) -> the box with the thumbnail fitted, rounded and placed in it
        self._pictures: OrderedDict[tuple[int, str], _Box] = OrderedDict()

    def set_edge(self, edge: int) -> None:
        if edge != self.edge:
            self.edge = edge
            self._reset_caches()
        self._warm_timer.start()

    def _warm(self) -> None:
        """When idle, do what a first paint at this size would otherwise pay for: the shared
        pixmaps (type glyphs rendered from SVG), the usual badges, the fonts' glyphs."""
        screen = QGuiApplication.primaryScreen()
        self._art_for(theme.current(), screen.devicePixelRatio() if screen is not None else 1.0)
        for text in COMMON_FORMATS:
            self._pill(text, now=True)
        scratch = _canvas(64, 16, self._dpr)
        p = QPainter(scratch)
        sample = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-_()×·…"
        for font in (self._name_font, self._caption_font, self._badge_font):
            p.setFont(font)
            p.drawText(0, 12, sample)
        p.end()

    def box_height(self) -> int:
        return round(self.edge * BOX_RATIO)

    def tile_size(self) -> QSize:
        return QSize(
            self.edge + 2 * PAD,
            PAD + self.box_height() + 8 + self._name_h + 2 + self._caption_h + PAD,
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return self.tile_size()

    # --- painting --------------------------------------------------------------------

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        t = theme.current()
        art = self._art
        if art is None or t is not self._theme or dpr != self._dpr:
            art = self._art_for(t, dpr)
        rect = option.rect
        x, y = rect.x(), rect.y()
        state = option.state
        selected = _SELECTED in state
        if selected:
            painter.drawPixmap(x, y, self._backdrop(art, rect.width(), rect.height(), True))
        elif _HOVERED in state:
            painter.drawPixmap(x, y, self._backdrop(art, rect.width(), rect.height(), False))
        bx, by = x + PAD, y + PAD
        # Straight from the model: no QVariant round trip per tile and per paint.
        model = index.model()
        record = model.record(index.row()) if isinstance(model, AssetListModel) else None
        if record is None:
            art.boxes[""].draw(painter, bx, by)
            painter.drawPixmap(bx, by + self._box_h, art.skeleton)
            return
        tile = self._tiles.get(record.id)
        if tile is None or tile.record is not record or tile.width != self.edge:
            tile = self._tile(record, model)

        pm = self.thumbnails.pixmap(record, self._box_px, self._bucket)
        if pm is not None and not pm.isNull():
            self._picture(pm, record.asset_type).draw(painter, bx, by)
        else:
            (art.boxes.get(record.asset_type) or art.boxes["document"]).draw(painter, bx, by)
        if selected:
            painter.drawPixmap(bx, by, art.ring)
        below = 0
        if self.reviews is not None:
            self.reviews.paint(painter, record.id, bx + 6, by + 6)
            if self.reviews.status(record.id) is not None:
                below = self.reviews.height() + 4
        if self.find_badges is not None:
            self.find_badges.paint(painter, record.id, bx, by, self.edge, below)
            self.find_badges.paint_palette(painter, record.id, bx, by, self.edge, self._box_h, RADIUS)

        # Badges sit 6 px inside the box's bottom corners.
        bottom = by + self._box_h - 6
        pill = tile.format_pill
        if pill is None:
            pill = tile.format_pill = self._pill(tile.format_text)
        if pill is not None:
            painter.drawPixmap(bx + 6, bottom - round(pill.height() / dpr), pill)
        else:
            self._draw_pill(painter, tile.format_text, bx + 6, bottom, True)
        text = tile.corner_text
        if text:
            pill = tile.corner_pill
            if pill is None:
                pill = tile.corner_pill = self._pill(text)
            right = bx + self.edge - 6
            if pill is not None:
                painter.drawPixmap(right - round(pill.width() / dpr), bottom - round(pill.height() / dpr), pill)
            else:
                self._draw_pill(painter, text, right, bottom, False)
        # The texts are elided to the box's width already: the plain drawText needs no layout.
        top = by + self._box_h + 8
        painter.setFont(self._name_font)
        painter.setPen(art.text_pen)
        painter.drawText(bx, top + self._name_ascent, tile.name)
        painter.setFont(self._caption_font)
        painter.setPen(art.muted_pen)
        painter.drawText(bx, top + self._name_h + 2 + self._caption_ascent, tile.caption)

    def _tile(self, record: AssetRecord, model: AssetListModel) -> _Tile:
        """The record's texts and badges: prepared by the worker that fetched it, or now."""
        tile = model.prepared(record.id)
        if not isinstance(tile, _Tile) or tile.record is not record or tile.width != self.edge:
            tile = self._texts(record, self.edge, self._name_fm, self._caption_fm)
        if len(self._tiles) >= TEXT_CACHE:
            self._tiles.clear()
        self._tiles[record.id] = tile
        return tile

    @staticmethod
    def _texts(record: AssetRecord, width: int, name_fm: QFontMetrics, caption_fm: QFontMetrics) -> _Tile:
        return _Tile(
            record,
            width,
            name_fm.elidedText(record.name, _ELIDE_MIDDLE, width),
            caption_fm.elidedText(formatting.tile_caption(record), _ELIDE_RIGHT, width),
            record.format.upper(),
            formatting.corner_badge(record),
        )

    def prepare(self, records: Iterable[AssetRecord]) -> dict[str, object]:
        """Any thread: the texts of these records' tiles, measured for the current size, and
        images of the badges not seen yet (pixmaps are for the GUI thread only)."""
        width, specs, pills, images = self.edge, self._font_specs, self._pills, self._pill_images
        name_font, caption_font, badge_font = QFont(), QFont(), QFont()
        for font, spec in zip((name_font, caption_font, badge_font), specs, strict=True):
            font.fromString(spec)
        name_fm, caption_fm = QFontMetrics(name_font), QFontMetrics(caption_font)
        tiles: dict[str, object] = {}
        records = list(records)
        if self.reviews is not None:
            self.reviews.load(r.id for r in records)
        if self.find_badges is not None:
            self.find_badges.load(r.id for r in records)
        for record in records:
            tile = tiles[record.id] = self._texts(record, width, name_fm, caption_fm)
            for text in (tile.format_text, tile.corner_text):
                if text and text not in pills and text not in images:
                    images[text] = self._pill_image(text, badge_font)
        if len(images) > BADGE_CACHE:
            images.clear()
        return tiles

    # --- shared pixmaps --------------------------------------------------------------

    def _art_for(self, t: theme.Theme, dpr: float) -> _Art:
        """The shared pixmaps for this theme and pixel ratio (the size is fixed until set_edge)."""
        if t is not self._theme or dpr != self._dpr:
            self._reset_caches()
            self._theme, self._dpr = t, dpr
            self._box_px = max(self.edge, self._box_h) * dpr
            self._bucket = bucket_for(self._box_px)
            # The fewest rows past the corners' radius that end on a whole physical pixel.
            whole = (c for c in range(math.ceil(RADIUS) + 1, 3 * math.ceil(RADIUS)) if (c * dpr).is_integer())
            self._cap = next(whole, 0)
        w, h = float(self.edge), float(self._box_h)
        text_h = 8 + self._name_h + 2 + self._caption_h

        ring = _canvas(w, h, dpr)
        p = QPainter(ring)
        p.setRenderHint(_ANTIALIAS)
        pen = QPen(t.color("accent"))
        pen.setWidthF(2.0)
        p.setPen(pen)
        p.setBrush(_NO_BRUSH)
        p.drawRoundedRect(QRectF(1, 1, w - 2, h - 2), RADIUS - 1, RADIUS - 1)
        p.end()

        skeleton = _canvas(w, text_h, dpr)
        p = QPainter(skeleton)
        p.setRenderHint(_ANTIALIAS)
        tile = t.color("tile")
        _rounded_rect(p, QRectF(0, 8 + 3, w * 0.7, self._name_h - 6), 4, tile)
        _rounded_rect(p, QRectF(0, 8 + self._name_h + 5, w * 0.45, self._caption_h - 6), 4, tile)
        p.end()

        size = max(24, round(min(w, h) * 0.3))
        boxes = {}
        for kind in ("", *icons.TYPE_ICONS):
            image = self._box_image(t.color("tile"))
            if kind:
                glyph = icons.pixmap(icons.TYPE_ICONS.get(kind, "document"), size, t.faint, dpr)
                p = QPainter(image)
                p.drawPixmap(round(w / 2 - size / 2), round(h / 2 - size / 2), glyph)
                p.end()
            boxes[kind] = _box_slices(image, self._cap, dpr)
        self._art = _Art(
            selected_bg=QPixmap(),
            hover_bg=QPixmap(),
            ring=ring,
            skeleton=skeleton,
            text_pen=QPen(t.color("text")),
            muted_pen=QPen(t.color("muted")),
            boxes=boxes,
        )
        return self._art

    def _backdrop(self, art: _Art, w: int, h: int, selected: bool) -> QPixmap:
        """The rounded highlight behind a selected or hovered tile."""
        pm = art.selected_bg if selected else art.hover_bg
        dpr = self._dpr
        if pm.isNull() or pm.width() != math.ceil(w * dpr) or pm.height() != math.ceil(h * dpr):
            t = theme.current()
            color = t.color("accent", 0.16 if not t.dark else 0.26) if selected else t.color("hover")
            pm = _canvas(w, h, dpr)
            p = QPainter(pm)
            p.setRenderHint(_ANTIALIAS)
            _rounded_rect(p, QRectF(1, 1, w - 2, h - 2), RADIUS + 3, color)
            p.end()
            if selected:
                art.selected_bg = pm
            else:
                art.hover_bg = pm
        return pm

    def _pill(self, text: str, *, now: bool = False) -> QPixmap | None:
        """A rounded badge with text, kept as a pixmap; None the first time a text is seen,
        unless a worker made it already or `now`: drawing it directly once is cheaper than
        making a pixmap for a duration that may never show again."""
        pill = self._pills.get(text)
        if pill is not None:
            return pill
        image = self._pill_images.get(text)
        if image is None:
            if not now and text not in self._pills_seen:
                if len(self._pills_seen) >= BADGE_CACHE * 4:
                    self._pills_seen.clear()
                self._pills_seen.add(text)
                return None
            image = self._pill_image(text, self._badge_font)
        pill = QPixmap.fromImage(image)
        if len(self._pills) >= BADGE_CACHE:
            self._pills.clear()
        self._pills[text] = pill
        return pill

    def _pill_image(self, text: str, font: QFont) -> QImage:
        """Any thread: the badge drawn into an image, at the current pixel ratio."""
        fm, dpr = QFontMetrics(font), self._dpr or 1.0
        w = fm.horizontalAdvance(text) + 10
        h = fm.height() + 2
        image = QImage(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)), QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        image.fill(_TRANSPARENT)
        p = QPainter(image)
        p.setRenderHint(_ANTIALIAS)
        p.setFont(font)
        self._pill_shape(p, QRectF(0, 0, w, h), text, fm.ascent())
        p.end()
        return image

    def _draw_pill(self, painter: QPainter, text: str, x: int, bottom: int, left: bool) -> None:
        """A badge straight onto the tile, for a text seen for the first time."""
        fm = self._badge_fm
        w = fm.horizontalAdvance(text) + 10
        h = fm.height() + 2
        painter.setRenderHint(_ANTIALIAS)
        painter.setFont(self._badge_font)
        self._pill_shape(painter, QRectF(x if left else x - w, bottom - h, w, h), text, self._badge_ascent)

    @staticmethod
    def _pill_shape(painter: QPainter, rect: QRectF, text: str, ascent: int) -> None:
        """The pill is 10 px wider than its text and 2 px taller than the font: the text sits
        5 px in and 1 px down, so it needs no layout to be centred."""
        _rounded_rect(painter, rect, rect.height() / 2, BADGE_FILL)
        painter.setPen(BADGE_TEXT)
        painter.drawText(QPointF(rect.x() + 5, rect.y() + 1 + ascent), text)

    def _box_image(self, color: QColor) -> QImage:
        """An empty box, as an image to paint on."""
        dpr, w, h = self._dpr, self.edge, self._box_h
        image = QImage(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)), QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(dpr)
        image.fill(_TRANSPARENT)
        p = QPainter(image)
        p.setRenderHint(_ANTIALIAS)
        _rounded_rect(p, QRectF(0, 0, w, h), RADIUS, color)
        p.end()
        return image

    def _picture(self, pm: QPixmap, kind: str) -> _Box:
        """The box with the thumbnail fitted into it (inset for documents and audio), the
        picture's corners rounded where it touches the box's. Made once per thumbnail, so a
        paint copies pixels instead of clipping and scaling."""
        key = (pm.cacheKey(), kind)
        cached = self._pictures.get(key)
        if cached is not None:
            self._pictures.move_to_end(key)
            return cached
        t = theme.current()
        w, h = float(self.edge), float(self._box_h)
        inset = 6.0 if kind in ("document", "audio") else 0.0
        room = QRectF(inset, inset, w - 2 * inset, h - 2 * inset)
        size = pm.size().toSizeF().scaled(room.size(), _KEEP_ASPECT)
        rect = QRectF(0, 0, size.width(), size.height())
        rect.moveCenter(room.center())
        document = kind == "document"
        radius = RADIUS if not document else 3.0
        image = self._box_image(t.color("tile"))
        p = QPainter(image)
        p.setRenderHint(_ANTIALIAS)
        p.setRenderHint(_SMOOTH)
        path = QPainterPath()
        path.addRoundedRect(rect, radius, radius)
        p.setClipPath(path)
        p.drawPixmap(rect, pm, QRectF(pm.rect()))
        if document:
            # A hairline that straddles the page's edge, as a sheet of paper has.
            p.setClipping(False)
            p.setBrush(_NO_BRUSH)
            p.setPen(t.color("border"))
            p.drawRoundedRect(rect, radius, radius)
        p.end()
        box = _box_slices(image, self._cap, self._dpr)
        self._pictures[key] = box
        while len(self._pictures) > PICTURE_CACHE:
            self._pictures.popitem(last=False)
        return box
