"""A burst of parallel wrong passwords gets no more guesses than the limit, on every worker and instance."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from app.library.share_models import ShareAttempt
from app.library.shares import MAX_ATTEMPTS
from tests import media
from tests.server.conftest import new_api
from tests.server.live import LiveServer, live_server
from tests.server.sharing import Visitor, create_link, make_campaign

BURST = 20
PASSWORD = "blue whale 42"


@contextmanager
def _servers(kind: str, tmp_path: Path) -> Iterator[list[LiveServer]]:
    """SQLite: one server of two workers on one file. PostgreSQL: that, and a second instance."""
    with ExitStack() as stack:
        if kind == "sqlite":
            yield [stack.enter_context(live_server(tmp_path / "lib", workers=2))]
            return
        from tests.server.conftest import fresh_schema

        url = stack.enter_context(fresh_schema("atelier_share_race"))
        first = stack.enter_context(live_server(tmp_path / "lib", url, workers=2))
        yield [first, stack.enter_context(live_server(tmp_path / "lib2", url))]


def _burst(servers: list[LiveServer], tokens: list[str], forwarded: list[str]) -> Counter[int]:
    """BURST visitors, spread over the servers, each with its page open, post at the same moment."""
    visitors = []
    for n in range(BURST):
        v = Visitor(servers[n % len(servers)].base_url, tokens[n % len(tokens)])
        headers = {"X-Forwarded-For": forwarded[n % len(forwarded)]}
        assert v.get(headers=headers).status_code == 200
        visitors.append((v, headers))
    start = threading.Barrier(BURST)
    answers: list[requests.Response] = []

    def guess(v: Visitor, headers: dict[str, str]) -> None:
        start.wait()
        answers.append(v.post("/unlock", data={"password": "wrong", "csrf": v.csrf}, headers=headers))

    threads = [threading.Thread(target=guess, args=pair) for pair in visitors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for r in answers:
        assert r.status_code in (401, 429), r.text[:300]
        assert ("not right" if r.status_code == 401 else "Too many wrong passwords") in r.text
        if r.status_code == 429:  # the page says when, and so does the header
            assert 60 <= int(r.headers["Retry-After"]) <= 900, r.headers
    assert len(answers) == BURST
    return Counter(r.status_code for r in answers)


def _failures_logged(live: LiveServer) -> int:
    with live.library.reading() as s:
        return s.scalar(select(func.count()).select_from(ShareAttempt)) or 0


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_parallel_wrong_guesses_on_one_link_stop_at_the_limit(
        kind: str, tmp_path: Path, samples: dict[str, media.Sample], monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty addresses (through a trusted proxy) guess one link at once: five are checked."""
    monkeypatch.setenv("ATELIER_TRUSTED_PROXIES", "127.0.0.1")
    with _servers(kind, tmp_path) as servers:
        api = new_api(servers[0])
        c = make_campaign(api, samples, keys=("jpg",))
        _, token = create_link(api, campaignId=c.spring_id, password=PASSWORD)
        seen = _burst(servers, [token], [f"203.0.113.{n + 1}" for n in range(BURST)])
        assert seen[401] == MAX_ATTEMPTS, f"checked {seen[401]} of {BURST}, throttled {seen[429]}"
        assert _failures_logged(servers[0]) == MAX_ATTEMPTS
        # Throttled means throttled: the right password now waits too, on every instance.
        for live in servers:
            v = Visitor(live.base_url, token)
            assert v.unlock(PASSWORD).status_code == 429


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_parallel_wrong_guesses_from_one_address_stop_at_the_limit(
        kind: str, tmp_path: Path, samples: dict[str, media.Sample]) -> None:
    """One address guesses twenty links at once: five are checked, whichever links they hit."""
    with _servers(kind, tmp_path) as servers:
        api = new_api(servers[0])
        c = make_campaign(api, samples, keys=("jpg",))
        tokens = [create_link(api, campaignId=c.spring_id, password=PASSWORD)[1] for _ in range(BURST)]
        seen = _burst(servers, tokens, ["ignored: no trusted proxy"])
        assert seen[401] == MAX_ATTEMPTS, f"checked {seen[401]} of {BURST}, throttled {seen[429]}"
        assert _failures_logged(servers[0]) == MAX_ATTEMPTS


def test_a_right_password_does_not_use_up_a_guess(tmp_path: Path, samples: dict[str, media.Sample]) -> None:
    """The attempt taken before the check is given back when the password is right."""
    with live_server(tmp_path / "lib") as live:
        api = new_api(live)
        c = make_campaign(api, samples, keys=("jpg",))
        _, token = create_link(api, campaignId=c.spring_id, password=PASSWORD)
        for _ in range(MAX_ATTEMPTS * 2):
            assert Visitor(live.base_url, token).unlock(PASSWORD).status_code == 303
        for _ in range(MAX_ATTEMPTS):
            assert Visitor(live.base_url, token).unlock("wrong").status_code == 401
        assert Visitor(live.base_url, token).unlock(PASSWORD).status_code == 429
