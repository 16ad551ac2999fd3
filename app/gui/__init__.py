"""The desktop window (PySide6): the only package that imports Qt."""

from app.gui.compat import guard_singleton_refcounts

# Before any Qt call: see compat.py (PySide6 6.12.0 on Python 3.11).
guard_singleton_refcounts()
