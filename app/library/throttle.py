"""Login throttling: failures counted per user name and per address in the database.

Each failure is a row update, so every worker process and every server on the same
PostgreSQL database sees the same counts. After `free` failures of a key, each further
one locks the key for a time that doubles (lockout, 2 x lockout, ... up to max_lockout);
failures are forgotten `window` seconds after the last one. While a key is locked, no
password is even checked for it. A failure is counted before the password is checked (and
uncounted when it was right), so parallel logins never check more than the free ones.

Share link passwords use the same rows through take_attempt: an attempt is taken (counted)
under the row lock before the password is checked and given back when it was right, so a
burst of parallel guesses can never check more than the free ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
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


@dataclass(frozen=True)
class Taken:
    """One failure counted ahead of a password check, and the row as it was before it."""

    key: str
    failures: int
    last_failure_at: datetime
    locked_until: datetime | None
    set_until: datetime | None


def take_login(
    session: Session, keyed: list[tuple[str, int]], policy: LoginPolicy, now: datetime
) -> tuple[float, list[Taken]]:
    """Count a failure on each (key, free attempts) before the password is checked.

    (0.0, what was taken) when no key is locked; (seconds to wait, []) when one is, and then
    nothing is counted. The rows are locked in key order under the transaction, so parallel
    logins on every worker and server see each other's attempts and never check more than
    the free ones; give_back_login uncounts the attempt when the password was right.
    """
    keyed = sorted(dict(keyed).items())
    rows = _locked_rows(session, [key for key, _ in keyed], now)
    waits = [(as_utc(r.locked_until) - now).total_seconds() for r in rows.values() if r.locked_until is not None]
    # Capped: a lock stamped by another process a moment after our `now` may reach past it.
    wait = min(policy.max_lockout, max([0.0, *waits]))
    if wait > 0:
        return wait, []
    taken = []
    for key, free in keyed:
        row = rows[key]
        if as_utc(row.last_failure_at) < now - timedelta(seconds=policy.window):
            row.failures = 0
            row.locked_until = None
        before = (row.failures, row.last_failure_at, row.locked_until)
        row.failures += 1
        row.last_failure_at = now
        beyond = row.failures - free
        if beyond >= 0:
            seconds = min(policy.lockout * 2 ** min(beyond, 30), policy.max_lockout)
            row.locked_until = now + timedelta(seconds=seconds)
        taken.append(Taken(key, *before, set_until=row.locked_until))
    return 0.0, taken


def give_back_login(session: Session, taken: list[Taken]) -> None:
    """Uncount the failures take_login counted (the password was right).

    A row nobody failed on since is put back as it was, lockout included; otherwise only its
    count goes down (the later failures keep the lockouts they earned).
    """
    for t in taken:
        row = session.get(LoginThrottle, t.key, with_for_update=True, populate_existing=True)
        if row is None:
            continue
        untouched = row.failures == t.failures + 1 and _same(row.locked_until, t.set_until)
        if untouched:
            row.failures, row.last_failure_at, row.locked_until = t.failures, t.last_failure_at, t.locked_until
        else:
            row.failures = max(0, row.failures - 1)


def _same(a: datetime | None, b: datetime | None) -> bool:
    return a is None and b is None or a is not None and b is not None and as_utc(a) == as_utc(b)


def _locked_rows(session: Session, keys: list[str], now: datetime) -> dict[str, LoginThrottle]:
    """The rows of keys (made where missing), locked in key order for this transaction.

    A row another instance's sweep deleted between our insert and our lock is made again.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows: dict[str, LoginThrottle] = {}
    for _ in range(3):
        for key in keys:
            if key not in rows:
                session.execute(
                    insert(LoginThrottle)
                    .values(key=key, failures=0, last_failure_at=now, locked_until=None)
                    .on_conflict_do_nothing(index_elements=["key"])
                )
        rows = {
            row.key: row
            for row in session.scalars(
                select(LoginThrottle).where(LoginThrottle.key.in_(keys)).order_by(LoginThrottle.key)
                .with_for_update().execution_options(populate_existing=True)
            )
        }
        if len(rows) == len(keys):
            return rows
    raise RuntimeError("The login throttle's rows kept disappearing")


def forget_stale(session: Session, before: datetime, now: datetime) -> int:
    """Delete the rows with no failure since before and no lock left: they count for nothing.

    Every address that ever tried a password leaves a row, so without this an attacker
    cycling addresses would grow the table for ever. The sweep calls it with before at least
    the longest window a take uses, so a deleted row is one the next take would reset anyway.
    """
    result = session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < before,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def clear(session: Session, key: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def take_attempt(session: Session, keys: list[str], free: int, window: timedelta, now: datetime) -> float:
    """Count one attempt on every key at once, or none: 0.0 if taken, else seconds to wait.

    The rows are locked in key order (no two takers deadlock) and counted under the lock, so
    parallel takers on every worker and server see each other's attempts. A key's attempts
    are forgotten `window` after its last one.
    """
    rows = list(_locked_rows(session, sorted(set(keys)), now).values())
    waits = []
    for row in rows:
        if as_utc(row.last_failure_at) <= now - window:
            row.failures = 0
        if row.failures >= free:
            waits.append((as_utc(row.last_failure_at) + window - now).total_seconds())
    if waits:
        # Another process may have stamped its attempt a moment after our `now`: never more
        # than the window itself.
        return min(window.total_seconds(), max(1.0, *waits))
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
