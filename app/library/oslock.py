"""A lock file that tells a process whether it is the only one with a library folder open."""

from __future__ import annotations

from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; every opener counts as the only one
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".atelier.lock"


class OpenersLock:
    """Held shared for as long as a LibraryService is open (released by the OS on a crash).

    Only an opener that can take it exclusively, i.e. the only one, may sweep up what a
    crash left in assets/.incoming and the pending-file journal: with a server, the CLI
    and the window open at once, the files the others are importing are not debris.
    """

    def __init__(self, data_dir: Path) -> None:
        self._file = (data_dir / LOCK_NAME).open("a+b")

    def only_opener(self) -> bool:
        """True when no other opener holds the lock (then hold it shared, as every opener does)."""
        if fcntl is None:
            return True
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        except OSError:
            return True  # a file system without locks: behave as if alone, as before

    def share(self) -> None:
        if fcntl is not None:
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_SH)
            except OSError:
                pass  # no locks on this file system; nothing to share

    def close(self) -> None:
        self._file.close()
