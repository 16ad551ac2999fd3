"""A hybrid logical clock: edit times that order edits across machines whose clocks disagree.

A stamp is the text "<wall ms, 13 digits>.<counter, 4 digits>.<node>": stamps compare as
strings in time order, and two machines never make the same stamp (the node breaks ties).
A clock never goes backwards, and after seeing another machine's stamp (observe) every
stamp it makes is later than that one, even when its own wall clock is behind: a machine
whose clock runs ahead can win a conflict only against edits made before the other side
had seen its edit (README "Sync", "Clocks that disagree").
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

STAMP = re.compile(r"^(\d{13})\.(\d{4})\.([0-9a-z]{1,16})$")
MAX_COUNTER = 9999

WallClock = Callable[[], float]  # seconds since the epoch, like time.time


def parse(stamp: str) -> tuple[int, int, str]:
    """(wall ms, counter, node) of a stamp; ValueError for anything else."""
    m = STAMP.match(stamp)
    if m is None:
        raise ValueError(f"Not an edit time: {stamp!r}")
    return int(m.group(1)), int(m.group(2)), m.group(3)


def is_stamp(value: object) -> bool:
    return isinstance(value, str) and STAMP.match(value) is not None


def make(ms: int, counter: int, node: str) -> str:
    return f"{ms:013d}.{counter:04d}.{node}"


def from_datetime(when: datetime, node: str = "0") -> str:
    """The stamp of a moment with no logical part (an import or upload time)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return make(max(0, int(when.timestamp() * 1000)), 0, node)


def to_datetime(stamp: str) -> datetime:
    ms, _, _ = parse(stamp)
    return datetime.fromtimestamp(ms / 1000, UTC)


def latest(stamps: Iterable[str | None]) -> str | None:
    valid = [s for s in stamps if s and is_stamp(s)]
    return max(valid) if valid else None


class HybridClock:
    """Stamps for one node; last is the latest stamp made or seen (kept by the caller)."""

    def __init__(self, node: str, wall: WallClock = time.time, last: str | None = None) -> None:
        if not re.fullmatch(r"[0-9a-z]{1,16}", node):
            raise ValueError(f"Not a clock node name: {node!r}")
        self.node = node
        self.wall = wall
        self._ms, self._counter = (0, 0)
        if last is not None and is_stamp(last):
            self._ms, self._counter, _ = parse(last)

    @property
    def last(self) -> str:
        return make(self._ms, self._counter, self.node)

    def now(self) -> str:
        """A stamp later than every stamp this clock made or observed."""
        wall = int(self.wall() * 1000)
        if wall > self._ms:
            self._ms, self._counter = wall, 0
        elif self._counter < MAX_COUNTER:
            self._counter += 1
        else:  # a thousand edits in one millisecond: borrow the next one
            self._ms, self._counter = self._ms + 1, 0
        return self.last

    def observe(self, stamp: str | None) -> None:
        """Another node's stamp: what this clock makes next is later than it."""
        if not stamp or not is_stamp(stamp):
            return
        ms, counter, _ = parse(stamp)
        if (ms, counter) > (self._ms, self._counter):
            self._ms, self._counter = ms, counter
