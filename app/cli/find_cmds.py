"""Finding commands: rate, label, rights, smart folders, and the find side of list, show and check."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from app.cli.context import open_library, resolve_campaign
from app.cli.output import print_json, table
from app.library.find_fields import FIELDS, LABELS

if TYPE_CHECKING:
    from app.library.records import AssetQuery, AssetRecord
    from app.library.service import LibraryService

WHERE_HELP = (
    "a rule FIELD OP VALUE, e.g. rating>=4, color=#c0392b, label=red, text~beach, "
    "rights=expiring, similar=<asset id> (repeatable; all must match unless --any). Fields: "
    + ", ".join(sorted(FIELDS))
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("rate", help="give assets 0-5 stars")
    p.add_argument("rating", type=int, help="0 (none) to 5")
    p.add_argument("ids", nargs="+", help="asset ids (or unambiguous starts of them)")
    p.set_defaults(func=cmd_rate)

    p = sub.add_parser("label", help="give assets a colour label (or none)")
    p.add_argument("label", choices=[*LABELS, "none"], help="the colour label (none clears it)")
    p.add_argument("ids", nargs="+", help="asset ids (or unambiguous starts of them)")
    p.set_defaults(func=cmd_label)

    p = sub.add_parser("rights", help="show or set usage rights of an asset or a campaign")
    p.add_argument("id", nargs="?", help="asset id (or use --campaign)")
    p.add_argument("--campaign", help="set the rights every asset of this campaign inherits")
    p.add_argument("--licence", "--license", dest="licence", help="the licence, e.g. RF, RM, CC BY 4.0")
    p.add_argument("--source", help="where the asset came from (agency, photographer, URL)")
    p.add_argument("--credit", help="the credit line to print with it")
    p.add_argument("--valid-from", help="YYYY-MM-DD ('' clears)")
    p.add_argument("--valid-until", help="YYYY-MM-DD ('' clears)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_rights)

    p = sub.add_parser("smart", help="saved searches (smart folders): list, add, remove")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    ssub = p.add_subparsers(dest="action")
    p.set_defaults(func=cmd_smart, action="list")
    a = ssub.add_parser("add", help="save a search")
    a.add_argument("name", help="the smart folder's name")
    a.add_argument("--where", action="append", required=True, help=WHERE_HELP)
    a.add_argument("--any", action="store_true", help="match any rule instead of all")
    a = ssub.add_parser("remove", help="delete a saved search")
    a.add_argument("name", help="its name or id")


def add_list_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--where", action="append", default=[], help=WHERE_HELP)
    p.add_argument("--any", action="store_true", help="with --where: match any rule instead of all")
    p.add_argument("--smart", help="only the assets of this smart folder (name or id)")


def wants_find(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "where", None) or getattr(args, "smart", None))


def find_rows(
    args: argparse.Namespace, lib: LibraryService, query: AssetQuery
) -> tuple[list[AssetRecord], int]:
    """The page and total of `list --where/--smart`, within the other list options."""
    from dataclasses import replace

    if args.smart:
        folder = lib.find.smart_folder(args.smart, lib.local_user_id)
        f = lib.find.folder_find(folder, lib.local_user_id)
        f = replace(f, base=query, rules=f.rules + lib.find.where(args.where).rules)
    else:
        f = lib.find.where(args.where, "any" if args.any else "all", query)
    return lib.find.search(f, limit=args.limit, offset=args.offset), lib.find.count(f)


def cmd_rate(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        n = lib.find.set_rating(args.ids, args.rating)
    print(f"Rated {n} asset(s) {'★' * args.rating or 'no stars'}")
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        n = lib.find.set_label(args.ids, args.label)
    print(f"Labelled {n} asset(s) {args.label}")
    return 0


def cmd_rights(args: argparse.Namespace) -> int:
    fields: dict[str, Any] = {
        k: getattr(args, k)
        for k in ("licence", "source", "credit", "valid_from", "valid_until")
        if getattr(args, k) is not None
    }
    for key in ("licence", "source", "credit"):
        if fields.get(key) == "":
            fields[key] = None
    with open_library(args) as lib:
        if args.campaign:
            if args.id:
                print("atelier: error: give an asset id or --campaign, not both", file=sys.stderr)
                return 2
            campaign = resolve_campaign(lib, args.campaign, None)
            if not fields:
                print("atelier: error: nothing to set (use --licence, --valid-until, ...)", file=sys.stderr)
                return 2
            lib.find.set_rights(campaign_id=campaign.id, **fields)
            print(f"Set the rights of campaign {campaign.name}")
            return 0
        if not args.id:
            print("atelier: error: give an asset id or --campaign", file=sys.stderr)
            return 2
        if fields:
            lib.find.set_rights(asset_id=args.id, **fields)
        rights = lib.find.rights(args.id)
    data = {
        "licence": rights.licence, "source": rights.source, "credit": rights.credit,
        "validFrom": rights.valid_from.date().isoformat() if rights.valid_from else None,
        "validUntil": rights.valid_until.date().isoformat() if rights.valid_until else None,
        "status": rights.status, "inherited": list(rights.inherited),
    }
    if args.json:
        print_json(data)
    else:
        for key, value in data.items():
            if key == "inherited":
                value = ", ".join(value) or None
            print(f"{key.ljust(10)}  {'' if value is None else value}")
    return 0


def cmd_smart(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        user = lib.local_user_id
        if args.action == "add":
            folder = lib.find.add_smart(args.name, args.where, "any" if args.any else "all", user)
            count = lib.find.count(lib.find.folder_find(folder, user))
            print(f"Saved smart folder {folder.name!r} ({count} asset(s))")
            return 0
        if args.action == "remove":
            lib.find.remove_smart(args.name, user)
            print(f"Removed smart folder {args.name!r}")
            return 0
        folders = lib.find.smart_folders(user)
    if args.json:
        print_json(
            [{"id": f.id, "name": f.name, "match": f.match, "rules": [str(r) for r in f.rules],
              "count": f.count} for f in folders]
        )
        return 0
    table(
        ["ID", "NAME", "COUNT", "MATCH", "RULES"],
        [(f.id, f.name, f.count, f.match, " ".join(str(r) for r in f.rules)) for f in folders],
    )
    return 0


def cmd_check_metadata(args: argparse.Namespace) -> int:
    """`atelier check --metadata`: read metadata, palette and hash of assets imported before."""
    interactive = sys.stderr.isatty() and not args.json

    def show(done: int, total: int) -> None:
        if interactive:
            sys.stderr.write(f"\rread metadata {done}/{total}")

    with open_library(args) as lib:
        done, failed = lib.find.backfill(progress=show)
    if interactive and done:
        sys.stderr.write("\n")
    if args.json:
        print_json({"read": done, "unreadable": failed})
    else:
        print(f"Read the metadata of {done} asset(s)" + (f"; {failed} could not be read." if failed else "."))
    return 0


def shown_metadata(found: dict[str, Any]) -> dict[str, object]:
    """The find side of `atelier show`: rating, label, palette, rights, then every field read."""
    rights = found["rights"]
    out: dict[str, object] = {
        "rating": "★" * found["rating"] or "-",
        "label": found["label"],
        "palette": " ".join(f"{c['hex']} {round(c['share'] * 100)}%" for c in found["palette"]) or None,
        "rights": rights["status"] if rights["status"] != "none" else None,
    }
    for key in ("licence", "credit", "validUntil"):
        if rights.get(key):
            out[key] = rights[key]
    for key, value in found["fields"].items():
        out[key] = ", ".join(map(str, value)) if isinstance(value, list) else value
    return out


def print_looks_like(report: Any) -> None:
    for asset_id, name, like_id, like_name, bits in report.looks_like:
        print(f"  looks like {name!r} {asset_id}: like {like_name!r} {like_id} ({bits} bits apart)")
