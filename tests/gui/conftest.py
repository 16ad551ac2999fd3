"""Window fixtures: a real library of every asset type (built once, copied per test), offscreen Qt."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.gui import theme  # noqa: E402
from app.gui.main_window import MainWindow  # noqa: E402
from app.gui.prompts import Prompts  # noqa: E402
from app.library.service import LibraryService  # noqa: E402
from tests.gui.showcase import Showcase, make_media, showcase_library  # noqa: E402


class ScriptedPrompts(Prompts):
    """Answers every question at once and remembers what was asked."""

    def __init__(self) -> None:
        self.confirm_answer = True
        self.text_answers: list[str | None] = []
        self.files: list[str] = []
        self.asked: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.colour_answer: str | None = None

    def pick_colour(self, parent: QWidget, start: str) -> str | None:
        self.asked.append(("Search by colour", start))
        return self.colour_answer

    def confirm(self, parent: QWidget, title: str, text: str, action: str) -> bool:
        self.asked.append((title, text))
        return self.confirm_answer

    def ask_text(self, parent: QWidget, title: str, label: str, text: str = "") -> str | None:
        self.asked.append((title, label))
        return self.text_answers.pop(0) if self.text_answers else None

    def pick_files(self, parent: QWidget) -> list[str]:
        return self.files

    def pick_folder(self, parent: QWidget) -> str | None:
        return None

    def error(self, parent: QWidget, title: str, text: str) -> None:
        self.errors.append(text)


@pytest.fixture(scope="session", autouse=True)
def _clipboard_released(qapp: object) -> Iterator[None]:
    """As the app does on quit: a copied file list must not outlive the interpreter."""
    yield
    from app.gui.desktop import release_clipboard

    release_clipboard()


@pytest.fixture(scope="session")
def showcase_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_media(tmp_path_factory.mktemp("showcase-media"))


@pytest.fixture(scope="session")
def showcase_template(
    tmp_path_factory: pytest.TempPathFactory, showcase_media: dict[str, Path]
) -> tuple[Path, Showcase]:
    folder = tmp_path_factory.mktemp("showcase") / "library"
    with LibraryService(folder, workers=1) as lib:
        made = showcase_library(lib, showcase_media)
    return folder, made


@pytest.fixture
def showcase(tmp_path: Path, showcase_template: tuple[Path, Showcase]) -> Iterator[tuple[LibraryService, Showcase]]:
    """A fresh copy of the showcase library for one test."""
    folder, made = showcase_template
    copy = tmp_path / "library"
    shutil.copytree(folder, copy)
    lib = LibraryService(copy, workers=1)
    try:
        yield lib, made
    finally:
        lib.close()


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "atelier-gui.ini"), QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def shot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = os.environ.get("ATELIER_SCREENSHOT_DIR")
    path = Path(env) if env else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def make_window(qtbot, settings: QSettings, prompts: ScriptedPrompts) -> Iterator[Callable[..., MainWindow]]:  # type: ignore[no-untyped-def]
    """Open a MainWindow on a library and wait until its grid and sidebar are filled in."""
    windows: list[MainWindow] = []

    def make(lib: LibraryService, *, dark: bool = False, size: tuple[int, int] = (1360, 840)) -> MainWindow:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        theme.apply(app, dark=dark)
        window = MainWindow(lib, settings=settings, prompts=prompts)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitUntil(lambda: window.model.loaded and window.sidebar_loaded, timeout=10_000)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def grid_names(window: MainWindow) -> list[str]:
    """Names of every asset in the grid, in order (rows load in the background; callers wait)."""
    model = window.model
    records = [model.record(row) for row in range(model.rowCount())]
    if any(r is None for r in records):
        raise AssertionError("rows still loading")
    return [r.name for r in records if r is not None]


def wait_for_names(qtbot, window: MainWindow, expected: set[str] | list[str], timeout: int = 10_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until the grid shows exactly these assets."""

    def check() -> None:
        names = grid_names(window)
        if isinstance(expected, list):
            assert names == expected
        else:
            assert set(names) == expected and len(names) == len(expected)

    qtbot.waitUntil(check, timeout=timeout)


def has_ink(widget: QWidget, darker_than: int = 90) -> bool:
    """True once something dark is drawn in the widget (a rendered PDF page, a video frame)."""
    image = widget.grab().toImage()
    step = max(1, min(image.width(), image.height()) // 60)
    return any(
        image.pixelColor(x, y).lightness() < darker_than
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
    )
