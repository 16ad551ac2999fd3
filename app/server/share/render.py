"""Opening a link from its token, and rendering share pages (Jinja2, autoescaped) with safe headers."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.core.units import human_size
from app.library.errors import AuthenticationFailed, NotFound
from app.library.shares import LinkGone, ShareLinkRecord
from app.server.share.access import PAGE_HEADERS, shares_of, unlocked

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
STATIC_PREFIX = "/s-static"
# token_urlsafe(24) is 32 characters; anything else is no token and never reaches the database.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")


class NeedsPassword(AuthenticationFailed):
    """A sub-resource of a password-protected link asked for without the access cookie."""


def _when(value: datetime | None) -> str:
    return value.strftime("%-d %b %Y") if value else ""


def _duration(seconds: int | None) -> str:
    if not seconds:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["when"] = _when
env.filters["bytes"] = human_size
env.filters["duration"] = _duration
env.globals["static"] = lambda name: f"{STATIC_PREFIX}/{name}"


def page(template: str, status: int = 200, /, **context: Any) -> HTMLResponse:
    html = env.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=dict(PAGE_HEADERS))


def gone_page(message: str, status: int) -> HTMLResponse:
    return page("gone.html", status, message=message)


def resolve(request: Request, token: str) -> ShareLinkRecord:
    """The link of a token: NotFound for none, LinkGone for expired or revoked."""
    if not _TOKEN.match(token):
        raise NotFound("Link not found")
    return shares_of(request).open(token)


def visit(request: Request, token: str) -> ShareLinkRecord:
    """resolve(), and NeedsPassword unless this browser has unlocked a protected link."""
    link = resolve(request, token)
    if not unlocked(request, link):
        raise NeedsPassword("This link needs its password: open the link's page first")
    return link


def gone_json(exc: LinkGone) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, status_code=410, headers={"Cache-Control": "no-store"})
