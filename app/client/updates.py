"""Checking a configured address for a newer release; Atelier never updates itself.

The address serves a small JSON document, {"version": "1.2.0", "url": "https://..."},
where url is the page to download it from. Checks are off unless an address is set
(ATELIER_UPDATE_URL, or the library setting "update_url").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import requests
from packaging.version import InvalidVersion, Version

from app import __app_name__, __version__
from app.core.errors import AtelierError

ENV_VAR: Final[str] = "ATELIER_UPDATE_URL"
SETTING_KEY: Final[str] = "update_url"
TIMEOUT: Final[tuple[float, float]] = (5.0, 10.0)
MAX_BYTES: Final[int] = 64 * 1024  # a release note, not a download



class UpdateCheckFailed(AtelierError):
    """The address could not be reached or did not answer with a release document."""


@dataclass(frozen=True, slots=True)
class Release:
    """What the address says is the newest release, compared with the running one."""

    version: str
    url: str
    current: str = __version__

    @property
    def is_newer(self) -> bool:
        return version_key(self.version) > version_key(self.current)

    def message(self) -> str:
        if self.is_newer:
            return f"{__app_name__} {self.version} is available (you have {self.current}): {self.url}"
        return f"{__app_name__} {self.current} is up to date."


def version_key(text: str) -> Version:
    """A sortable PEP 440 version for "1.2", "1.2.0", "v1.3.0rc1" (packaging's, as pip sorts them)."""
    try:
        return Version(text.strip())
    except InvalidVersion:
        raise ValueError(f"Not a version number: {text!r}") from None


def configured_url(setting: str | None = None, *, override: str | None = None) -> str | None:
    """The address to check: override (ATELIER_UPDATE_URL, from the front end's settings)
    first, then the library setting; None means checks are off."""
    for candidate in (override, setting):
        if candidate and candidate.strip():
            return candidate.strip()
    return None


def parse_release(data: Any, current: str = __version__) -> Release:
    """The release a document describes; UpdateCheckFailed when it is not one."""
    if not isinstance(data, dict):
        raise UpdateCheckFailed("The update address did not answer with a release document")
    version, url = data.get("version"), data.get("url")
    if not isinstance(version, str) or not isinstance(url, str):
        raise UpdateCheckFailed('The release document needs "version" and "url" strings')
    try:
        version_key(version)
    except ValueError:
        raise UpdateCheckFailed(f"The release document names no version: {version[:40]!r}") from None
    # The link is shown to the user to click: only web pages, never file: or script: links.
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).netloc:
        raise UpdateCheckFailed("The release document's download link is not a web address")
    return Release(version=version.strip(), url=url.strip(), current=current)


def check(url: str, current: str = __version__, session: requests.Session | None = None) -> Release:
    """Fetch the release document at url; UpdateCheckFailed on any failure."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise UpdateCheckFailed(f"The update address must start with http:// or https://: {url}")
    http = session or requests.Session()
    try:
        with http.get(
            url,
            timeout=TIMEOUT,
            stream=True,
            headers={"Accept": "application/json", "User-Agent": f"{__app_name__}/{__version__}"},
        ) as response:
            if response.status_code != 200:
                raise UpdateCheckFailed(f"The update address answered HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_content(16 * 1024):
                body += chunk
                if len(body) > MAX_BYTES:
                    break
    except requests.RequestException as exc:
        raise UpdateCheckFailed(f"Could not reach the update address: {_unreachable(exc)}") from None
    finally:
        if session is None:
            http.close()
    if len(body) > MAX_BYTES:
        raise UpdateCheckFailed("The update address answered with far more than a release document")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise UpdateCheckFailed("The update address did not answer with JSON") from None
    return parse_release(data, current)


def _unreachable(exc: requests.RequestException) -> str:
    """Why a request failed, as a person would say it (not the exception's class name)."""
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, requests.exceptions.SSLError):
        return "its certificate could not be verified"
    if isinstance(exc, requests.TooManyRedirects):
        return "it redirects in a loop"
    if isinstance(exc, requests.ConnectionError):
        if "Name or service not known" in text or "NameResolution" in text or "getaddrinfo" in text:
            return "no such host name"
        if "refused" in text.lower():
            return "nothing answers there (connection refused)"
        return "the connection failed or was dropped"
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return "it is not a valid web address"
    return "the request failed"
