"""The operating system's side: open with the default app, show in the file manager, copy files."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QMimeData, QProcess, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

FILE_MANAGER_SERVICE = "org.freedesktop.FileManager1"
last_opened_folder: Path | None = None  # what the fallback opened (the tests read it)


def open_with_default_app(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def show_in_file_manager(path: Path) -> bool:
    """Reveal the file selected where the platform can; otherwise open its folder."""
    if sys.platform == "darwin":
        return QProcess.startDetached("open", ["-R", str(path)])[0]
    if sys.platform == "win32":
        return QProcess.startDetached("explorer.exe", [f"/select,{path}"])[0]
    if not has_file_manager_service():
        # No FileManager1 on the session bus (a bare window manager, no D-Bus at all):
        # dbus-send would "succeed" and nothing would open, so open the folder instead.
        return open_folder(path.parent)
    # freedesktop file managers (Nautilus, Dolphin, Nemo, ...) implement FileManager1.ShowItems.
    uri = QUrl.fromLocalFile(str(path)).toString()
    started = QProcess.startDetached(
        "dbus-send",
        [
            "--session",
            "--dest=org.freedesktop.FileManager1",
            "--type=method_call",
            "/org/freedesktop/FileManager1",
            "org.freedesktop.FileManager1.ShowItems",
            f"array:string:{uri}",
            "string:",
        ],
    )[0]
    return started or open_folder(path.parent)


def has_file_manager_service() -> bool:
    """True when a file manager answers org.freedesktop.FileManager1 on the session bus."""
    try:
        from PySide6.QtDBus import QDBusConnection
    except ImportError:
        return False
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    interface = bus.interface()
    if interface is None:
        return False
    try:
        reply = interface.isServiceRegistered(FILE_MANAGER_SERVICE)
        if reply.isValid() and bool(reply.value()):
            return True
        # Activatable but not running yet (a file manager started on demand) counts too.
        names = interface.activatableServiceNames()
        return bool(names.isValid() and FILE_MANAGER_SERVICE in (names.value() or []))
    except (AttributeError, TypeError):  # an older binding without these calls
        return False


def open_folder(folder: Path) -> bool:
    """xdg-open (through Qt) on the folder; the file itself cannot be selected this way."""
    global last_opened_folder
    last_opened_folder = folder
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def copy_files(paths: list[Path]) -> QMimeData:
    """Put the files on the clipboard, so a file manager or mail app can paste them."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    mime.setText("\n".join(str(p) for p in paths))
    # GNOME file managers paste files from this format, not from text/uri-list.
    gnome = "copy\n" + "\n".join(QUrl.fromLocalFile(str(p)).toString() for p in paths)
    mime.setData("x-special/gnome-copied-files", gnome.encode("utf-8"))
    QGuiApplication.clipboard().setMimeData(mime)
    return mime


def release_clipboard() -> None:
    """Before quitting, swap our file list on the clipboard for Qt-owned plain text.

    A QMimeData made from Python must not outlive the interpreter: the platform clipboard
    deletes it at process exit, after Python is gone, and the process crashes. The paths
    stay pasteable as text.
    """
    clipboard = QGuiApplication.clipboard()
    data = clipboard.mimeData()
    if data is not None and data.hasFormat("x-special/gnome-copied-files"):
        clipboard.setText(data.text())
