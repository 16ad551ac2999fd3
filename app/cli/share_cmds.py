"""`atelier share`: review links and upload links of a server's library (create, request, list, revoke, feedback).

The commands open the library the server serves (--data-dir / --db-url), as `users` and
`tokens` do: a link is a row in that database, and the server's pages read it at once.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from app.cli.context import open_library
from app.cli.output import print_json, table
from app.library.errors import InvalidInput, NotFound
from app.library.records import CampaignRecord, ClientRecord

if TYPE_CHECKING:  # the parser is built on every command; the library loads only when used
    from app.library.service import LibraryService

DEFAULT_URL = "http://127.0.0.1:8000"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("share", help="links for clients: review links and upload links")
    ssub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_text in (("create", "make a review link for a campaign, a client or assets"),
                            ("request", "make an upload link: the client sends files into a campaign")):
        a = ssub.add_parser(name, help=help_text)
        a.add_argument("--campaign", help="campaign name or id")
        a.add_argument("--client", help="client name or id (alone: share the whole client)")
        if name == "create":
            a.add_argument("--asset", action="append", default=[], help="an asset id (repeat for a selection)")
            a.add_argument("--no-download", action="store_true", help="previews only: originals cannot be downloaded")
            a.add_argument("--no-review", action="store_true", help="view only: no approve, request changes or comments")
        else:
            a.add_argument("--max-files", type=int, help="most files the link takes")
            a.add_argument("--max-mb", type=float, help="most megabytes the link takes in all")
        a.add_argument("--expires", help="last day the link works (YYYY-MM-DD, inclusive; default: never)")
        a.add_argument("--password-stdin", action="store_true", help="protect the link with a password read from stdin")
        _common(a)
        a.set_defaults(func=cmd_share_create, kind="review" if name == "create" else "upload")
    a = ssub.add_parser("list", help="list the links, with their state and use")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    _common(a)
    a.set_defaults(func=cmd_share_list)
    a = ssub.add_parser("revoke", help="stop a link at once")
    a.add_argument("link", help="the link's id (or the start of it)")
    _common(a)
    a.set_defaults(func=cmd_share_revoke)
    a = ssub.add_parser("activity", help="who opened a link, what was downloaded, reviewed or sent")
    a.add_argument("link", help="the link's id (or the start of it)")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    _common(a)
    a.set_defaults(func=cmd_share_activity)


def _common(a: argparse.ArgumentParser) -> None:
    a.add_argument("--user", help="the server user whose links these are (default: the library's own user)")
    a.add_argument("--url", default=None, help=f"the server's public URL, for printing links (default {DEFAULT_URL})")


def _user_id(lib: LibraryService, args: argparse.Namespace) -> int:
    return lib.get_user(args.user).id if args.user else lib.local_user_id


def _find(items: list[ClientRecord] | list[CampaignRecord], ref: str, what: str) -> str:
    hits = [x.id for x in items if x.id == ref or x.name.casefold() == ref.strip().casefold()]
    if not hits:
        raise NotFound(f"No {what} named {ref!r} (see `atelier {what}s`)")
    if len(hits) > 1:
        raise NotFound(f"Several {what}s are named {ref!r}: use its id" + (" or add --client" if what == "campaign" else ""))
    return hits[0]


def _expiry(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise InvalidInput(f"--expires wants a date as YYYY-MM-DD, not {text!r}") from None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)  # the whole last day


def _password(from_stdin: bool) -> str | None:
    if not from_stdin:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise InvalidInput("No password on stdin")
    return password


def _shares(lib: LibraryService):  # type: ignore[no-untyped-def]
    from app.library.shares import ShareService

    return ShareService(lib)


def cmd_share_create(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        uid = _user_id(lib, args)
        client_id = _find(lib.list_clients(uid), args.client, "client") if args.client else None
        campaign_id = None
        if args.campaign:
            campaigns = lib.list_campaigns(client_id, uid)
            campaign_id = _find(campaigns, args.campaign, "campaign")
            client_id = None  # the campaign says it all
        assets = getattr(args, "asset", [])
        megabytes = getattr(args, "max_mb", None)
        record, token = _shares(lib).create_link(
            uid, kind=args.kind, client_id=client_id, campaign_id=campaign_id, asset_ids=assets,
            expires_at=_expiry(args.expires), password=_password(args.password_stdin),
            allow_download=not getattr(args, "no_download", False),
            allow_review=not getattr(args, "no_review", False),
            quota_files=getattr(args, "max_files", None),
            quota_bytes=int(megabytes * 1024 * 1024) if megabytes else None,
        )
    base = (args.url or DEFAULT_URL).rstrip("/")
    print(f"{base}/s/{token}")
    what = "Upload link" if record.kind == "upload" else "Review link"
    options = [f"until {record.expires_at:%Y-%m-%d}" if record.expires_at else "never expires"]
    options += ["password"] if record.has_password else []
    options += ["previews only"] if not record.allow_download else []
    print(f"{what} {record.id[:8]} for {record.title}: {', '.join(options)}. "
          "The link is shown only now.", file=sys.stderr)
    return 0


def _state(r) -> str:  # type: ignore[no-untyped-def]
    if r.revoked_at:
        return "revoked"
    if r.expires_at and r.expires_at <= datetime.now(UTC):
        return "expired"
    return "active"


def cmd_share_list(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        links = _shares(lib).list_links(_user_id(lib, args))
    if args.json:
        print_json([{"id": r.id, "kind": r.kind, "title": r.title, "state": _state(r),
                     "expiresAt": r.expires_at, "password": r.has_password,
                     "download": r.allow_download, "review": r.allow_review,
                     "usedFiles": r.used_files} for r in links])
        return 0
    table(["id", "kind", "for", "state", "expires", "options"], [
        (r.id[:8], r.kind, r.title, _state(r), f"{r.expires_at:%Y-%m-%d}" if r.expires_at else "never",
         ", ".join(x for x, on in (("password", r.has_password), ("previews only", not r.allow_download),
                                  (f"{r.used_files} files in", r.kind == "upload")) if on))
        for r in links])
    return 0


def _link_id(lib: LibraryService, uid: int, ref: str) -> str:
    hits = [r.id for r in _shares(lib).list_links(uid) if r.id.startswith(ref.strip().lower())]
    if len(hits) != 1:
        raise NotFound(f"No single link starts with {ref!r} (see `atelier share list`)")
    return hits[0]


def cmd_share_revoke(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        uid = _user_id(lib, args)
        record = _shares(lib).revoke(uid, _link_id(lib, uid, args.link))
    print(f"Revoked link {record.id[:8]} ({record.title}): it no longer opens.")
    return 0


def cmd_share_activity(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        uid = _user_id(lib, args)
        events = _shares(lib).activity(uid, _link_id(lib, uid, args.link))
        names = lib.get_assets([e.asset_id for e in events if e.asset_id])
    if args.json:
        print_json([{"kind": e.kind, "actor": e.actor, "assetId": e.asset_id, "detail": e.detail,
                     "at": e.created_at} for e in events])
        return 0
    table(["when", "what", "who", "asset / detail"], [
        (f"{e.created_at:%Y-%m-%d %H:%M}", e.kind, e.actor or "",
         (names[e.asset_id].name if e.asset_id in names else "") + (f" ({e.detail})" if e.detail else ""))
        for e in events])
    return 0
