"""X-Forwarded-For is believed only from a trusted proxy: password throttling counts the real client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.library.share_models import ShareAttempt
from app.library.shares import MAX_ATTEMPTS
from tests import media
from tests.server.conftest import new_api
from tests.server.live import REPO_ROOT, LiveServer, live_server
from tests.server.sharing import Visitor, create_link, make_campaign

PASSWORD = "blue whale 42"


def _unlock(live: LiveServer, token: str, password: str, forwarded: str) -> requests.Response:
    v = Visitor(live.base_url, token)
    v.get(headers={"X-Forwarded-For": forwarded})
    return v.post("/unlock", data={"password": password, "csrf": v.csrf},
                  headers={"X-Forwarded-For": forwarded})


def _links(live: LiveServer, samples: dict[str, media.Sample], count: int) -> list[str]:
    api = new_api(live)
    c = make_campaign(api, samples, keys=("jpg",))
    return [create_link(api, campaignId=c.spring_id, password=PASSWORD)[1] for _ in range(count)]


def _counted_addresses(live: LiveServer) -> list[str]:
    with live.library.reading() as s:
        return list(s.scalars(select(ShareAttempt.address).order_by(ShareAttempt.id)))


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(
        tmp_path: Path, samples: dict[str, media.Sample]) -> None:
    """By default no peer is a proxy: each guess on its own link, each with a new X-Forwarded-For,
    still counts against 127.0.0.1, and after five the right password is refused everywhere."""
    with live_server(tmp_path / "lib") as live:
        tokens = _links(live, samples, MAX_ATTEMPTS + 1)
        for n, token in enumerate(tokens[:MAX_ATTEMPTS]):
            assert _unlock(live, token, "wrong", f"203.0.113.{n + 1}").status_code == 401
        assert _counted_addresses(live) == ["127.0.0.1"] * MAX_ATTEMPTS
        refused = _unlock(live, tokens[-1], PASSWORD, "198.51.100.77")
        assert refused.status_code == 429 and "Too many wrong passwords" in refused.text


def test_a_trusted_proxy_passes_on_the_client_address(
        tmp_path: Path, samples: dict[str, media.Sample], monkeypatch: pytest.MonkeyPatch) -> None:
    """Trusted by ATELIER_TRUSTED_PROXIES, 127.0.0.1's X-Forwarded-For names the client: one
    client's failures lock that client out, not another behind the same proxy."""
    monkeypatch.setenv("ATELIER_TRUSTED_PROXIES", "10.9.0.0/16, 127.0.0.1")
    with live_server(tmp_path / "lib") as live:
        tokens = _links(live, samples, MAX_ATTEMPTS + 1)
        for token in tokens[:MAX_ATTEMPTS]:
            assert _unlock(live, token, "wrong", "203.0.113.5").status_code == 401
        # The right-most address that is not a trusted proxy is the client's: a value the
        # client wrote in front of its own is not believed.
        assert _unlock(live, tokens[0], "wrong", "192.0.2.1, 198.51.100.8, 10.9.3.4").status_code == 401
        assert _counted_addresses(live) == ["203.0.113.5"] * MAX_ATTEMPTS + ["198.51.100.8"]
        assert _unlock(live, tokens[-1], PASSWORD, "203.0.113.5").status_code == 429  # that client
        assert _unlock(live, tokens[-1], PASSWORD, "203.0.113.6").status_code == 303  # another one


def test_the_flag_overrides_the_environment_and_refuses_names(
        tmp_path: Path, samples: dict[str, media.Sample], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATELIER_TRUSTED_PROXIES", "127.0.0.1")
    with live_server(tmp_path / "lib", extra_args=("--trusted-proxy", "10.0.0.1")) as live:
        (token,) = _links(live, samples, 1)
        assert _unlock(live, token, "wrong", "203.0.113.9").status_code == 401
        assert _counted_addresses(live) == ["127.0.0.1"]  # 127.0.0.1 is not the proxy here
    bad = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "other"), "serve",
         "--port", "0", "--trusted-proxy", "10.0.0.1,nginx"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0
    assert bad.stderr.strip().splitlines()[-1] == (
        "atelier: error: --trusted-proxy takes IP addresses or networks (10.0.0.0/8), not 'nginx'")
    assert not (tmp_path / "other").exists()  # refused before anything was made


def test_behind_a_tls_proxy_the_public_url_is_the_pages_origin(
        tmp_path: Path, samples: dict[str, media.Sample]) -> None:
    """A proxy that terminates https but is not trusted: the server sees http, the browser says
    Origin https://<public url>. Its posts are the page's own; cookies are Secure."""
    public = "https://assets.example.test"
    with live_server(tmp_path / "lib", public_url=public) as live:
        api = new_api(live)
        c = make_campaign(api, samples, keys=("jpg",))
        asset = c.assets["jpg"]["id"]
        _, token = create_link(api, campaignId=c.spring_id)
        page = requests.get(f"{live.base_url}/s/{token}/a/{asset}", timeout=30)
        assert "Secure" in page.headers["set-cookie"]
        seed = page.cookies["atl_csrf"]
        csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]

        def post(origin: str) -> requests.Response:
            return requests.post(
                f"{live.base_url}/s/{token}/a/{asset}/review", allow_redirects=False, timeout=30,
                data={"csrf": csrf, "reviewer": "Dana", "decision": "approved"},
                headers={"Origin": origin, "Cookie": f"atl_csrf={seed}"})

        assert post(public).status_code == 303
        assert post("https://evil.example").status_code == 403
        assert post(live.base_url).status_code == 303  # the address it was reached at, as before
