"""Helpers of the share-link tests: a campaign with real media, links, and a visitor's browser session."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import requests

from tests import media
from tests.server.conftest import Api

XSS_NAME = "<img src=x onerror=alert(1)>"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"|data-csrf="([^"]+)"')


@dataclass
class Campaign:
    client_id: str
    spring_id: str
    autumn_id: str
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> the API's asset
    other: dict[str, Any] = field(default_factory=dict)  # one asset of the autumn campaign


def make_campaign(api: Api, samples: dict[str, media.Sample], keys: tuple[str, ...] = ("jpg", "png", "mp4", "mp3", "pdf"),
                  client: str = "Northwind", campaign: str = "Spring launch") -> Campaign:
    c = api.post("/api/v2/clients", json={"name": client}).json()
    spring = api.post("/api/v2/campaigns", json={"clientId": c["id"], "name": campaign}).json()
    autumn = api.post("/api/v2/campaigns", json={"clientId": c["id"], "name": "Autumn"}).json()
    out = Campaign(c["id"], spring["id"], autumn["id"])
    for key in keys:
        r = api.upload(samples[key].path, campaignId=spring["id"])
        assert r.status_code == 201, r.text
        out.assets[key] = r.json()
    r = api.upload(samples["gif"].path, campaignId=autumn["id"])
    assert r.status_code == 201, r.text
    out.other = r.json()
    return out


def create_link(api: Api, **body: Any) -> tuple[dict[str, Any], str]:
    """The link's record and its token (the last part of its URL)."""
    r = api.post("/api/v2/share-links", json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    return made, made["url"].rsplit("/", 1)[1]


class Visitor:
    """A client's browser without a browser: cookies kept, CSRF tokens read from the pages."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url
        self.token = token
        self.session = requests.Session()
        self.csrf = ""

    def url(self, path: str = "") -> str:
        return f"{self.base}/s/{self.token}{path}"

    def get(self, path: str = "", **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        r = self.session.get(self.url(path), **kwargs)
        found = _CSRF.search(r.text) if "text/html" in r.headers.get("content-type", "") else None
        if found:
            self.csrf = found.group(1) or found.group(2)
        return r

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        return self.session.post(self.url(path), **kwargs)

    def unlock(self, password: str) -> requests.Response:
        self.get()
        return self.post("/unlock", data={"password": password, "csrf": self.csrf})

    def review(self, asset_id: str, reviewer: str, decision: str = "", comment: str = "") -> requests.Response:
        self.get(f"/a/{asset_id}")
        return self.post(f"/a/{asset_id}/review", data={
            "csrf": self.csrf, "reviewer": reviewer, "decision": decision, "comment": comment})

    def upload(self, path: Any, uploader: str = "Dana", email: str = "", filename: str | None = None) -> requests.Response:
        if not self.csrf:
            self.get()
        with open(path, "rb") as f:
            return self.post("/upload", headers={"X-CSRF-Token": self.csrf},
                             data={"uploader": uploader, "email": email},
                             files={"file": (filename or path.name, f)})
