"""A burst of parallel wrong logins gets no more password checks than the limit, on every worker and instance."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests

from tests.server.live import LiveServer, live_server

BURST = 20
USER_ATTEMPTS = 5  # the documented default: "5, then lockouts"
PASSWORD = "amber lantern 73"
LIMITS = (
    "--login-address-attempts", "3",
    "--login-lockout", "60",  # long enough that no lockout ends during a burst
    "--login-max-lockout", "60",
    "--trusted-proxy", "127.0.0.1",  # each guess speaks from an address of its own
)


@contextmanager
def _servers(kind: str, tmp_path: Path) -> Iterator[list[LiveServer]]:
    """SQLite: one server of two workers on one file. PostgreSQL: that, and a second instance."""
    with ExitStack() as stack:
        if kind == "sqlite":
            yield [stack.enter_context(live_server(tmp_path / "lib", workers=2, extra_args=LIMITS))]
            return
        from tests.server.conftest import fresh_schema

        url = stack.enter_context(fresh_schema("atelier_login_race"))
        first = stack.enter_context(live_server(tmp_path / "lib", url, workers=2, extra_args=LIMITS))
        yield [first, stack.enter_context(live_server(tmp_path / "lib2", url, extra_args=LIMITS))]


def _login(live: LiveServer, username: str, password: str, address: str) -> requests.Response:
    return requests.post(
        live.base_url + "/api/v2/auth/login",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address, "Connection": "close"},
        timeout=60,
    )


def _burst(servers: list[LiveServer], username: str) -> Counter[int]:
    """BURST wrong logins, spread over the servers and addresses, sent at the same moment."""
    start = threading.Barrier(BURST)
    answers: list[requests.Response] = []

    def guess(n: int) -> None:
        start.wait()
        answers.append(_login(servers[n % len(servers)], username, "wrong guess!", f"10.9.0.{n}"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(BURST)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(answers) == BURST
    for r in answers:
        assert r.status_code in (401, 429), r.text[:300]
        if r.status_code == 429:
            assert r.json() == {"detail": "Too many failed logins: try again later"}
            assert 1 <= int(r.headers["Retry-After"]) <= 60, r.headers
    return Counter(r.status_code for r in answers)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_parallel_wrong_logins_stop_at_the_user_limit(
        kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty addresses guess one user name at once: five passwords are checked, the rest wait."""
    monkeypatch.setenv("ATELIER_TRUSTED_PROXIES", "127.0.0.1")
    with _servers(kind, tmp_path) as servers:
        servers[0].library.create_user("ivy", PASSWORD)
        counts = _burst(servers, "ivy")
        assert counts[401] == USER_ATTEMPTS, counts
        assert counts[429] == BURST - USER_ATTEMPTS, counts
        # The right password is refused too while the lockout lasts, on every instance.
        for n, live in enumerate(servers):
            locked = _login(live, "ivy", PASSWORD, f"10.9.1.{n}")
            assert locked.status_code == 429, locked.text
            assert 1 <= int(locked.headers["Retry-After"]) <= 60


def test_a_right_password_does_not_use_up_a_guess(tmp_path: Path) -> None:
    """An address with three free failures: right logins between wrong ones take none of them."""
    with live_server(tmp_path / "lib", extra_args=LIMITS) as live:
        live.library.create_user("jon", PASSWORD)
        answers = [
            _login(live, "jon", password, "10.9.2.1").status_code
            for password in ("wrong guess!", PASSWORD, PASSWORD, PASSWORD, "wrong guess!")
        ]
        assert answers == [401, 200, 200, 200, 401]
        # The third failure from the address locks it, for every name.
        assert _login(live, "nobody", "wrong guess!", "10.9.2.1").status_code == 401
        assert _login(live, "jon", PASSWORD, "10.9.2.1").status_code == 429
