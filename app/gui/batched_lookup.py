"""Per-tile facts read in batches off the GUI thread: the shared base of the tile badges."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any


class BatchedLookup:
    """tasks (the window's Tasks) and changed (a repaint) let tiles painted before their batch
    was prepared, such as the first screen's, get their facts from one background query.
    Subclasses define load(ids), which reads the facts of these assets on any thread."""

    def __init__(self, tasks: Any = None, changed: Callable[[], None] | None = None) -> None:
        self.tasks = tasks
        self.changed = changed
        self._lock = threading.Lock()
        self._missing: set[str] = set()
        self._asking = False

    def load(self, asset_ids: Iterable[str]) -> None:
        raise NotImplementedError

    def _ask(self, asset_id: str | None) -> None:
        """Queue asset_id; one background load at a time takes everything queued so far."""
        if asset_id is not None:
            self._missing.add(asset_id)
        if self._asking or self.tasks is None or not self._missing:
            return
        self._asking = True
        batch, self._missing = set(self._missing), set()

        def done(_result: object = None) -> None:
            self._asking = False
            if self.changed is not None:
                self.changed()
            self._ask(None)  # tiles painted meanwhile

        self.tasks.run(lambda: self.load(batch), done, done)
