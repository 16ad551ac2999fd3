"""The row insertions and removals that turn one window of a query's ids into the next."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Op = tuple[Literal["insert", "remove"], int, int]  # (what, first row, how many), rows as they are then


def window_ops(old: Sequence[str], new: Sequence[str], *, old_open: bool, new_open: bool) -> list[Op] | None:
    """Operations on rows 0.. of a window that make its ids `old` read `new`, top to bottom.

    A window is a run of rows seen through pages of ids, so its end is a boundary: with more
    rows after it (old_open / new_open), ids that left the end shifted past it and ids that
    came in at the end shifted in from past it; neither is a removal or an insertion. None
    when ids kept in both changed their order (a move: the caller reloads instead).
    """
    if list(old) == list(new):
        return []
    old_set, new_set = set(old), set(new)
    kept_old = [i for i in old if i in new_set]
    if kept_old != [i for i in new if i in old_set]:
        return None
    ops: list[Op] = []
    kept, left = 0, len(kept_old)
    i = j = row = 0
    while i < len(old) or j < len(new):
        if i < len(old) and j < len(new) and old[i] == new[j]:
            i, j, row, kept = i + 1, j + 1, row + 1, kept + 1
            continue
        at_end = kept == left  # no kept id follows: this run is at the window's end
        if i < len(old) and old[i] not in new_set:
            k = i
            while k < len(old) and old[k] not in new_set:
                k += 1
            if not (at_end and new_open):
                ops.append(("remove", row, k - i))
            i = k
            continue
        k = j
        while k < len(new) and new[k] not in old_set:
            k += 1
        if not (at_end and old_open):
            ops.append(("insert", row, k - j))
            row += k - j
        j = k
    return ops
