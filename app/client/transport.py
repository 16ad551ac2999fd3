"""HTTP plumbing: one origin, a token only for that origin, timeouts, retries with backoff, safe redirects."""

from __future__ import annotations

import json
import random
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.auth import AuthBase

from app import __version__
from app.client.errors import (
    ApiError,
    ProtocolError,
    ServerUnreachable,
    UnsafeRedirect,
    error_for_status,
)

Origin = tuple[str, str, int]
BodyFactory = Callable[[], Any]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 30.0


def origin_of(url: str) -> Origin:
    """(scheme, host, port) with default ports filled in: what 'the same server' means."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"Not an http(s) address: {url}")
    if not parts.hostname:
        raise ValueError(f"No host in the address: {url}")
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, parts.hostname.lower(), port


def normalize_base_url(url: str) -> str:
    """'host:8000' or 'https://host/prefix/' -> 'http(s)://host[:port][/prefix]' (no trailing slash)."""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    origin_of(url)  # validates
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ValueError(f"A server address has no query or fragment: {url}")
    return f"{parts.scheme.lower()}://{parts.netloc}{parts.path.rstrip('/')}"


class OriginAuth(AuthBase):
    """Adds one credential header to requests for one origin only, whatever URL a request
    ends up at: the v2 Bearer token (Authorization) or the v1 API key (x-api-key)."""

    def __init__(
        self, secret: str | None, origin: Origin, header: str = "Authorization", prefix: str = "Bearer "
    ) -> None:
        self.secret = secret
        self.origin = origin
        self.header = header
        self.prefix = prefix

    @classmethod
    def api_key(cls, key: str | None, origin: Origin) -> OriginAuth:
        return cls(key, origin, "x-api-key", "")

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.secret and r.url and origin_of(r.url) == self.origin:
            r.headers[self.header] = f"{self.prefix}{self.secret}"
        else:
            r.headers.pop(self.header, None)
        return r


def error_detail(response: requests.Response) -> str:
    """The server's {"detail": ...} reason, or a short stand-in."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "detail" in body:
        detail = body["detail"]
        if isinstance(detail, list) and detail and isinstance(detail[0], dict):
            # FastAPI's validation errors: the first one says enough.
            first = detail[0]
            where = ".".join(str(p) for p in first.get("loc", []) if p != "body")
            return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))
        return str(detail)
    if isinstance(body, dict) and isinstance(body.get("error"), dict) and body["error"].get("message"):
        return str(body["error"]["message"])  # the v1 dialect's {"success": false, "error": {...}}
    return response.reason or f"HTTP {response.status_code}"


