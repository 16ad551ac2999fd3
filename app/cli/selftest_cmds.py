"""`atelier --self-test`: import, draw, serve and log check a throwaway library; PASS or FAIL.

Installers run it after building (the frozen program checks that it carries everything
it needs) and the test suite runs it from source. It never touches the user's library.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from app import __app_name__, __version__
from app.cli.selftest_media import Media, make_all

SERVER_START_TIMEOUT = 90.0
WINDOW_TIMEOUT = 90.0
MAX_DETAIL = 300
_SERVING = re.compile(r"Serving on (http://\S+)")
_EXCEPTION_LINE = re.compile(r"^[\w.]*(Error|Exception|Exit)\b.*:")
_BAD_SERVER_LINE = re.compile(r"^(WARNING|ERROR|CRITICAL)\b|Traceback \(most recent call last\)")


class CheckFailed(Exception):
    """A step found something wrong; str() is the one line the summary shows."""


@dataclass(slots=True)
class Outcome:
    name: str
    status: str  # PASS, FAIL or SKIP
    detail: str


class LogRecorder(logging.Handler):
    """Keeps every WARNING or worse that reaches logging (Qt's messages are routed there too)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = f"{record.levelname} {record.name}: {record.getMessage()}"
        except Exception:  # a bad format string is still a warning worth seeing
            line = f"{record.levelname} {record.name}: {record.msg!r}"
        with self._guard:
            self.lines.append(line)


@dataclass
class SelfTest:
    """The steps, run in order in a work folder; a failed step skips the ones after it."""

    work: Path
    out: TextIO = field(default_factory=lambda: sys.stdout)
    steps: list[tuple[str, Callable[[], str]]] | None = None
    recorder: LogRecorder = field(default_factory=LogRecorder)
    media: Media | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    browser: str | None = None  # ATELIER_CHROMIUM, from the run's settings

    def default_steps(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("environment", self.check_environment),
            ("media", self.make_media),
            ("import", self.check_import),
            ("window", self.check_window),
            ("server", self.check_server),
        ]

    def run(self) -> bool:
        started = time.monotonic()
        root = logging.getLogger()
        root.addHandler(self.recorder)
        logging.captureWarnings(True)
        # An exception in a Qt slot or a worker thread is printed and survived; here it counts.
        hooks = sys.excepthook, threading.excepthook
        sys.excepthook = _log_unhandled
        threading.excepthook = lambda hook: _log_unhandled(hook.exc_type, hook.exc_value, hook.exc_traceback)
        if _frozen():
            where = f"frozen bundle in {Path(sys.executable).parent}"
        else:
            where = f"source, Python {sys.version.split()[0]}"
        self._say(f"{__app_name__} {__version__} self-test ({where})")
        try:
            failed = False
            for name, step in self.steps or self.default_steps():
                if failed:
                    self._record(Outcome(name, "SKIP", "not run after the failure above"))
                    continue
                try:
                    self._record(Outcome(name, "PASS", step()))
                except Exception as exc:  # every failure becomes one line of the summary
                    failed = True
                    self._record(Outcome(name, "FAIL", _one_line(exc)))
            self._record(self.check_log())
        finally:
            sys.excepthook, threading.excepthook = hooks
            logging.captureWarnings(False)
            root.removeHandler(self.recorder)
        passed = sum(o.status == "PASS" for o in self.outcomes)
        total = len(self.outcomes)
        elapsed = time.monotonic() - started
        if passed == total:
            self._say(f"PASS: {__app_name__} works ({passed} of {total} checks passed in {elapsed:.1f} s)")
            return True
        self._say(f"FAIL: {total - passed} of {total} checks did not pass ({elapsed:.1f} s)")
        return False

    def _record(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self._say(f"  {outcome.status:<4}  {outcome.name:<12} {outcome.detail}")

    def _say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    # --- steps -------------------------------------------------------------------------

    def check_environment(self) -> str:
        from app.cli.main import COMMAND_MODULES
        from app.core import avtools, bundled

        for name in COMMAND_MODULES:
            importlib.import_module(name)  # main() skips one that fails; here it is an error
        tools = {"ffmpeg": avtools.FFMPEG, "ffprobe": avtools.FFPROBE}
        root = bundled.bundle_root()
        for name, path in tools.items():
            if root is not None and not Path(path).is_relative_to(root):
                raise CheckFailed(f"{name} is not taken from the bundle but from {path}")
            if shutil.which(path) is None:
                raise CheckFailed(f"{name} was not found ({path})")
        database = None
        if root is not None:
            database = bundled.magic_database()
            if database is None or os.environ.get(bundled.MAGIC_ENV) != str(database):
                raise CheckFailed("the bundled libmagic database is missing or not in use")
        import magic

        mime = magic.from_buffer(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", mime=True)
        if mime != "application/pdf":
            raise CheckFailed(f"libmagic calls a PDF {mime!r}")
        found = ", ".join(f"{name} {path}" for name, path in tools.items())
        return f"{found}; magic database {database or 'of the system'}; {len(COMMAND_MODULES)} command modules"

    def make_media(self) -> str:
        self.media = make_all(self.work / "media")
        return "made " + ", ".join(p.name for p in (*self.media.imported, self.media.upload))

    def check_import(self) -> str:
        from app.library.service import LibraryService

        media = self._media()
        with LibraryService(self.library_dir, workers=2) as lib:
            report = lib.import_paths(media.imported)
            if report.rejected:
                reasons = "; ".join(f"{r.path.name}: {r.reason}" for r in report.rejected)
                raise CheckFailed(f"rejected {reasons}")
            records = {r.asset_type: r for r in report.imported}
            if sorted(records) != ["audio", "document", "image", "video"]:
                raise CheckFailed(f"imported {sorted(records)} instead of one asset of each type")
            without = [r.name for r in records.values() if not lib.thumb_path(r).is_file()]
            if without:
                raise CheckFailed(f"no thumbnail for {', '.join(without)}")
        image, video, audio, doc = (records[t] for t in ("image", "video", "audio", "document"))
        facts = {
            "image size": (image.width, image.height) == (640, 480),
            "video size": (video.width, video.height) == (320, 240),
            "video length": video.duration == 2,
            "audio length": audio.duration == 2,
            "page count": doc.page_count == 2,
        }
        wrong = [name for name, ok in facts.items() if not ok]
        if wrong:
            raise CheckFailed(f"wrong metadata: {', '.join(wrong)}")
        return (
            f"4 files imported with their metadata and thumbnails (image {image.width}x{image.height}, "
            f"video {video.duration} s, audio {audio.duration} s, PDF {doc.page_count} pages)"
        )

    def check_window(self) -> str:
        from app.gui.smoke import render_window

        report = render_window(self.library_dir, 4, self.work / "window.png", timeout=WINDOW_TIMEOUT)
        if report.colors < 16:
            raise CheckFailed(f"the window drew almost nothing ({report.colors} colours)")
        return f"the window showed {report.rows} assets and drew {report.thumbnails} thumbnails offscreen"

    def check_server(self) -> str:
        from app.client import ApiClient
        from app.library.service import LOCAL_USER, LibraryService

        media = self._media()
        with LibraryService(self.library_dir) as lib:
            token = lib.create_token(LOCAL_USER, label="self-test")
        with ServerProcess(self.library_dir, self.work / "server.log") as server:
            with ApiClient(server.url, token) as client:
                info = client.server_info()
                if info is None or info.version != __version__:
                    raise CheckFailed(f"the server at {server.url} is not this {__app_name__}")
                asset = client.upload(media.upload, content_type="image/png")
                with client.download(asset.id) as download:
                    digest = hashlib.sha256(b"".join(download.chunks())).hexdigest()
                if digest != _sha256(media.upload):
                    raise CheckFailed("the downloaded file differs from the uploaded one")
                with client.download(asset.id, thumbnail=True) as thumb:
                    size = len(b"".join(thumb.chunks()))
                    if size == 0 or not thumb.content_type.startswith("image/jpeg"):
                        raise CheckFailed(f"the thumbnail download is {thumb.content_type!r}, {size} bytes")
                count = sum(1 for _ in client.iter_assets())
                if count != 5:
                    raise CheckFailed(f"the server lists {count} assets instead of 5")
            docs = _check_docs_page(server.url, self.browser)
        problems = server.bad_lines()
        if problems:
            raise CheckFailed(f"the server logged: {problems[0]}")
        return (
            f"`serve` answered at {server.url}: uploaded {media.upload.name}, downloaded it and its "
            f"thumbnail; {docs}"
        )

    def check_log(self) -> Outcome:
        lines = self.recorder.lines
        if not lines:
            notes = _headless_notes()
            aside = f" ({notes} note(s) that this machine has no display, sound or session)" if notes else ""
            return Outcome("log", "PASS", f"no warnings or errors were logged{aside}")
        shown = "; ".join(line[:MAX_DETAIL] for line in lines[:5])
        shown += f" (and {len(lines) - 5} more)" if len(lines) > 5 else ""
        return Outcome("log", "FAIL", f"{len(lines)} warning(s)/error(s): {shown}")

    # --- helpers -----------------------------------------------------------------------

    @property
    def library_dir(self) -> Path:
        return self.work / "library"

    def _media(self) -> Media:
        if self.media is None:
            raise CheckFailed("no media were made")
        return self.media


class ServerProcess:
    """`atelier serve` as the window starts it: a child of this same program, on a free port."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.url = ""
        self.lines: list[str] = []
        self._ready = threading.Event()
        self._process: subprocess.Popen[str] | None = None

    def command(self) -> list[str]:
        program = [sys.executable] if _frozen() else [sys.executable, "-m", "app"]
        return [*program, "--data-dir", str(self.data_dir), "serve", "--host", "127.0.0.1", "--port", "0"]

    def __enter__(self) -> ServerProcess:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        if not _frozen():
            source = str(Path(__file__).resolve().parents[2])
            env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
        self._process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
        )
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(SERVER_START_TIMEOUT) or not self.url:
            self._stop()
            raise CheckFailed(f"`serve` did not start: {self.reason()}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _read(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            self.lines.append(line.rstrip())
            match = _SERVING.search(line)
            if match and not self.url:
                self.url = match.group(1)
                self._ready.set()
        self._ready.set()  # the process ended: stop waiting

    def _stop(self) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()  # SIGTERM on POSIX: uvicorn shuts down gracefully
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        self.log_path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")

    def reason(self) -> str:
        """The most telling line of a failed start: the exception, not the launcher's epitaph."""
        lines = [line for line in self.lines if line.strip() and not line.startswith("[PYI-")]
        errors = [line for line in lines if _EXCEPTION_LINE.match(line)]
        return (errors or lines or ["no output"])[-1].strip()

    def bad_lines(self) -> list[str]:
        return [line for line in self.lines if _BAD_SERVER_LINE.search(line)]


def run_self_test(args: argparse.Namespace | None = None, out: TextIO | None = None) -> int:
    """The --self-test flag: 0 when every check passed, 1 otherwise."""
    from app.cli.context import settings

    browser = settings(args or argparse.Namespace()).chromium
    with _work_folder() as work:
        test = SelfTest(work, out=out or sys.stdout, browser=browser)
        return 0 if test.run() else 1


@contextmanager
def _work_folder() -> Iterator[Path]:
    # Cleanup errors are ignored: on Windows a file the server just closed can linger a moment.
    with tempfile.TemporaryDirectory(prefix="atelier-self-test-", ignore_cleanup_errors=True) as name:
        yield Path(name)


def _check_docs_page(base_url: str, configured: str | None) -> str:
    """/docs as a headless browser renders it (its files only, when no browser is here)."""
    from app.cli.selftest_docs import DocsCheckFailed, check_docs_page, find_browser

    try:
        return check_docs_page(base_url, find_browser(configured))
    except DocsCheckFailed as exc:
        raise CheckFailed(str(exc)) from None


def _headless_notes() -> int:
    smoke = sys.modules.get("app.gui.smoke")
    return len(getattr(smoke, "headless_notes", ()))


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _log_unhandled(kind: type[BaseException] | None, value: BaseException | None, _tb: object) -> None:
    name = kind.__name__ if kind is not None else "exception"
    logging.getLogger("atelier.self-test").error("unhandled %s: %s", name, value)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    line = text if isinstance(exc, CheckFailed) else f"{type(exc).__name__}: {text}"
    return line if len(line) <= MAX_DETAIL else line[: MAX_DETAIL - 1] + "…"
