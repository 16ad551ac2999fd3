"""The sweep forgets throttle rows nobody failed on for a day, and keeps every row that still counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.library import throttle
from app.library.service import LibraryService
from app.library.throttle_models import LoginThrottle


def _keys(library: LibraryService) -> set[str]:
    with library.reading() as s:
        return set(s.scalars(select(LoginThrottle.key)))


def test_rows_of_addresses_gone_quiet_are_forgotten(library: LibraryService) -> None:
    now = datetime.now(UTC)
    old = now - timedelta(days=2)
    window = timedelta(minutes=15)
    with library.writing() as s:
        # An attacker cycling addresses: every one leaves a row.
        for n in range(50):
            throttle.take_attempt(s, [f"share-addr:10.0.{n}.1", "share-link:L"], 5, window, old)
        throttle.take_attempt(s, ["share-addr:fresh"], 5, window, now)
        # Old failures, but a lockout that still runs: kept.
        throttle.take_login(s, [("user:locked", 1)], throttle.LoginPolicy(user_attempts=1), old)
        locked = s.get(LoginThrottle, "user:locked")
        assert locked is not None
        locked.locked_until = now + timedelta(hours=1)
    assert len(_keys(library)) == 53

    assert library.sweep()
    assert _keys(library) == {"share-addr:fresh", "user:locked"}


def test_a_sweep_keeps_what_the_server_window_still_counts(library: LibraryService) -> None:
    now = datetime.now(UTC)
    with library.writing() as s:
        throttle.take_attempt(s, ["addr:slow"], 5, timedelta(days=3), now - timedelta(days=2))
    assert library.sweep(throttle_memory=3 * 86400.0)
    assert _keys(library) == {"addr:slow"}
    assert library.sweep()
    assert _keys(library) == set()


def test_a_take_after_the_sweep_starts_afresh(library: LibraryService) -> None:
    now = datetime.now(UTC)
    window = timedelta(minutes=15)
    with library.writing() as s:
        for _ in range(5):
            throttle.take_attempt(s, ["share-addr:a"], 5, window, now - timedelta(days=2))
    library.sweep()
    with library.writing() as s:
        assert throttle.take_attempt(s, ["share-addr:a"], 5, window, now) == 0.0
        assert s.scalar(select(func.count()).select_from(LoginThrottle)) == 1
