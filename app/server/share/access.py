"""Who may see a share page: the link's token, its password cookie, CSRF tokens and safe headers.

Every value a browser keeps is signed with the library's share secret (HMAC-SHA256) and
compared in constant time; cookies are HttpOnly and SameSite=Lax, scoped to the link's path.
Lax, not Strict: a client who opens the link again from webmail (another site) keeps its
unlocked password and CSRF seed, and a page already open in another tab still posts; no
cross-site post ever carries them, and every post needs the page's CSRF token anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from urllib.parse import quote, unquote, urlsplit

from fastapi import Request, Response

from app.library.errors import PermissionDenied
from app.library.shares import ShareLinkRecord, ShareService
from app.server.deps import get_settings

ACCESS_COOKIE = "atl_access"
CSRF_COOKIE = "atl_csrf"
NAME_COOKIE = "atl_name"
ACCESS_SECONDS = 12 * 3600  # a password is asked again after this
NAME_SECONDS = 180 * 24 * 3600
# No inline script or style anywhere: every script and sheet comes from this server.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    # The token is in the URL: no other site may learn it from a Referer.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class CsrfFailed(PermissionDenied):
    """A form or JSON post without this browser's CSRF token for this link."""


def shares_of(request: Request) -> ShareService:
    return request.app.state.shares  # type: ignore[no-any-return]


def _secret(request: Request) -> bytes:
    cached: bytes | None = getattr(request.app.state, "share_secret", None)
    if cached is None:
        cached = shares_of(request).secret()
        request.app.state.share_secret = cached
    return cached


def _sign(request: Request, *parts: str) -> str:
    message = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(_secret(request), message, hashlib.sha256).hexdigest()


def link_path(token: str) -> str:
    return f"/s/{token}"


def _public_url(request: Request) -> str | None:
    return get_settings(request).public_base_url


def _secure(request: Request) -> bool:
    """https as the browser sees it: this request's scheme, or a --public-url on https (a TLS
    proxy that is not --trusted-proxy still speaks plain http to the server)."""
    public = _public_url(request)
    return request.url.scheme == "https" or bool(public and public.startswith("https://"))


# --- the password cookie ------------------------------------------------------------------

def unlocked(request: Request, link: ShareLinkRecord) -> bool:
    """Whether this browser may see the link: no password, or a valid access cookie."""
    if not link.has_password:
        return True
    value = request.cookies.get(ACCESS_COOKIE, "")
    expiry, _, signature = value.partition(".")
    if not expiry.isdigit() or int(expiry) < time.time():
        return False
    return hmac.compare_digest(signature, _sign(request, "access", link.id, expiry))


def grant_access(request: Request, response: Response, link: ShareLinkRecord, token: str) -> None:
    expiry = str(int(time.time()) + ACCESS_SECONDS)
    response.set_cookie(
        ACCESS_COOKIE, f"{expiry}.{_sign(request, 'access', link.id, expiry)}",
        max_age=ACCESS_SECONDS, path=link_path(token), httponly=True, samesite="lax",
        secure=_secure(request),
    )


# --- CSRF ---------------------------------------------------------------------------------

def csrf_token(request: Request, response: Response, link: ShareLinkRecord) -> str:
    """The token this page's forms carry; sets this browser's CSRF cookie when it has none."""
    seed = request.cookies.get(CSRF_COOKIE, "")
    if len(seed) != 43:
        seed = secrets.token_urlsafe(32)
        response.set_cookie(CSRF_COOKIE, seed, path="/s/", httponly=True, samesite="lax",
                            secure=_secure(request))
        request.state.new_csrf_seed = seed
    return _sign(request, "csrf", seed, link.id)


def check_csrf(request: Request, link: ShareLinkRecord, supplied: str | None) -> None:
    """CsrfFailed unless supplied is this browser's token for link and the post is same-origin."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        # The pages' own origins: the address the request came to, and the public URL.
        own = {(u.scheme, u.netloc) for u in map(urlsplit, filter(None, (
            str(request.base_url), _public_url(request))))}
        theirs = urlsplit(origin)
        if (theirs.scheme, theirs.netloc) not in own:
            raise CsrfFailed("This form was sent from another site: refused")
    seed = request.cookies.get(CSRF_COOKIE, "")
    if not seed or not supplied:
        raise CsrfFailed("The page is out of date (no security token): reload it and try again")
    # As bytes: compare_digest refuses a str with anything but ASCII in it.
    if not hmac.compare_digest(supplied.encode(), _sign(request, "csrf", seed, link.id).encode()):
        raise CsrfFailed("The page is out of date (wrong security token): reload it and try again")


# --- the reviewer's name ------------------------------------------------------------------

def reviewer_name(request: Request) -> str:
    return unquote(request.cookies.get(NAME_COOKIE, ""))[:100]


def remember_name(request: Request, response: Response, token: str, name: str) -> None:
    response.set_cookie(NAME_COOKIE, quote(name[:100]), max_age=NAME_SECONDS, path=link_path(token),
                        httponly=True, samesite="lax", secure=_secure(request))


def address_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"
