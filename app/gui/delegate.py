"""AssetDelegate: paints a tile (rounded thumbnail, badges, name, caption) from cached data only."""

from __future__ import annotations

import math

from collections import OrderedDict

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.gui import formatting, icons, theme
from app.gui.asset_model import AssetListModel
from app.gui.thumbnails import ThumbnailCache
from app.library.records import AssetRecord

PAD = 8
RADIUS = 9.0
BOX_RATIO = 0.78  # thumbnail box height / width: between 4:3 and 5:4, kind to both
BADGE_FILL = QColor(12, 12, 16, 168)
BADGE_TEXT = QColor(255, 255, 255, 235)
TEXT_CACHE = 4096  # tiles whose elided name and caption are kept
PICTURE_CACHE = 160  # rounded, display-sized thumbnails kept (a few screens' worth)
BADGE_CACHE = 512
# Enum flags combined once: PySide6 enum arithmetic is slow enough to show in every paint.
_SELECTED = QStyle.StateFlag.State_Selected
_HOVERED = QStyle.StateFlag.State_MouseOver
_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter
_ANTIALIAS = QPainter.RenderHint.Antialiasing
_SMOOTH = QPainter.RenderHint.SmoothPixmapTransform
_NO_PEN = Qt.PenStyle.NoPen


