"""Light and dark appearances that follow the OS: a Fusion palette plus a small stylesheet."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.core.paths import resource_dir


@dataclass(frozen=True, slots=True)
class Theme:
    dark: bool
    window: str
    sidebar: str
    panel: str
    raised: str
    text: str
    muted: str
    faint: str
    border: str
    accent: str
    accent_text: str
    tile: str
    hover: str
    badge: str
    danger: str

    def color(self, name: str, alpha: float = 1.0) -> QColor:
        """The named colour as a QColor, made once and shared: callers must not change it."""
        value = getattr(self, name)
        key = (value, alpha)
        c = _COLORS.get(key)
        if c is None:
            c = QColor(value)
            c.setAlphaF(alpha)
            _COLORS[key] = c
        return c


# (hex value, alpha) -> QColor: painting asks for the same few colours thousands of times.
_COLORS: dict[tuple[str, float], QColor] = {}


LIGHT = Theme(
    dark=False,
    window="#F6F6F8",
    sidebar="#EEEEF2",
    panel="#FFFFFF",
    raised="#FFFFFF",
    text="#1C1C21",
    muted="#6C6C76",
    faint="#A5A5AE",
    border="#DEDEE4",
    accent="#5B4CF0",
    accent_text="#FFFFFF",
    tile="#F1F1F5",
    hover="#F3F2FA",
    badge="#16161C",
    danger="#D64545",
)

DARK = Theme(
    dark=True,
    window="#1D1D21",
    sidebar="#18181B",
    panel="#222226",
    raised="#2A2A2F",
    text="#ECECF0",
    muted="#A0A0AA",
    faint="#6A6A74",
    border="#34343A",
    accent="#8478FF",
    accent_text="#FFFFFF",
    tile="#2B2B31",
    hover="#2A2933",
    badge="#0C0C0F",
    danger="#F07070",
)

_current: Theme = LIGHT


def current() -> Theme:
    return _current


def os_prefers_dark() -> bool:
    """ATELIER_APPEARANCE=dark|light overrides; otherwise the OS colour scheme decides."""
    forced = os.environ.get("ATELIER_APPEARANCE", "").strip().lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def _palette(t: Theme) -> QPalette:
    p = QPalette()
    c = QColor
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        p.setColor(group, QPalette.ColorRole.Window, c(t.window))
        p.setColor(group, QPalette.ColorRole.WindowText, c(t.text))
        p.setColor(group, QPalette.ColorRole.Base, c(t.panel))
        p.setColor(group, QPalette.ColorRole.AlternateBase, c(t.tile))
        p.setColor(group, QPalette.ColorRole.Text, c(t.text))
        p.setColor(group, QPalette.ColorRole.Button, c(t.raised))
        p.setColor(group, QPalette.ColorRole.ButtonText, c(t.text))
        p.setColor(group, QPalette.ColorRole.Highlight, c(t.accent))
        p.setColor(group, QPalette.ColorRole.HighlightedText, c(t.accent_text))
        p.setColor(group, QPalette.ColorRole.ToolTipBase, c(t.raised))
        p.setColor(group, QPalette.ColorRole.ToolTipText, c(t.text))
        p.setColor(group, QPalette.ColorRole.PlaceholderText, c(t.faint))
        p.setColor(group, QPalette.ColorRole.Link, c(t.accent))
        p.setColor(group, QPalette.ColorRole.Mid, c(t.border))
        p.setColor(group, QPalette.ColorRole.Midlight, c(t.border))
        p.setColor(group, QPalette.ColorRole.Light, c(t.raised))
        p.setColor(group, QPalette.ColorRole.Dark, c(t.border))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(disabled, role, c(t.faint))
    p.setColor(disabled, QPalette.ColorRole.Base, c(t.window))
    p.setColor(disabled, QPalette.ColorRole.Button, c(t.window))
    return p


def _stylesheet(t: Theme) -> str:
    # Only what the palette cannot say: surfaces, rounded inputs, the pill filters.
    arrow = (resource_dir() / "icons" / f"combo-arrow-{'dark' if t.dark else 'light'}.svg").as_posix()
    return f"""
    QMainWindow, QDialog {{ background: {t.window}; }}
    #Sidebar {{ background: {t.sidebar}; border: none; }}
    #Sidebar QTreeView {{ background: transparent; border: none; outline: none; }}
    #Sidebar QTreeView::branch {{ background: transparent; }}
    #Center, #AssetGrid {{ background: {t.panel}; border: none; }}
    #Details {{ background: {t.window}; border: none; }}
    #FilterBar {{ background: {t.panel}; border-bottom: 1px solid {t.border}; }}
    #SectionTitle {{ color: {t.muted}; font-weight: 600; }}
    #Muted {{ color: {t.muted}; }}
    #Title {{ font-weight: 600; }}
    #DialogHeading {{ font-size: 15px; font-weight: 600; }}
    QSplitter::handle {{ background: {t.border}; }}
    QLineEdit, QComboBox, QSpinBox {{
        background: {t.raised}; border: 1px solid {t.border}; border-radius: 7px;
        padding: 4px 8px; selection-background-color: {t.accent};
    }}
    QLineEdit:focus, QComboBox:focus {{ border: 1px solid {t.accent}; }}
    QComboBox::drop-down {{ border: none; width: 22px; }}
    QComboBox::down-arrow {{ image: url("{arrow}"); width: 12px; height: 12px; }}
    QComboBox::down-arrow:disabled {{ image: none; }}
    QComboBox QAbstractItemView {{
        background: {t.raised}; border: 1px solid {t.border}; selection-background-color: {t.accent};
    }}
    QLineEdit:read-only {{ background: {t.tile}; }}
    #SearchBox {{ border-radius: 14px; padding: 4px 10px; min-width: 180px; }}
    QPushButton {{
        background: {t.raised}; border: 1px solid {t.border}; border-radius: 7px;
        padding: 5px 12px;
    }}
    QPushButton:hover {{ border-color: {t.faint}; }}
    QPushButton:default, QPushButton#Primary {{
        background: {t.accent}; color: {t.accent_text}; border-color: {t.accent};
    }}
    QToolButton {{ border: none; border-radius: 7px; padding: 4px 6px; }}
    QToolButton:hover {{ background: {t.hover}; }}
    QToolButton::menu-indicator {{ image: none; width: 0; }}
    #SyncButton {{ padding-right: 18px; }}
    #SyncButton::menu-button {{ border: none; background: transparent; width: 16px; }}
    #SyncButton::menu-arrow {{ image: url("{arrow}"); width: 10px; height: 10px; }}
    #TypePill {{
        background: transparent; border: 1px solid transparent; border-radius: 13px;
        padding: 4px 11px; color: {t.muted};
    }}
    #TypePill:hover {{ background: {t.hover}; color: {t.text}; }}
    #TypePill:checked {{ background: {t.accent}; color: {t.accent_text}; }}
    #Chip {{
        background: {t.hover}; border: 1px solid {t.border}; border-radius: 11px;
        padding: 3px 10px 3px 6px; color: {t.text};
    }}
    #Chip:hover {{ border-color: {t.faint}; }}
    #Suggestion {{
        background: transparent; border: 1px solid {t.border}; border-radius: 9px;
        padding: 1px 9px; color: {t.muted};
    }}
    #Suggestion:hover {{ border-color: {t.accent}; color: {t.text}; }}
    #ImportBar {{ background: {t.raised}; border-top: 1px solid {t.border}; }}
    QProgressBar {{
        border: none; border-radius: 4px; background: {t.tile}; max-height: 8px;
        text-align: center;
    }}
    QProgressBar::chunk {{ background: {t.accent}; border-radius: 4px; }}
    QStatusBar {{ background: {t.window}; color: {t.muted}; }}
    QMenu {{ background: {t.raised}; border: 1px solid {t.border}; padding: 4px; }}
    QMenu::item {{ padding: 5px 22px 5px 10px; border-radius: 5px; }}
    QMenu::item:selected {{ background: {t.accent}; color: {t.accent_text}; }}
    QMenu::separator {{ height: 1px; background: {t.border}; margin: 4px 6px; }}
    QSlider::groove:horizontal {{ height: 4px; background: {t.border}; border-radius: 2px; }}
    QSlider::handle:horizontal {{
        background: {t.raised}; border: 1px solid {t.faint}; width: 14px; height: 14px;
        margin: -6px 0; border-radius: 7px;
    }}
    QSlider::sub-page:horizontal {{ background: {t.accent}; border-radius: 2px; }}
    QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px; }}
    QScrollBar::handle:vertical {{ background: {t.faint}; border-radius: 3px; min-height: 32px; }}
    QScrollBar::handle:vertical:hover {{ background: {t.muted}; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ height: 0; width: 0; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
    QHeaderView::section {{
        background: {t.window}; color: {t.muted}; border: none;
        border-bottom: 1px solid {t.border}; padding: 4px 6px;
    }}
    QTreeWidget {{ background: {t.panel}; border: 1px solid {t.border}; border-radius: 8px; }}
    #ReportTable {{ background: {t.panel}; border: 1px solid {t.border}; border-radius: 8px; }}
    #ReportTable::item {{ padding: 6px 8px; border-bottom: 1px solid {t.border}; }}
    """


def apply(app: QApplication, dark: bool | None = None) -> Theme:
    """Style the whole application; dark=None asks the OS."""
    global _current
    _current = DARK if (os_prefers_dark() if dark is None else dark) else LIGHT
    app.setStyle("Fusion")
    app.setPalette(_palette(_current))
    app.setStyleSheet(_stylesheet(_current))
    return _current