class Transport:
    """Sends requests to one server. Idempotent requests are retried; nothing leaves its origin."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: tuple[float, float] = (10.0, 60.0),
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.origin = origin_of(self.base_url)
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        # A requests.Session is not documented as thread-safe: the thread that made this
        # Transport uses `template`, every other thread gets a session of its own made like it
        # (so sync can keep several uploads in flight through one client).
        self._template = session or requests.Session()
        self._template.headers["User-Agent"] = f"Atelier/{__version__}"
        self._local = threading.local()
        self._local.session = self._template
        self._sessions: weakref.WeakSet[requests.Session] = weakref.WeakSet()
        self._sessions_guard = threading.Lock()
        self.auth = OriginAuth(token, self.origin)

    @property
    def session(self) -> requests.Session:
        """This thread's session (a thread's own one goes when the thread ends, or on close)."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            template = self._template
            session.headers.clear()
            session.headers.update(template.headers)
            session.hooks = {event: list(hooks) for event, hooks in template.hooks.items()}
            session.proxies = dict(template.proxies)
            session.verify, session.cert, session.trust_env = (
                template.verify,
                template.cert,
                template.trust_env,
            )
            with self._sessions_guard:
                self._sessions.add(session)
            self._local.session = session
        return session

    @property
    def token(self) -> str | None:
        return self.auth.secret

    @token.setter
    def token(self, value: str | None) -> None:
        self.auth.secret = value

    def release_thread(self) -> None:
        """Close the calling thread's own session, for a worker thread that is about to end."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None or session is self._template:
            return
        self._local.session = None
        with self._sessions_guard:
            self._sessions.discard(session)
        session.close()

    def close(self) -> None:
        with self._sessions_guard:
            others = list(self._sessions)
        for session in [self._template, *others]:
            session.close()

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            if origin_of(path) != self.origin:
                raise UnsafeRedirect(f"Refusing to contact another host: {urlsplit(path).netloc}")
            return path
        return self.base_url + path

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        body: BodyFactory | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        idempotent: bool | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> requests.Response:
        """One request, retried when safe; returns a response whose status is in ok, or raises.

        body is a factory so that a retry or a same-origin 307/308 can send the body again.
        """
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        attempts = 1 + (self.retries if idempotent else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._send_following(
                    method, self.url(path), params, json_body, body, headers, stream
                )
            except ServerUnreachable:
                if last:
                    raise
                self._wait(attempt, None)
                continue
            if response.status_code in ok:
                return response
            if response.status_code in RETRY_STATUSES and not last:
                retry_after = response.headers.get("Retry-After")
                response.close()
                self._wait(attempt, retry_after)
                continue
            detail = error_detail(response)
            response.close()
            raise error_for_status(response.status_code, detail)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2**attempt) * (0.5 + random.random())
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
            except ValueError:
                pass
        self.sleep(delay)

    def _send_following(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        body: BodyFactory | None,
        headers: Mapping[str, str] | None,
        stream: bool,
    ) -> requests.Response:
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(method, url, params, json_body, body, headers, stream)
            if response.status_code not in REDIRECT_STATUSES:
                return response
            location = response.headers.get("Location")
            response.close()
            if not location:
                raise ProtocolError("The server sent a redirect without a Location")
            target = urljoin(url, location)
            try:
                same = origin_of(target) == self.origin
            except ValueError:
                same = False
            if not same:
                raise UnsafeRedirect(
                    f"The server redirected to another host ({urlsplit(target).netloc or target}); "
                    "not following, so the token stays with the server"
                )
            url, params = target, None
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method.upper() == "POST"
            ):
                method, json_body, body = "GET", None, None
        raise ProtocolError("Too many redirects")

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        body: BodyFactory | None,
        headers: Mapping[str, str] | None,
        stream: bool,
    ) -> requests.Response:
        kwargs: dict[str, Any] = {}
        if json_body is not None:
            kwargs["data"] = json.dumps(json_body).encode()
            kwargs["headers"] = {"Content-Type": "application/json", **(headers or {})}
        else:
            kwargs["headers"] = dict(headers or {})
            if body is not None:
                kwargs["data"] = body()
        try:
            return self.session.request(
                method,
                url,
                params=params,
                auth=self.auth,
                timeout=self.timeout,
                allow_redirects=False,
                stream=stream,
                **kwargs,
            )
        except requests.exceptions.Timeout as exc:
            raise ServerUnreachable(f"{self.base_url} did not answer in time") from exc
        except requests.exceptions.ConnectionError as exc:
            raise ServerUnreachable(f"Cannot reach {self.base_url}: {_reason(exc)}") from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise ServerUnreachable(f"The connection to {self.base_url} broke mid-answer") from exc
        except requests.exceptions.RequestException as exc:
            raise ApiError(f"Request to {self.base_url} failed: {_reason(exc)}") from exc


def _reason(exc: BaseException) -> str:
    """The innermost useful words of a requests/urllib3 error chain."""
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out",
                   "Connection reset", "Connection aborted", "Remote end closed"):
        if marker.lower() in text.lower():
            return marker.lower()
    return text.splitlines()[0][:200] if text else exc.__class__.__name__
