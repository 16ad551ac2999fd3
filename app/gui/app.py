"""run_gui: open the library and show the window (or say in one line why there is no window)."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.settings import AtelierSettings

NO_DISPLAY = (
    "atelier: no display found; run `atelier serve` for the server or `atelier --help` "
    "for the command line"
)


def has_display() -> bool:
    """False on a Linux/BSD box with no X11 or Wayland (unless a Qt platform is forced)."""
    if sys.platform in ("win32", "darwin"):
        return True
    env = os.environ
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("QT_QPA_PLATFORM"))


def run_gui(args: argparse.Namespace, settings: AtelierSettings) -> int:
    """The window over the library args and settings (ATELIER_*, built by the CLI) name."""
    if not has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    # Qt is imported only once we know there is somewhere to draw.
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from app import __app_name__, __version__
    from app.core.formats import DEFAULT_MAX_BYTES
    from app.gui import desktop, icons, logs, single, theme, update_notice
    from app.gui.failures import CrashHandler, open_library
    from app.gui.main_window import MainWindow
    from app.gui.opener import FileOpener
    from app.library.service import LibraryService

    logs.route_qt_messages()  # before the QApplication, so start-up chatter is caught too
    log_file = logs.setup(settings.logs_dir())
    QCoreApplication.setOrganizationName(__app_name__)
    QCoreApplication.setOrganizationDomain("atelier.app")
    QCoreApplication.setApplicationName(__app_name__)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationDisplayName(__app_name__)
    app.setDesktopFileName("atelier")
    app.setWindowIcon(icons.app_icon())
    theme.apply(app)

    data_dir = settings.library_dir(getattr(args, "data_dir", None))
    paths = [Path(p).expanduser().absolute() for p in getattr(args, "open_paths", None) or []]
    # One window per library: a later launch (an "Open with", `atelier FILE...`) gives the
    # running window its files, which imports them and comes to the front.
    instance = single.server_name(data_dir)
    if single.hand_over(instance, paths):
        return 0
    max_mb = getattr(args, "max_size_mb", None)
    max_bytes = int(max_mb * 1024 * 1024) if max_mb else DEFAULT_MAX_BYTES
    library = open_library(
        data_dir, lambda path: LibraryService(path, getattr(args, "db_url", None), max_bytes=max_bytes)
    )
    if library is None:  # the person chose Quit in the dialog that said why
        return 1
    crashes = CrashHandler(log_file).install()
    # The first page's SQL compiles while the window builds itself, not on its first paint.
    threading.Thread(target=library.warm_up, name="library-warm-up", daemon=True).start()
    try:
        window = MainWindow(library, db_url=getattr(args, "db_url", None))
        opener = FileOpener(window)
        app.installEventFilter(opener)  # macOS hands files over as FileOpen events
        window.show()
        listener = single.InstanceServer(single.server_name(library.data_dir), window)
        listener.files_received.connect(lambda handed: opener.open(handed) if handed else opener.raise_window())
        # Files named on the command line (the desktop's "Open with"): imported once shown.
        if paths:
            opener.open(paths)
        # Only when an update address is configured (ATELIER_UPDATE_URL or the library's).
        update_notice.install(window, address=settings.update_url)
        app.aboutToQuit.connect(desktop.release_clipboard)
        return int(app.exec())
    except Exception as exc:  # the window could not even be built: say so, then exit
        crashes.report(exc, modal=True)
        return 1
    finally:
        crashes.uninstall()
        library.close()
