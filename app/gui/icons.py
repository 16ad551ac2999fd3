"""Icons from resources/: plain SVGs drawn in currentColor, tinted for the current theme."""

from __future__ import annotations

import weakref
from functools import lru_cache
from pathlib import Path
from typing import Protocol

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


class _HasIcon(Protocol):
    def setIcon(self, icon: QIcon, /) -> None: ...


# Buttons and actions whose icon follows the theme: (the object, icon name, fixed colour).
_tinted: list[tuple[weakref.ReferenceType[_HasIcon], str, str | None]] = []


def set_icon(target: _HasIcon, name: str, color: str | None = None) -> None:
    """Give a button or action an icon that retint() redraws when the appearance changes."""
    target.setIcon(icon(name, color))
    _tinted[:] = [entry for entry in _tinted if entry[0]() not in (None, target)]
    _tinted.append((weakref.ref(target), name, color))


def retint() -> None:
    """After a light/dark switch: redraw every icon set with set_icon() in the new colours."""
    _render.cache_clear()
    alive = []
    for ref, name, color in _tinted:
        target = ref()
        if target is None:
            continue
        try:
            target.setIcon(icon(name, color))
        except RuntimeError:  # its Qt object is gone
            continue
        alive.append((ref, name, color))
    _tinted[:] = alive
