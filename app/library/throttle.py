"""Login throttling: failures counted per user name and per address in the database.

Each failure is a row update, so every worker process and every server on the same
PostgreSQL database sees the same counts. After `free` failures of a key, each further
one locks the key for a time that doubles (lockout, 2 x lockout, ... up to max_lockout);
failures are forgotten `window` seconds after the last one. While a key is locked, no
password is even checked for it.

Share link passwords use the same rows through take_attempt: an attempt is taken (counted)
under the row lock before the password is checked and given back when it was right, so a
burst of parallel guesses can never check more than the free ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.library.repository import as_utc
from app.library.throttle_models import LoginThrottle


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures are free per user name and per address, and how the lockout grows."""

    user_attempts: int = 5
    address_attempts: int = 20
    lockout: float = 2.0
    max_lockout: float = 900.0
    window: float = 900.0

    def __post_init__(self) -> None:
        if self.user_attempts < 1 or self.address_attempts < 1:
            raise ValueError("The number of free login attempts must be at least 1")
        if not 0 < self.lockout <= self.max_lockout or self.window <= 0:
            raise ValueError("Login lockouts and window must be positive (lockout <= maximum)")


def user_key(username: str) -> str:
    # Hashed: any text fits the column, control characters and all.
    return "user:" + hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def address_key(address: str) -> str:
    return "addr:" + address[:200]


def retry_after(session: Session, keys: list[str], now: datetime) -> float:
    """Seconds until the most locked of keys is unlocked (0: none is locked)."""
    rows = session.scalars(select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys)))
    waits = [(as_utc(until) - now).total_seconds() for until in rows if until is not None]
    return max([0.0, *waits])


def record_failure(session: Session, keyed: list[tuple[str, int]], policy: LoginPolicy, now: datetime) -> None:
    """Count one failure on each (key, free attempts of that key), locking those past their free ones."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for key, free in keyed:
        session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, last_failure_at=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
        assert row is not None
        if as_utc(row.last_failure_at) < now - timedelta(seconds=policy.window):
            row.failures = 0
            row.locked_until = None
        row.failures += 1
        row.last_failure_at = now
        beyond = row.failures - free
        if beyond >= 0:
            seconds = min(policy.lockout * 2 ** min(beyond, 30), policy.max_lockout)
            row.locked_until = now + timedelta(seconds=seconds)


def clear(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def take_attempt(session: Session, keys: list[str], free: int, window: timedelta, now: datetime) -> float:
    """Count one attempt on every key at once, or none: 0.0 if taken, else seconds to wait.

    The rows are locked in key order (no two takers deadlock) and counted under the lock, so
    parallel takers on every worker and server see each other's attempts. A key's attempts
    are forgotten `window` after its last one.
    """
    keys = sorted(set(keys))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for key in keys:
        session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, last_failure_at=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
    rows = session.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key)
        .with_for_update().execution_options(populate_existing=True)
    ).all()
    waits = []
    for row in rows:
        if as_utc(row.last_failure_at) <= now - window:
            row.failures = 0
        if row.failures >= free:
            waits.append((as_utc(row.last_failure_at) + window - now).total_seconds())
    if waits:
        return max(1.0, *waits)
    for row in rows:
        row.failures += 1
        row.last_failure_at = now
    return 0.0


def give_back(session: Session, keys: list[str]) -> None:
    """Uncount an attempt take_attempt took (the password was right)."""
    session.execute(
        update(LoginThrottle).where(LoginThrottle.key.in_(keys), LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )
