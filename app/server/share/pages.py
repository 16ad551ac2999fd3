"""The share pages a client opens: password, grid with search and type filter, one asset with review."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from app.library.errors import InvalidInput, NotFound, PermissionDenied
from app.library.records import AssetRecord
from app.library.service import LibraryService
from app.library.shares import LinkGone, ShareLinkRecord, TooManyAttempts
from app.server.deps import Library
from app.server.share.access import (
    CsrfFailed,
    address_of,
    check_csrf,
    csrf_token,
    grant_access,
    remember_name,
    reviewer_name,
    shares_of,
    unlocked,
)
from app.server.share.render import gone_page, page, resolve

router = APIRouter(prefix="/s", include_in_schema=False)
# Included after every other share router: its catch-all must not shadow their routes.
fallback = APIRouter(prefix="/s", include_in_schema=False)

TYPE_LABELS = {"image": "Images", "video": "Videos", "audio": "Audio", "document": "Documents"}
MAX_SEARCH = 200  # characters of search text
MAX_PASSWORD = 1024  # characters of a password: longer ones are not even hashed
STATUS_LABELS = {"approved": "Approved", "changes_requested": "Changes requested"}


def _header(lib: LibraryService, link: ShareLinkRecord) -> dict[str, str]:
    """The campaign (or client) name for the page's header, and the client above it."""
    client = ""
    try:
        if link.campaign_id:
            campaign = lib.get_campaign(link.campaign_id)
            client = lib.get_client(campaign.client_id).name
        elif link.client_id:
            client = lib.get_client(link.client_id).name
    except NotFound:
        pass
    return {"title": link.title, "client": client if client != link.title else ""}


def _open(request: Request, token: str) -> ShareLinkRecord | HTMLResponse:
    try:
        return resolve(request, token)
    except NotFound:
        return gone_page("This link does not exist. Check that you copied all of it.", 404)
    except LinkGone as exc:
        return gone_page(f"{exc}. Ask the person who sent it for a new one.", 410)


def _with_csrf(request: Request, response: Response, template: str, status: int, /,
               **context: object) -> HTMLResponse:
    """Render template with this browser's CSRF token, keeping any cookie already set on response."""
    link = context["link"]
    assert isinstance(link, ShareLinkRecord)
    final = page(template, status, **context, csrf=csrf_token(request, response, link))
    for key, value in response.headers.items():
        if key == "set-cookie":
            final.headers.append(key, value)
    return final


def _assets(lib: LibraryService, request: Request, link: ShareLinkRecord) -> list[AssetRecord]:
    ids = shares_of(request).asset_ids(link.id)
    found = lib.get_assets(ids)
    return [found[i] for i in ids if i in found]


@router.get("/{token}", response_class=HTMLResponse)
def link_page(
    token: str,
    request: Request,
    lib: Library,
    # Checked here, not by FastAPI: a bad value gets this page with a reason, not a JSON 422.
    q: Annotated[str, Query()] = "",
    type: Annotated[str, Query()] = "",
) -> Response:
    opened = _open(request, token)
    if isinstance(opened, Response):
        return opened
    link = opened
    if not unlocked(request, link):
        return _with_csrf(request, Response(), "password.html", 200, link=link, token=token,
                          error="", **_header(lib, link))
    shares = shares_of(request)
    name = reviewer_name(request)
    if link.kind == "upload":
        shares.record_event(link.id, "opened", name or None)
        return _with_csrf(request, Response(), "upload.html", 200, link=link, token=token,
                          name=name, max_bytes=lib.max_bytes, **_header(lib, link))
    notice = ""
    if len(q) > MAX_SEARCH:
        notice, q, type = f"A search is at most {MAX_SEARCH} characters: showing everything.", "", ""
    elif type and type not in TYPE_LABELS:
        notice, type = "There is no such type to show: showing every type.", ""
    everything = _assets(lib, request, link)
    counts = {t: sum(1 for a in everything if a.asset_type == t) for t in TYPE_LABELS}
    needle = " ".join(q.split()).casefold()
    shown = [a for a in everything
             if (not type or a.asset_type == type) and (not needle or needle in a.name.casefold())]
    reviews = shares.review_summary([a.id for a in shown])
    if not q and not type and not notice:
        shares.record_event(link.id, "opened", name or None)
    return _with_csrf(
        request, Response(), "review.html", 400 if notice else 200, link=link, token=token, assets=shown,
        total=len(everything), counts=counts, labels=TYPE_LABELS, q=q, type=type, notice=notice,
        reviews=reviews, statuses=STATUS_LABELS, **_header(lib, link),
    )


