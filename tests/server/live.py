"""A real asset server in a subprocess (`python -m app ... serve`), for any test that needs one."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.library.service import LibraryService

REPO_ROOT = Path(__file__).resolve().parents[2]
_SERVING = re.compile(r"Serving on (http://\S+)")


@dataclass
class LiveServer:
    """A running server: its base URL, and a LibraryService on the same library for set-up."""

    base_url: str
    library: LibraryService
    process: subprocess.Popen[str]
    log: list[str]

    def user(self, name: str, password: str | None = None) -> str:
        """Create a user (password optional) and return a fresh Bearer token for it."""
        return make_user(self.library, name, password)

    def output(self) -> str:
        return "".join(self.log)


def make_user(library: LibraryService, name: str, password: str | None = None) -> str:
    library.create_user(name, password)
    return library.create_token(name)


def _pump(stream, lines: queue.Queue[str], log: list[str]) -> None:  # type: ignore[no-untyped-def]
    for line in stream:
        log.append(line)
        lines.put(line)


def _wait_until_up(base_url: str, process: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/api/v2/server-info", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"The server at {base_url} did not come up")
        time.sleep(0.05)


@contextmanager
def live_server(
    data_dir: Path,
    db_url: str | None = None,
    *,
    public_url: str | None = None,
    max_size_mb: float | None = None,
    workers: int = 1,
    extra_args: tuple[str, ...] = (),
    timeout: float = 60.0,
) -> Iterator[LiveServer]:
    """Start `python -m app --data-dir DIR serve --port 0` and stop it on exit.

    The library is opened (and migrated) here first, so the server only finds it ready.
    """
    data_dir = Path(data_dir)
    library = LibraryService(data_dir, db_url)
    args = [sys.executable, "-m", "app", "--data-dir", str(data_dir)]
    if db_url:
        args += ["--db-url", db_url]
    if max_size_mb is not None:
        args += ["--max-size-mb", str(max_size_mb)]
    args += ["serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "warning"]
    if public_url:
        args += ["--public-url", public_url]
    if workers != 1:
        args += ["--workers", str(workers)]
    args += list(extra_args)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ATELIER_DATA_DIR", None)
    process = subprocess.Popen(
        args,
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log: list[str] = []
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(process.stdout, lines, log), daemon=True)
    reader.start()
    try:
        base_url = None
        deadline = time.monotonic() + timeout
        while base_url is None:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                line = ""
            if (match := _SERVING.search(line)) is not None:
                base_url = match.group(1)
            elif process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("The server did not start:\n" + "".join(log))
        _wait_until_up(base_url, process, timeout)
        yield LiveServer(base_url, library, process, log)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        reader.join(timeout=5)
        library.close()
