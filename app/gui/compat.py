"""A guard against PySide6 6.12.0's reference-counting bug on Python 3.11."""

from __future__ import annotations

import ctypes
import sys

import PySide6

# PySide6 6.12.0 hands Py_None back to Python without a new reference from every call that
# returns nothing (w.update(), painter.setPen(), ...) and from every invalid QVariant. Python
# 3.12 made None, True and False immortal, so there it is harmless; on 3.11 None's count
# falls by one per call and the interpreter aborts ("deallocating None") after a few
# thousand. Giving these singletons a count no program can use up makes 3.11 behave like
# 3.12. 6.11 and earlier are not affected.
_HEADROOM = 1 << 40


def needs_guard(version: str = PySide6.__version__, python: tuple[int, int] = sys.version_info[:2]) -> bool:
    return python < (3, 12) and version.startswith("6.12.")


def guard_singleton_refcounts() -> bool:
    """Apply the guard where it is needed; True if it was applied."""
    if not needs_guard() or sys.implementation.name != "cpython":
        return False
    for singleton in (None, True, False):
        # In CPython an object's address is its PyObject header; ob_refcnt comes first.
        count = ctypes.c_ssize_t.from_address(id(singleton))
        if count.value < _HEADROOM:
            count.value += _HEADROOM
    return True
