"""AssetDelegate: paints a tile (rounded thumbnail, badges, name, caption) from cached data only."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.gui import formatting, icons, theme
from app.gui.asset_model import AssetListModel
from app.gui.thumbnails import ThumbnailCache
from app.library.records import AssetRecord

PAD = 8
RADIUS = 9.0
BOX_RATIO = 0.78  # thumbnail box height / width: between 4:3 and 5:4, kind to both


class AssetDelegate(QStyledItemDelegate):
    def __init__(self, thumbnails: ThumbnailCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.edge = 176
        self._fonts(QFont())

    def _fonts(self, base: QFont) -> None:
        self._name_font = QFont(base)
        self._name_font.setWeight(QFont.Weight.Medium)
        self._caption_font = QFont(base)
        self._caption_font.setPointSizeF(max(7.0, base.pointSizeF() * 0.86))
        self._badge_font = QFont(base)
        self._badge_font.setPointSizeF(max(6.5, base.pointSizeF() * 0.74))
        self._badge_font.setWeight(QFont.Weight.DemiBold)
        self._name_h = QFontMetrics(self._name_font).height()
        self._caption_h = QFontMetrics(self._caption_font).height()

    def set_edge(self, edge: int) -> None:
        self.edge = edge

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
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        tile = QRectF(option.rect).adjusted(1, 1, -1, -1)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(t.color("accent", 0.16 if not t.dark else 0.26))
            painter.drawRoundedRect(tile, RADIUS + 3, RADIUS + 3)
        elif hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(t.color("hover"))
            painter.drawRoundedRect(tile, RADIUS + 3, RADIUS + 3)

        box = QRectF(option.rect.x() + PAD, option.rect.y() + PAD, self.edge, self.box_height())
        # Straight from the model: no QVariant round trip per tile and per paint.
        model = index.model()
        record = model.record(index.row()) if isinstance(model, AssetListModel) else None
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(t.color("tile"))
        painter.drawRoundedRect(box, RADIUS, RADIUS)
        text_top = box.bottom() + 8
        if record is None:
            self._paint_skeleton(painter, box, text_top)
            painter.restore()
            return

        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        pm = self.thumbnails.pixmap(record, max(box.width(), box.height()) * dpr)
        if pm is not None and not pm.isNull():
            self._paint_picture(painter, box, pm, record.asset_type)
        else:
            size = max(24, round(min(box.width(), box.height()) * 0.3))
            glyph = icons.pixmap(icons.TYPE_ICONS.get(record.asset_type, "document"), size, t.faint, dpr)
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

        self._paint_badges(painter, box, record)
        self._paint_text(painter, option, box, text_top, record)
        painter.restore()

    def _paint_picture(self, painter: QPainter, box: QRectF, pm: QPixmap, kind: str) -> None:
        size = pm.size().toSizeF()
        inset = box.adjusted(6, 6, -6, -6) if kind in ("document", "audio") else box
        scaled = size.scaled(inset.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(0, 0, scaled.width(), scaled.height())
        target.moveCenter(inset.center())
        path = QPainterPath()
        radius = RADIUS if kind != "document" else 3.0
        # The picture's own corners are rounded where it touches the box's edges.
        path.addRoundedRect(target, radius, radius)
        painter.save()
        painter.setClipPath(path)
        painter.drawPixmap(target, pm, QRectF(pm.rect()))
        painter.restore()
        if kind == "document":
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(theme.current().color("border"))
            painter.drawRoundedRect(target, radius, radius)

    def _paint_badges(self, painter: QPainter, box: QRectF, record: AssetRecord) -> None:
        painter.setFont(self._badge_font)
        fm = QFontMetrics(self._badge_font)
        self._badge(painter, fm, record.format.upper(), box.left() + 6, box.bottom() - 6, left=True)
        corner = formatting.corner_badge(record)
        if corner:
            self._badge(painter, fm, corner, box.right() - 6, box.bottom() - 6, left=False)

    @staticmethod
    def _badge(painter: QPainter, fm: QFontMetrics, text: str, x: float, bottom: float, *, left: bool) -> None:
        w = fm.horizontalAdvance(text) + 10
        h = fm.height() + 2
        rect = QRectF(x if left else x - w, bottom - h, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(12, 12, 16, 168))
        painter.drawRoundedRect(rect, h / 2, h / 2)
        painter.setPen(QColor(255, 255, 255, 235))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_text(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        box: QRectF,
        top: float,
        record: AssetRecord,
    ) -> None:
        t = theme.current()
        width = round(box.width())
        painter.setFont(self._name_font)
        name = QFontMetrics(self._name_font).elidedText(record.name, Qt.TextElideMode.ElideMiddle, width)
        painter.setPen(t.color("text"))
        painter.drawText(
            QRect(round(box.left()), round(top), width, self._name_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            name,
        )
        painter.setFont(self._caption_font)
        caption = QFontMetrics(self._caption_font).elidedText(
            formatting.tile_caption(record), Qt.TextElideMode.ElideRight, width
        )
        painter.setPen(t.color("muted"))
        painter.drawText(
            QRect(round(box.left()), round(top) + self._name_h + 2, width, self._caption_h),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
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