@router.post("/{token}/unlock", response_class=HTMLResponse)
def unlock(
    token: str,
    request: Request,
    lib: Library,
    # No max_length: an over-long value gets the password page with a reason, not a JSON 422.
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    opened = _open(request, token)
    if isinstance(opened, Response):
        return opened
    link = opened
    context = {"link": link, "token": token, **_header(lib, link)}
    try:
        check_csrf(request, link, csrf)
        if len(password) > MAX_PASSWORD:
            return _with_csrf(request, Response(), "password.html", 400,
                              error=f"A password is at most {MAX_PASSWORD} characters.", **context)
        right = shares_of(request).check_password(link.id, password, address_of(request))
    except CsrfFailed as exc:
        return _with_csrf(request, Response(), "password.html", 403, error=str(exc), **context)
    except TooManyAttempts as exc:
        slowed = _with_csrf(request, Response(), "password.html", 429, error=str(exc), **context)
        slowed.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return slowed
    if not right:
        return _with_csrf(request, Response(), "password.html", 401,
                          error="That password is not right. Try again.", **context)
    response = RedirectResponse(f"/s/{token}", status_code=303)
    grant_access(request, response, link, token)
    return response


def _neighbours(assets: list[AssetRecord], asset_id: str) -> tuple[str | None, str | None, int]:
    ids = [a.id for a in assets]
    at = ids.index(asset_id)
    return (ids[at - 1] if at > 0 else None, ids[at + 1] if at + 1 < len(ids) else None, at + 1)


@router.get("/{token}/a/{asset_id}", response_class=HTMLResponse)
def asset_view(token: str, asset_id: str, request: Request, lib: Library) -> Response:
    return asset_page(token, asset_id, request, lib)


@dataclass(frozen=True)
class Refusal:
    """Why a posted note was not saved, and the note itself, handed back in the form."""

    error: str
    status: int
    reviewer: str = ""
    comment: str = ""


def asset_page(token: str, asset_id: str, request: Request, lib: LibraryService,
               refusal: Refusal | None = None) -> Response:
    """One asset with its review form; refusal (from a post, never from the address) shows
    its reason above the buttons and puts the note back in the form."""
    opened = _open(request, token)
    if isinstance(opened, Response):
        return opened
    link = opened
    if not unlocked(request, link):
        return RedirectResponse(f"/s/{token}", status_code=303)
    shares = shares_of(request)
    try:
        if link.kind != "review":  # an upload link shows nothing of its campaign
            raise NotFound("Asset not found")
        asset_id = shares.asset_in_link(link.id, asset_id)
    except NotFound:
        return gone_page("This link has no such asset.", 404)
    assets = _assets(lib, request, link)
    record = next(a for a in assets if a.id == asset_id)
    before, after, position = _neighbours(assets, asset_id)
    reviews = [r for r in shares.reviews_for_asset(asset_id) if r.link_id == link.id]
    summary = shares.review_summary([asset_id]).get(asset_id)
    return _with_csrf(
        request, Response(), "asset.html", refusal.status if refusal else 200, link=link,
        token=token, asset=record, before=before, after=after, position=position,
        total=len(assets), reviews=reviews, summary=summary, statuses=STATUS_LABELS,
        name=(refusal.reviewer if refusal and refusal.reviewer else reviewer_name(request))[:100],
        draft=refusal.comment[:5000] if refusal else "",
        error=refusal.error[:300] if refusal else "", **_header(lib, link),
    )


@router.post("/{token}/a/{asset_id}/review")
async def post_review(token: str, asset_id: str, request: Request, lib: Library) -> Response:
    """A decision or a comment: an HTML form (answered with a redirect) or JSON (X-CSRF-Token)."""
    as_json = request.headers.get("content-type", "").startswith("application/json")
    try:
        link = resolve(request, token)
    except LinkGone as exc:
        if as_json:
            return JSONResponse({"detail": str(exc)}, status_code=410)
        return gone_page(f"{exc}. Your note was not saved.", 410)
    if not unlocked(request, link):
        if as_json:
            return JSONResponse({"detail": "This link needs its password"}, status_code=401)
        # The password lapsed while the page was open: ask again, and say the note is lost.
        return _with_csrf(request, Response(), "password.html", 401, link=link, token=token,
                          error="Enter the password again: your note was not saved.",
                          **_header(lib, link))
    if link.kind != "review":
        raise NotFound("Asset not found")
    if as_json:
        try:
            body = await request.json()
        except ValueError:
            raise InvalidInput("Send a JSON object") from None
        if not isinstance(body, dict):
            raise InvalidInput("Send a JSON object")
        supplied = request.headers.get("x-csrf-token")
    else:
        form = await request.form(max_files=0, max_fields=10)
        body = {k: v for k, v in form.items() if isinstance(v, str)}
        supplied = body.get("csrf")
    try:
        check_csrf(request, link, supplied if isinstance(supplied, str) else None)
    except CsrfFailed:
        if as_json:
            raise
        # The page re-rendered carries a fresh token: the same click now goes through.
        return asset_page(token, asset_id, request, lib, Refusal(
            "This page was out of date, so nothing was saved: check your note and send it again.",
            403, str(body.get("reviewer") or ""), str(body.get("comment") or "")))
    reviewer = str(body.get("reviewer") or "")
    decision = body.get("decision") or None
    comment = body.get("comment") or None
    try:
        review = shares_of(request).add_review(
            link.id, asset_id, reviewer, str(decision) if decision else None,
            str(comment) if comment else None)
    except (InvalidInput, PermissionDenied) as exc:
        if as_json:
            raise
        return asset_page(token, asset_id, request, lib,
                          Refusal(str(exc), 400, reviewer, str(comment or "")))
    shares_of(request).record_event(link.id, "reviewed", review.reviewer, review.asset_id,
                                    review.decision or "comment")
    response: Response
    if as_json:
        response = JSONResponse({"id": review.id, "decision": review.decision,
                                 "comment": review.comment, "reviewer": review.reviewer}, 201)
    else:
        response = RedirectResponse(f"/s/{token}/a/{review.asset_id}#feedback", status_code=303)
    remember_name(request, response, token, review.reviewer)
    return response


@fallback.api_route("/{token}/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                    response_class=HTMLResponse)
def no_such_page(token: str, rest: str, request: Request) -> Response:
    """Any other address under a link (a mistyped or truncated one): a page, not bare JSON.

    Only what no other share route matched reaches it (see `fallback`).
    """
    if request.method != "GET":
        raise NotFound("Not Found")  # as before: a JSON 404 for a script
    opened = _open(request, token)
    if isinstance(opened, Response):
        return opened
    return gone_page("This link has no such page. Open the link itself again.", 404)
