"""`atelier --self-test` from source: the whole check passes, and each kind of problem fails it."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.selftest_cmds import CheckFailed, SelfTest

ROOT = Path(__file__).resolve().parents[2]


def test_self_test_passes_from_source(tmp_path: Path) -> None:
    untouched = tmp_path / "user-library"
    env = dict(os.environ, ATELIER_DATA_DIR=str(untouched), PYTHONPATH=str(ROOT))
    env.pop("QT_QPA_PLATFORM", None)  # the self-test must pick offscreen itself
    result = subprocess.run(
        [sys.executable, "-m", "app", "--self-test"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for step in ("environment", "media", "import", "window", "server", "log"):
        assert any(line.split()[:2] == ["PASS", step] for line in lines), result.stdout
    assert lines[-1].startswith("PASS: Atelier works (6 of 6 checks passed")
    assert not untouched.exists(), "the self-test must not open the user's library"


def run_steps(tmp_path: Path, *steps: tuple[str, object]) -> tuple[bool, SelfTest, str]:
    out = io.StringIO()
    test = SelfTest(tmp_path, out=out, steps=list(steps))  # type: ignore[arg-type]
    return test.run(), test, out.getvalue()


def test_a_failed_step_fails_the_run_and_skips_the_rest(tmp_path: Path) -> None:
    def broken() -> str:
        raise CheckFailed("ffmpeg was not found (ffmpeg)")

    ok, test, out = run_steps(tmp_path, ("first", lambda: "fine"), ("broken", broken), ("after", lambda: "never"))
    assert not ok
    assert [(o.name, o.status) for o in test.outcomes] == [
        ("first", "PASS"), ("broken", "FAIL"), ("after", "SKIP"), ("log", "PASS"),
    ]  # fmt: skip
    assert "  FAIL  broken       ffmpeg was not found (ffmpeg)" in out
    assert out.splitlines()[-1].startswith("FAIL: 2 of 4 checks did not pass")


def test_an_unexpected_exception_is_named_in_one_line(tmp_path: Path) -> None:
    def crash() -> str:
        raise KeyError("thumbnail")

    ok, test, _ = run_steps(tmp_path, ("crash", crash))
    assert not ok and test.outcomes[0].detail == "KeyError: 'thumbnail'"


def test_a_logged_warning_fails_the_run(tmp_path: Path) -> None:
    def noisy() -> str:
        logging.getLogger("atelier.test").warning("the disk is nearly full")
        return "done"

    ok, test, out = run_steps(tmp_path, ("noisy", noisy))
    assert not ok
    assert test.outcomes[-1].status == "FAIL"
    assert "WARNING atelier.test: the disk is nearly full" in out


def test_a_python_warning_fails_the_run(tmp_path: Path) -> None:
    import warnings

    def deprecated() -> str:
        warnings.warn("this call goes away", UserWarning, stacklevel=1)
        return "done"

    ok, _, out = run_steps(tmp_path, ("deprecated", deprecated))
    assert not ok and "this call goes away" in out


@pytest.mark.gui
def test_qt_warnings_fail_the_run_but_headless_notes_do_not(tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    from app.gui.smoke import route_qt_messages

    previous = route_qt_messages()
    try:
        ok, _, out = run_steps(
            tmp_path, ("headless", lambda: qWarning("This plugin does not support propagateSizeHints()") or "ok")
        )
        assert ok, out
        ok, _, out = run_steps(tmp_path, ("plugin", lambda: qWarning("Could not load the Qt platform plugin") or "ok"))
        assert not ok and "WARNING atelier.qt: [default] Could not load the Qt platform plugin" in out
    finally:
        qInstallMessageHandler(previous)  # type: ignore[arg-type]


def test_an_exception_in_a_thread_fails_the_run(tmp_path: Path) -> None:
    import threading

    def background_crash() -> str:
        worker = threading.Thread(target=lambda: 1 / 0)
        worker.start()
        worker.join()
        return "the step itself went fine"

    ok, test, out = run_steps(tmp_path, ("thread", background_crash))
    assert not ok and test.outcomes[0].status == "PASS"
    assert "ERROR atelier.self-test: unhandled ZeroDivisionError: division by zero" in out


def test_a_server_that_dies_is_reported_by_its_exception(tmp_path: Path) -> None:
    from app.cli.selftest_cmds import ServerProcess

    server = ServerProcess(tmp_path, tmp_path / "server.log")
    server.lines = [
        "Traceback (most recent call last):",
        '  File "app/server/docs.py", line 15, in install',
        "RuntimeError: Directory '/x/swagger_ui_bundle/vendor' does not exist",
        "[PYI-12988:ERROR] Failed to execute script 'entry' due to unhandled exception!",
    ]
    assert server.reason() == "RuntimeError: Directory '/x/swagger_ui_bundle/vendor' does not exist"
    assert server.bad_lines() == ["Traceback (most recent call last):"]
    server.lines = []
    assert server.reason() == "no output"
