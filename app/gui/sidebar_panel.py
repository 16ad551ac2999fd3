"""The left column: the app's name, the sidebar tree, and the server switch at the bottom."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.gui import icons, theme
from app.gui.server import ServerState
from app.gui.sidebar import SidebarView


def status_dot(state: ServerState) -> QIcon:
    """A small filled circle: green when serving, amber while starting, grey when off."""
    color = {ServerState.RUNNING: "#2FB36B", ServerState.STARTING: "#E0A030"}.get(state, theme.current().faint)
    pm = QPixmap(32, 32)
    pm.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(QRectF(9, 9, 14, 14))
    painter.end()
    return QIcon(pm)


class SidebarPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.tree = SidebarView()
        brand = QLabel("Atelier")
        font = QFont(brand.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setWeight(QFont.Weight.Bold)
        brand.setFont(font)
        logo = QLabel()
        logo.setPixmap(icons.app_icon().pixmap(22, 22))
        self.new_client_button = QToolButton()
        icons.set_icon(self.new_client_button, "plus")
        self.new_client_button.setToolTip("New client")
        head = QHBoxLayout()
        head.setContentsMargins(14, 14, 10, 6)
        head.addWidget(logo)
        head.addWidget(brand)
        head.addStretch(1)
        head.addWidget(self.new_client_button)

        self.server_button = QToolButton()
        self.server_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.server_button.setToolTip("Start or stop the built-in server")
        foot = QHBoxLayout()
        foot.setContentsMargins(8, 6, 8, 10)
        foot.addWidget(self.server_button)
        foot.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(head)
        layout.addWidget(self.tree, 1)
        layout.addLayout(foot)
        self.show_server_state(ServerState.STOPPED, "")
        self.setMinimumWidth(190)

    def show_server_state(self, state: ServerState, address: str) -> None:
        self.server_button.setIcon(status_dot(state))
        self.server_button.setText(
            {
                ServerState.STOPPED: "Server off",
                ServerState.STARTING: "Starting…",
                ServerState.RUNNING: f"Server on · {address.removeprefix('http://')}",
            }[state]
        )
