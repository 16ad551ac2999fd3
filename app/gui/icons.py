"""Icons from resources/: plain SVGs drawn in currentColor, tinted for the current theme."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app.core.paths import resource_dir
from app.gui import theme

TYPE_ICONS = {"image": "image", "video": "video", "audio": "audio", "document": "document"}


def icon_path(name: str) -> Path:
    return resource_dir() / "icons" / f"{name}.svg"


def app_icon() -> QIcon:
    return QIcon(str(resource_dir() / "atelier.svg"))


@lru_cache(maxsize=512)
def _render(name: str, color: str, size: int) -> QPixmap:
    try:
        svg = icon_path(name).read_text(encoding="utf-8").replace("currentColor", color)
    except OSError:
        svg = ""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    if renderer.isValid():
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
    return pixmap


def pixmap(name: str, size: int, color: QColor | str | None = None, dpr: float = 1.0) -> QPixmap:
    """The icon as a pixmap of size logical pixels (rendered at the screen's ratio)."""
    hex_color = QColor(color).name() if color is not None else theme.current().text
    physical = max(1, round(size * dpr))
    pm = QPixmap(_render(name, hex_color, physical))
    pm.setDevicePixelRatio(dpr)
    return pm


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """A QIcon in the theme's text colour (or the given one), muted when disabled."""
    t = theme.current()
    normal = QColor(color).name() if color is not None else t.text
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        result.addPixmap(_render(name, normal, size), QIcon.Mode.Normal)
        result.addPixmap(_render(name, t.faint, size), QIcon.Mode.Disabled)
    return result


def clear_cache() -> None:
    """After a theme change: colours are part of the cache key, but free the old ones."""
    _render.cache_clear()
