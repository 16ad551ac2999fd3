"""The window's update notice: shown only for a newer release, with a link, and dismissable."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QMainWindow, QToolButton

from app.client import updates
from app.client.updates import Release
from app.gui import update_notice
from app.gui.tasks import Tasks
from app.gui.update_notice import UpdateNotice
from app.library.service import LibraryService
from tests.packaging.release_server import ReleaseServer, release_server

pytestmark = pytest.mark.gui


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReleaseServer]:
    monkeypatch.delenv(updates.ENV_VAR, raising=False)
    with release_server() as s:
        yield s


@pytest.fixture
def window(qtbot, library: LibraryService) -> Iterator[QMainWindow]:  # type: ignore[no-untyped-def]
    win = QMainWindow()
    win.tasks = Tasks(win)  # type: ignore[attr-defined]
    win.library = library  # type: ignore[attr-defined]
    qtbot.addWidget(win)
    yield win
    win.tasks.wait()  # type: ignore[attr-defined]


def notices(window: QMainWindow) -> list[UpdateNotice]:
    return window.statusBar().findChildren(UpdateNotice)


def test_a_newer_release_shows_a_notice_with_its_link(qtbot, window, server: ReleaseServer) -> None:  # type: ignore[no-untyped-def]
    server.answer(json.dumps({"version": "99.0", "url": "https://example.com/get?a=1&b=2"}))
    window.library.set_setting(updates.SETTING_KEY, server.url)
    update_notice.install(window)
    qtbot.waitUntil(lambda: len(notices(window)) == 1, timeout=10_000)
    notice = notices(window)[0]
    assert "Atelier 99.0 is available" in notice.label.text()
    assert 'href="https://example.com/get?a=1&amp;b=2"' in notice.label.text()
    assert notice.label.openExternalLinks()
    with qtbot.waitSignal(notice.dismissed):
        notice.findChild(QToolButton).click()
    assert notice.isHidden()


def test_no_notice_when_up_to_date(qtbot, window, server: ReleaseServer) -> None:  # type: ignore[no-untyped-def]
    server.answer(json.dumps({"version": "0.0.1", "url": "https://example.com/"}))
    window.library.set_setting(updates.SETTING_KEY, server.url)
    update_notice.install(window)
    qtbot.waitUntil(lambda: server.requests == 1, timeout=10_000)
    assert window.tasks.wait(10_000)
    QApplication.processEvents()  # deliver the result the worker queued for the GUI thread
    assert notices(window) == []


def test_nothing_is_asked_when_no_address_is_configured(qtbot, window, server: ReleaseServer) -> None:  # type: ignore[no-untyped-def]
    update_notice.install(window)
    assert window.tasks.wait(10_000)
    assert server.requests == 0 and notices(window) == []


def test_a_failed_check_stays_quiet(qtbot, window, server: ReleaseServer) -> None:  # type: ignore[no-untyped-def]
    server.answer("down", 503)
    window.library.set_setting(updates.SETTING_KEY, server.url)
    errors: list[object] = []
    window.tasks.task_failed.connect(errors.append)
    update_notice.install(window)
    qtbot.waitUntil(lambda: server.requests == 1, timeout=10_000)
    assert window.tasks.wait(10_000)
    QApplication.processEvents()
    assert notices(window) == [] and errors == []


def test_the_notice_escapes_what_the_document_says(qtbot) -> None:  # type: ignore[no-untyped-def]
    notice = UpdateNotice(Release("2.0", 'https://x.test/"><b>boo</b>', current="1.0"))
    qtbot.addWidget(notice)
    assert "<b>boo</b>" not in notice.label.text()
