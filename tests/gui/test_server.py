"""The built-in server started and stopped from the window: a real `atelier serve` child process."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from app.cli.main import build_parser
from app.gui.server import ServerState
from tests.gui.showcase import PLAN

pytestmark = pytest.mark.gui


def has_serve_command() -> bool:
    actions = [a for a in build_parser()._actions if a.dest == "command"]
    return bool(actions) and "serve" in actions[0].choices  # type: ignore[operator]


def get(url: str, token: str | None = None) -> tuple[int, object]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


@pytest.mark.skipif(not has_serve_command(), reason="`atelier serve` is not part of this build")
def test_server_starts_with_a_working_token_and_stops(qtbot, showcase, make_window, shot_dir) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    window.commands.show_server_dialog()
    dialog = window.commands.server_dialog
    assert dialog is not None and not dialog.isModal()

    with qtbot.waitSignal(window.server.server_started, timeout=60_000) as started:
        dialog.toggle.click()
        assert window.server.state is ServerState.STARTING
    address, token = started.args
    assert address.startswith("http://127.0.0.1:")
    assert dialog.address.text() == address and dialog.token.text() == token
    assert window.server_button.text().startswith("Server on")
    dialog.grab().save(str(shot_dir / "server.png"))

    status, info = get(f"{address}/api/v2/server-info")
    assert status == 200 and info["name"] == "Atelier"  # type: ignore[index]
    status, assets = get(f"{address}/api/v2/assets", token)
    assert status == 200 and len(assets) == len(PLAN)  # type: ignore[arg-type]

    with qtbot.waitSignal(window.server.server_stopped, timeout=15_000):
        dialog.toggle.click()
    assert window.server.state is ServerState.STOPPED
    assert window.server_button.text() == "Server off"
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{address}/api/v2/server-info", timeout=2)
    # The window's token lived as long as its server.
    qtbot.waitUntil(lambda: not any(t.label == "window" and t.revoked_at is None for t in _tokens(lib)))


def _tokens(lib):  # type: ignore[no-untyped-def]
    from app.library import auth

    with lib.reading() as s:
        return auth.list_tokens(s, auth.user_by_name(s, "local"))


@pytest.mark.skipif(not has_serve_command(), reason="`atelier serve` is not part of this build")
def test_closing_the_window_stops_the_server(qtbot, showcase, make_window) -> None:  # type: ignore[no-untyped-def]
    lib, _ = showcase
    window = make_window(lib)
    with qtbot.waitSignal(window.server.server_started, timeout=60_000) as started:
        window.server.start()
    address = started.args[0]
    window.close()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"{address}/api/v2/server-info", timeout=2)
