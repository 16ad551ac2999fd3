"""A lock file that tells a process whether it is the only one with a library folder open."""

from __future__ import annotations

import os
from pathlib import Path

import portalocker
from portalocker.exceptions import AlreadyLocked, LockException

LOCK_NAME = ".atelier.lock"


class OpenersLock:
    """Held shared for as long as a LibraryService is open (released by the OS on a crash).

    Only an opener that can take it exclusively, i.e. the only one, may sweep up what a
    crash left in assets/.incoming and the pending-file journal: with a server, the CLI
    and the window open at once, the files the others are importing are not debris.
    portalocker gives the same shared/exclusive locks on every OS (flock on POSIX,
    LockFileEx through pywin32 on Windows), where fcntl alone left Windows unguarded.
    """

    def __init__(self, data_dir: Path) -> None:
        self._file = (data_dir / LOCK_NAME).open("a+b")
        self._exclusive = False

    def only_opener(self) -> bool:
        """True when no other opener holds the lock (then hold it shared, as every opener does)."""
        try:
            portalocker.lock(self._file, portalocker.LOCK_EX | portalocker.LOCK_NB)
            self._exclusive = True
            return True
        except AlreadyLocked:
            return False
        except LockException:
            return True  # a file system without locks: behave as if alone, as before

    def share(self) -> None:
        try:
            if os.name == "nt" and self._exclusive:
                # Windows cannot turn an exclusive lock into a shared one in place (flock can).
                portalocker.unlock(self._file)
            self._exclusive = False
            portalocker.lock(self._file, portalocker.LOCK_SH)
        except LockException:
            pass  # no locks on this file system; nothing to share

    def close(self) -> None:
        self._file.close()