class AssetDelegate(QStyledItemDelegate):
    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.edge = 176
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
        # Paint-time caches: all derived from the fonts above, so they go when the fonts change.
        # record.id -> (record, width, elided name, elided caption, corner badge)
        self._texts: dict[str, tuple[AssetRecord, int, str, str, str | None]] = {}
        # (text, dpr) -> a ready badge pill
        self._badges: dict[tuple[str, float], QPixmap] = {}
        self._badges_seen: set[tuple[str, float]] = set()
        # tile boxes and type glyphs, by size, colour and pixel ratio
        self._shapes: dict[tuple[object, ...], QPixmap] = {}
        # (pixmap cacheKey, width, height, radius, dpr) -> the thumbnail scaled and rounded
        self._pictures: OrderedDict[tuple[int, float, float, float, float], QPixmap] = OrderedDict()

    def set_edge(self, edge: int) -> None:
        self.edge = edge
        self._warm_timer.start()

    def _warm(self) -> None:
        """When idle, do what a first paint at this size would otherwise pay for: the type
        glyphs rendered from SVG, and the fonts' engines and common glyphs."""
        screen = QGuiApplication.primaryScreen()
        dpr = screen.devicePixelRatio() if screen is not None else 1.0
        size = max(24, round(min(self.edge, self.box_height()) * 0.3))
        faint = theme.current().faint
        for kind in (*icons.TYPE_ICONS, "document"):
            self._glyph(kind, size, faint, dpr)
        scratch = QPixmap(max(1, math.ceil(64 * dpr)), max(1, math.ceil(16 * dpr)))
        scratch.setDevicePixelRatio(dpr)
        scratch.fill(Qt.GlobalColor.transparent)
        p = QPainter(scratch)
        p.setRenderHint(_ANTIALIAS)
        sample = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-_()×·…"
        for font in (self._name_font, self._caption_font, self._badge_font):
            p.setFont(font)
            p.drawText(QRectF(0, 0, 64, 16), _LEFT_MIDDLE, sample)
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
        t = theme.current()
        painter.save()
        painter.setRenderHint(_ANTIALIAS)
        painter.setRenderHint(_SMOOTH)
        rect = option.rect
        state = option.state
        selected = bool(state & _SELECTED)
        if selected or state & _HOVERED:
            painter.setPen(_NO_PEN)
            if selected:
                painter.setBrush(t.color("accent", 0.16 if not t.dark else 0.26))
            else:
                painter.setBrush(t.color("hover"))
            painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), RADIUS + 3, RADIUS + 3)

        box = QRectF(rect.x() + PAD, rect.y() + PAD, self.edge, self.box_height())
        # Straight from the model: no QVariant round trip per tile and per paint.
        model = index.model()
        record = model.record(index.row()) if isinstance(model, AssetListModel) else None
        device = painter.device()
        dpr = device.devicePixelRatioF() if device else 1.0
        painter.setPen(_NO_PEN)
        painter.setBrush(t.color("tile"))
        painter.drawRoundedRect(box, RADIUS, RADIUS)
        text_top = box.bottom() + 8
        if record is None:
            self._paint_skeleton(painter, box, text_top)
            painter.restore()
            return

        pm = self.thumbnails.pixmap(record, max(box.width(), box.height()) * dpr)
        if pm is not None and not pm.isNull():
            self._paint_picture(painter, box, pm, record.asset_type, dpr)
        else:
            size = max(24, round(min(box.width(), box.height()) * 0.3))
            glyph = self._glyph(record.asset_type, size, t.faint, dpr)
            painter.drawPixmap(
                round(box.center().x() - size / 2), round(box.center().y() - size / 2), glyph
            )
        if selected:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(t.color("accent"))
            pen = painter.pen()
            pen.setWidthF(2.0)
            painter.setPen(pen)
            painter.drawRoundedRect(box.adjusted(1, 1, -1, -1), RADIUS - 1, RADIUS - 1)

        name, caption, corner = self._texts_for(record, round(box.width()))
        self._paint_badges(painter, box, record, corner, dpr)
        self._paint_text(painter, box, text_top, name, caption)
        painter.restore()

    def _paint_picture(self, painter: QPainter, box: QRectF, pm: QPixmap, kind: str, dpr: float) -> None:
        size = pm.size().toSizeF()
        inset = box.adjusted(6, 6, -6, -6) if kind in ("document", "audio") else box
        scaled = size.scaled(inset.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(0, 0, scaled.width(), scaled.height())
        target.moveCenter(inset.center())
        radius = RADIUS if kind != "document" else 3.0
        # The picture's own corners are rounded where it touches the box's edges: done once
        # per thumbnail and display size, not with a clip path on every paint.
        rounded = self._rounded(pm, target.width(), target.height(), radius, dpr)
        painter.drawPixmap(target.topLeft(), rounded)
        if kind == "document":
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(theme.current().color("border"))
            painter.drawRoundedRect(target, radius, radius)

    def _shape(self, w: float, h: float, radius: float, color: QColor, dpr: float) -> QPixmap:
        """A filled rounded rectangle, made once per size and colour."""
        key = ("shape", w, h, radius, color.rgba(), dpr)
        pm = self._shapes.get(key)
        if pm is None:
            pm = QPixmap(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)))
            pm.setDevicePixelRatio(dpr)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRoundedRect(QRectF(0, 0, w, h), radius, radius)
            p.end()
            if len(self._shapes) >= BADGE_CACHE:
                self._shapes.clear()
            self._shapes[key] = pm
        return pm

    def _glyph(self, kind: str, size: int, color: str, dpr: float) -> QPixmap:
        key = ("glyph", kind, size, color, dpr)
        pm = self._shapes.get(key)
        if pm is None:
            pm = icons.pixmap(icons.TYPE_ICONS.get(kind, "document"), size, color, dpr)
            if len(self._shapes) >= BADGE_CACHE:
                self._shapes.clear()
            self._shapes[key] = pm
        return pm

    def _rounded(self, pm: QPixmap, w: float, h: float, radius: float, dpr: float) -> QPixmap:
        key = (pm.cacheKey(), w, h, radius, dpr)
        cached = self._pictures.get(key)
        if cached is not None:
            self._pictures.move_to_end(key)
            return cached
        out = QPixmap(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)))
        out.setDevicePixelRatio(dpr)
        out.fill(Qt.GlobalColor.transparent)
        p = QPainter(out)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = QRectF(0, 0, w, h)
        path = QPainterPath()
        path.addRoundedRect(rect, radius, radius)
        p.setClipPath(path)
        p.drawPixmap(rect, pm, QRectF(pm.rect()))
        p.end()
        self._pictures[key] = out
        while len(self._pictures) > PICTURE_CACHE:
            self._pictures.popitem(last=False)
        return out

    def _paint_badges(
        self, painter: QPainter, box: QRectF, record: AssetRecord, corner: str | None, dpr: float
    ) -> None:
        bottom = box.bottom() - 6
        self._badge(painter, record.format.upper(), box.left() + 6, bottom, True, dpr)
        if corner:
            self._badge(painter, corner, box.right() - 6, bottom, False, dpr)

    def _badge(self, painter: QPainter, text: str, x: float, bottom: float, left: bool, dpr: float) -> None:
        """A rounded pill with text: a text seen before is a kept pixmap, copied."""
        key = (text, dpr)
        pill = self._badges.get(key)
        if pill is None:
            fm = self._badge_fm
            w = fm.horizontalAdvance(text) + 10
            h = fm.height() + 2
            if key not in self._badges_seen:
                # Seen once (a one-off duration, say): drawn directly, cheaper than a pixmap.
                if len(self._badges_seen) >= BADGE_CACHE * 4:
                    self._badges_seen.clear()
                self._badges_seen.add(key)
                painter.setFont(self._badge_font)
                self._draw_pill(painter, QRectF(x if left else x - w, bottom - h, w, h), text)
                return
            pill = QPixmap(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)))
            pill.setDevicePixelRatio(dpr)
            pill.fill(Qt.GlobalColor.transparent)
            p = QPainter(pill)
            p.setRenderHint(_ANTIALIAS)
            p.setFont(self._badge_font)
            self._draw_pill(p, QRectF(0, 0, w, h), text)
            p.end()
            if len(self._badges) >= BADGE_CACHE:
                self._badges.clear()
            self._badges[key] = pill
        w = pill.width() / dpr
        h = pill.height() / dpr
        painter.drawPixmap(QPointF(x if left else x - w, bottom - h), pill)

    @staticmethod
    def _draw_pill(painter: QPainter, rect: QRectF, text: str) -> None:
        h = rect.height()
        painter.setPen(_NO_PEN)
        painter.setBrush(BADGE_FILL)
        painter.drawRoundedRect(rect, h / 2, h / 2)
        painter.setPen(BADGE_TEXT)
        painter.drawText(rect, _CENTER, text)

    def _texts_for(self, record: AssetRecord, width: int) -> tuple[str, str, str | None]:
        """Elided name and caption and the corner badge: worked out once per record and width."""
        entry = self._texts.get(record.id)
        if entry is not None and entry[0] is record and entry[1] == width:
            return entry[2], entry[3], entry[4]
        name = self._name_fm.elidedText(record.name, Qt.TextElideMode.ElideMiddle, width)
        caption = self._caption_fm.elidedText(formatting.tile_caption(record), Qt.TextElideMode.ElideRight, width)
        corner = formatting.corner_badge(record)
        if len(self._texts) >= TEXT_CACHE:
            self._texts.clear()
        self._texts[record.id] = (record, width, name, caption, corner)
        return name, caption, corner

    def _paint_text(
        self,
        painter: QPainter,
        box: QRectF,
        top: float,
        name: str,
        caption: str,
    ) -> None:
        t = theme.current()
        width = round(box.width())
        painter.setFont(self._name_font)
        painter.setPen(t.color("text"))
        painter.drawText(
            QRect(round(box.left()), round(top), width, self._name_h),
            _LEFT_MIDDLE,
            name,
        )
        painter.setFont(self._caption_font)
        painter.setPen(t.color("muted"))
        painter.drawText(
            QRect(round(box.left()), round(top) + self._name_h + 2, width, self._caption_h),
            _LEFT_MIDDLE,
            caption,
        )

    def _paint_skeleton(self, painter: QPainter, box: QRectF, top: float) -> None:
        t = theme.current()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(t.color("tile"))
        painter.drawRoundedRect(QRectF(box.left(), top + 3, box.width() * 0.7, self._name_h - 6), 4, 4)
        painter.drawRoundedRect(
            QRectF(box.left(), top + self._name_h + 5, box.width() * 0.45, self._caption_h - 6), 4, 4
        )
