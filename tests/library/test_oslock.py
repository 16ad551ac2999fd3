"""The openers lock across real processes: shared holders see each other, a lone opener is alone.

The installers workflow runs this file on Linux, macOS and Windows (the fcntl-only lock
counted every Windows opener as the only one, so each swept the others' imports).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.library.oslock import LOCK_NAME, OpenersLock

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys
from pathlib import Path
from app.library.oslock import OpenersLock
lock = OpenersLock(Path(sys.argv[1]))
alone = lock.only_opener()
lock.share()
print("alone" if alone else "shared", flush=True)
sys.stdin.readline()
lock.close()
"""


@contextmanager
def holder(folder: Path) -> Iterator[str]:
    """Another process that opens the folder as a LibraryService does and keeps it open."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)], cwd=ROOT, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.stdin.close()
        process.wait(30)


def alone_here(folder: Path) -> bool:
    lock = OpenersLock(folder)
    try:
        return lock.only_opener()
    finally:
        lock.close()


def test_a_shared_holder_in_another_process_keeps_others_from_the_sweep(tmp_path: Path) -> None:
    assert alone_here(tmp_path)
    with holder(tmp_path) as first:
        assert first == "alone"
        assert not alone_here(tmp_path)
        with holder(tmp_path) as second:
            assert second == "shared"  # two shared holders at once
            assert not alone_here(tmp_path)
        assert not alone_here(tmp_path)
    assert alone_here(tmp_path)  # released when the process closed it
    assert (tmp_path / LOCK_NAME).exists()


def test_a_holder_here_is_seen_by_another_process(tmp_path: Path) -> None:
    lock = OpenersLock(tmp_path)
    try:
        assert lock.only_opener()
        lock.share()
        with holder(tmp_path) as other:
            assert other == "shared"
    finally:
        lock.close()
    with holder(tmp_path) as other:
        assert other == "alone"
