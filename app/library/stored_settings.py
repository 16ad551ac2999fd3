"""The library's own settings: key/value rows in the database (the settings table)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.library.models import Setting


def get(s: Session, key: str, default: str | None) -> str | None:
    row = s.get(Setting, key)
    return row.value if row else default


def put(s: Session, key: str, value: str | None) -> None:
    """Set key to value; None removes it."""
    row = s.get(Setting, key)
    if value is None:
        if row is not None:
            s.delete(row)
    elif row is None:
        s.add(Setting(key=key, value=value))
    else:
        row.value = value
