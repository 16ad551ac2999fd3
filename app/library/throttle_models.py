"""ORM model of the login throttle: failed logins counted per user name and per address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.library.models import Base


class LoginThrottle(Base):
    """Recent failures of one key ("user:<name>" or "addr:<address>") and how long it is locked.

    A row in the database, not a counter in memory, so every worker process (and every
    server over the same PostgreSQL database) counts the same failures.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
