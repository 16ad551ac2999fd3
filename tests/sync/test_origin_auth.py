"""One credential class for both dialects: the header goes to its own origin and nowhere else."""

from __future__ import annotations

import pytest
import requests

from app.client.transport import OriginAuth, origin_of


def _sent(auth: OriginAuth, url: str) -> dict[str, str]:
    prepared = requests.Request("GET", url, headers={"Authorization": "x", "x-api-key": "x"}).prepare()
    return dict(auth(prepared).headers)


@pytest.mark.parametrize(
    ("auth", "header", "value"),
    [
        (OriginAuth("atk_secret", origin_of("http://assets.example:8000")), "Authorization", "Bearer atk_secret"),
        (OriginAuth.api_key("akey_secret", origin_of("http://assets.example:8000")), "x-api-key", "akey_secret"),
    ],
)
def test_credential_stays_on_its_origin(auth: OriginAuth, header: str, value: str) -> None:
    assert _sent(auth, "http://assets.example:8000/api/v2/assets")[header] == value
    for elsewhere in ("http://assets.example:8001/", "https://assets.example:8000/", "http://evil.example/"):
        assert header not in _sent(auth, elsewhere)
