"""Build time: the app icon rendered from resources/atelier.svg at the sizes each OS wants."""

from __future__ import annotations

from pathlib import Path

# freedesktop's hicolor theme sizes; 1024 feeds the macOS .icns and the Windows .ico.
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def render_pngs(svg: Path, dest: Path, sizes: tuple[int, ...] = (*HICOLOR_SIZES, 1024)) -> dict[int, Path]:
    """atelier-<size>.png for each size, drawn by Qt's SVG renderer (no display needed)."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    dest.mkdir(parents=True, exist_ok=True)
    written = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        path = dest / f"atelier-{size}.png"
        if not image.save(str(path), "PNG"):
            raise OSError(f"Could not write {path}")
        written[size] = path
    return written


def write_ico(png: Path, dest: Path) -> Path:
    """A multi-size .ico for the Windows installer (Pillow scales the large PNG down)."""
    from PIL import Image

    with Image.open(png) as image:
        image.save(dest, format="ICO", sizes=ICO_SIZES)
    return dest
