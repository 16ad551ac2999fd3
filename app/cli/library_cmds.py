"""Library commands: import, list, show, edit, delete, clients, campaigns, check."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli import find_cmds
from app.cli.context import (
    open_library,
    resolve_asset_id,
    resolve_campaign,
    resolve_client,
    user_scope,
)
from app.cli.output import confirm, print_json, table
from app.core.formats import ASSET_TYPES
from app.core.units import human_duration, human_size
from app.library.records import UNSET, AssetChanges, AssetQuery, ImportProgress, ImportReport

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from app.api.schemas import AssetRead
    from app.library.records import AssetRecord


def asset_read(r: AssetRecord) -> AssetRead:
    # The wire models load pydantic (a sixth of a second); only list/show/edit --json need them.
    from app.library.wire import asset_read as to_wire

    return to_wire(r)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("import", help="import files and folders into the library")
    p.add_argument("paths", nargs="+", type=Path, help="files or folders (recursive)")
    p.add_argument("--client", help="file under this client (created if missing)")
    p.add_argument("--campaign", help="file under this campaign of the client (created if missing)")
    p.add_argument("--tag", action="append", default=[], help="add a tag (repeatable)")
    p.add_argument("--allow-duplicates", action="store_true", help="import exact duplicates too")
    p.add_argument("--workers", type=int, help="processes to use (default: every core)")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("list", help="list assets (the desktop user's, unless --user or --all-users)")
    p.add_argument("--type", choices=ASSET_TYPES, help="only assets of this type")
    p.add_argument("--client", help="only this client's assets (name or id)")
    p.add_argument("--campaign", help="only this campaign's assets (name or id)")
    p.add_argument("--unassigned", action="store_true", help="only assets without client/campaign")
    p.add_argument("--search", help="text in name or tags")
    p.add_argument(
        "--sort", choices=["newest", "oldest", "name", "size", "type"], default="newest",
        help="order of the list (default: newest first)",
    )  # fmt: skip
    p.add_argument("--limit", type=int, default=100, help="show at most this many (default 100)")
    p.add_argument("--offset", type=int, default=0, help="skip this many first (default 0)")
    p.add_argument("--review-status", choices=["approved", "changes_requested", "commented", "unreviewed"],
                   help="only assets whose latest client review is this (share links)")
    _user_options(p)
    find_cmds.add_list_options(p)
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="show every field of an asset")
    p.add_argument("id", help=ID_HELP)
    p.add_argument("--user", help="look the id up among this server user's assets only")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("edit", help="rename, tag or refile an asset")
    p.add_argument("id", help=ID_HELP)
    p.add_argument("--name", help="new name")
    p.add_argument("--tags", help="comma-separated; replaces the tags ('' clears)")
    p.add_argument("--client", help="client name or id, created if missing ('' to unassign)")
    p.add_argument("--campaign", help="campaign name or id, created if missing ('' to unassign)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("delete", help="delete assets (file and thumbnail too)")
    p.add_argument("ids", nargs="+", help="asset ids, or unambiguous starts of them")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("clients", help="list, add, rename or delete clients")
    csub = p.add_subparsers(dest="action")
    p.set_defaults(func=cmd_clients, action="list")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    a = csub.add_parser("add", help="create a client")
    a.add_argument("name", help="the new client's name")
    a = csub.add_parser("rename", help="rename a client")
    a.add_argument("client", help=CLIENT_HELP)
    a.add_argument("new_name", help="its new name")
    a = csub.add_parser("delete", help="delete a client, its campaigns and their assets")
    a.add_argument("client", help=CLIENT_HELP)
    a.add_argument("--yes", "-y", action="store_true", help="do not ask")

    p = sub.add_parser("campaigns", help="list, add, rename or delete campaigns")
    p.add_argument("--client", help="only this client's campaigns")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    csub = p.add_subparsers(dest="action")
    p.set_defaults(func=cmd_campaigns, action="list")
    a = csub.add_parser("add", help="create a campaign under a client")
    a.add_argument("client", help=CLIENT_HELP)
    a.add_argument("name", help="the new campaign's name")
    for action, what in (("rename", "rename a campaign"), ("delete", "delete a campaign and its assets")):
        a = csub.add_parser(action, help=what)
        a.add_argument("campaign", help="campaign name or id")
        # Also accepted after the action; SUPPRESS keeps one given before it.
        a.add_argument("--client", default=argparse.SUPPRESS, help="the client whose campaign it is")
        if action == "rename":
            a.add_argument("new_name", help="its new name")
        else:
            a.add_argument("--yes", "-y", action="store_true", help="do not ask")

    p = sub.add_parser("check", help="check the library's integrity (every user's assets)")
    p.add_argument(
        "--repair",
        action="store_true",
        help="fix what can be fixed (changed files are restored from a remote or set aside)",
    )
    p.add_argument("--quick", action="store_true", help="skip re-hashing every file")
    p.add_argument("--yes", "-y", action="store_true", help="remove rows whose file is gone without asking")
    p.add_argument(
        "--metadata", action="store_true",
        help="read metadata, palette and likeness of assets imported before Atelier read them",
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_check)
    find_cmds.register(sub)


ID_HELP = "asset id, or an unambiguous start of it (as git takes commits)"
JSON_HELP = "machine-readable output"
CLIENT_HELP = "client name or id"


def _user_options(p: argparse.ArgumentParser) -> None:
    whose = p.add_mutually_exclusive_group()
    whose.add_argument("--user", help="a server user's assets instead of the desktop user's")
    whose.add_argument("--all-users", action="store_true", help="every user's assets")


def _progress_printer(enabled: bool):  # type: ignore[no-untyped-def]
    def show(p: ImportProgress) -> None:
        if enabled and p.total:
            sys.stderr.write(
                f"\r{p.done}/{p.total}  imported {p.imported}  duplicates {p.duplicates}"
                f"  rejected {p.rejected}  {p.current[:40]:<40}"
            )
            sys.stderr.flush()

    return show


def cmd_import(args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"No such file or folder: {missing[0]}")
    # Imported here: it loads Pillow and libmagic, which only `import` needs.
    from app.library.importer import expand, start_workers

    ignored: list[Path] = []
    files = expand(args.paths, ignored, None)
    workers = min(args.workers or os.cpu_count() or 1, len(files))
    # Started before the library opens: the workers load their code while this process
    # loads the database's, instead of after it.
    pool = start_workers(workers) if workers > 1 else None
    try:
        report = _import_files(args, files, max(workers, 1), pool)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    report.ignored[:0] = ignored
    return _print_import_report(args, report)


def _import_files(
    args: argparse.Namespace, files: list[Path], workers: int, pool: Executor | None
) -> ImportReport:
    with open_library(args) as lib:
        client = resolve_client(lib, args.client, create=True) if args.client else None
        if args.campaign and client is None:
            raise ValueError("--campaign needs --client")
        campaign = resolve_campaign(lib, args.campaign, client, create=True) if args.campaign else None
        target = lib.default_target(
            client_id=client.id if client else None,
            campaign_id=campaign.id if campaign else None,
            tags=tuple(args.tag),
        )
        interactive = sys.stderr.isatty() and not args.json
        report = lib.import_paths(
            files,
            target,
            allow_duplicates=args.allow_duplicates,
            progress=_progress_printer(interactive),
            workers=workers,
            executor=pool,
        )
        if interactive:
            sys.stderr.write("\n")
    return report


def _print_import_report(args: argparse.Namespace, report: ImportReport) -> int:
    if args.json:
        print_json(
            {
                "imported": [{"id": r.id, "name": r.name, "type": r.asset_type} for r in report.imported],
                "duplicates": [
                    {"path": str(d.path), "duplicateOf": d.existing_id or None, "name": d.existing_name}
                    for d in report.duplicates
                ],
                "rejected": [{"path": str(r.path), "reason": r.reason} for r in report.rejected],
                "ignored": [str(p) for p in report.ignored],
                "looksLike": [
                    {"id": a, "name": n, "like": b, "likeName": m, "bits": d}
                    for a, n, b, m, d in report.looks_like
                ],
            }
        )
    else:
        print(
            f"Imported {len(report.imported)}, skipped {len(report.duplicates)} duplicate(s), "
            f"rejected {len(report.rejected)}."
        )
        for d in report.duplicates:
            print(f"  duplicate  {d.path}: same file as {d.existing_name!r} {d.existing_id}".rstrip())
        for r in report.rejected:
            print(f"  rejected   {r.path}: {r.reason}")
        find_cmds.print_looks_like(report)
    return 1 if report.rejected else 0


def _query(args: argparse.Namespace, lib) -> AssetQuery:  # type: ignore[no-untyped-def]
    uid = user_scope(lib, args)
    client = resolve_client(lib, args.client, user_id=uid) if args.client else None
    campaign = resolve_campaign(lib, args.campaign, client, user_id=uid) if args.campaign else None
    return AssetQuery(
        user_id=uid,
        client_id=client.id if client else None,
        campaign_id=campaign.id if campaign else None,
        asset_type=args.type,
        text=args.search,
        unassigned=args.unassigned,
        sort=args.sort,
        review_status=getattr(args, "review_status", None),
    )


def _dimensions(r) -> str:  # type: ignore[no-untyped-def]
    if r.width and r.height:
        return f"{r.width}x{r.height}"
    if r.page_count:
        return f"{r.page_count} p."
    return ""


def cmd_list(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        query = _query(args, lib)
        if find_cmds.wants_find(args):
            rows, total = find_cmds.find_rows(args, lib, query)
        else:
            rows = lib.list_assets(query, limit=args.limit, offset=args.offset)
            total = lib.count_assets(query)
    if args.json:
        print_json([asset_read(r).model_dump(mode="json") for r in rows])
        return 0
    table(
        ["ID", "NAME", "TYPE", "FORMAT", "SIZE", "DIMENSIONS", "DURATION", "CLIENT", "CAMPAIGN"],
        [
            (
                r.id,
                r.name if len(r.name) <= 40 else r.name[:39] + "…",
                r.asset_type,
                r.format,
                human_size(r.size, ""),
                _dimensions(r),
                human_duration(r.duration, ""),
                r.client_name or "",
                r.campaign_name or "",
            )
            for r in rows
        ],
    )
    print(f"{len(rows)} of {total} asset(s)")
    return 0


def _reviews(lib, asset_id: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from app.library.shares import ShareService

    shares = ShareService(lib)
    summary = shares.review_summary([asset_id]).get(asset_id)
    status = "unreviewed"
    if summary is not None:
        status = summary.decision or ("commented" if summary.comments else "unreviewed")
    reviews = [{"reviewer": x.reviewer, "decision": x.decision, "comment": x.comment,
                "at": x.created_at.isoformat()} for x in shares.reviews_for_asset(asset_id)]
    uploader = shares.uploader(asset_id)
    sent_by = " ".join(p for p in (uploader or ()) if p) or None
    return {"reviewStatus": status, "reviews": reviews, "sentBy": sent_by}


def cmd_show(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        uid = lib.get_user(args.user).id if args.user else None
        r = lib.get_asset(resolve_asset_id(lib, args.id, uid))
        review = _reviews(lib, r.id)
        wire = asset_read(r).model_dump(mode="json")
        extra = {
            "sha256": r.sha256,
            "mime": r.mime,
            "updatedAt": wire["uploadedAt"] if r.updated_at == r.uploaded_at else r.updated_at.isoformat(),
            "clientName": r.client_name,
            "campaignName": r.campaign_name,
            "path": str(lib.file_path(r)),
            "thumbnailPath": str(lib.thumb_path(r)),
        }
        found = lib.find.metadata(r.id)
    if args.json:
        print_json({**wire, **extra, **review, "metadata": found})
        return 0
    extra.update(find_cmds.shown_metadata(found))
    width = max(len(k) for k in [*wire, *extra, "reviewStatus"])
    for key, value in [*wire.items(), *extra.items(), ("reviewStatus", review["reviewStatus"]),
                       ("sentBy", review["sentBy"])]:
        print(f"{key.ljust(width)}  {_plain(value)}")
    for note in review["reviews"]:  # type: ignore[attr-defined]
        decision = {"approved": "approved", "changes_requested": "requested changes"}.get(note["decision"] or "", "")
        text = ": ".join(x for x in (decision, note["comment"] or "") if x)
        print(f"  {note['at'][:16].replace('T', ' ')}  {note['reviewer']}: {text}")
    return 0


def _plain(value: object) -> str:
    """A field as a person reads it: tags as "a, b", nothing for None."""
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def cmd_edit(args: argparse.Namespace) -> int:
    if all(getattr(args, k) is None for k in ("name", "tags", "client", "campaign")):
        raise ValueError("Nothing to change: give --name, --tags, --client or --campaign")
    with open_library(args) as lib:
        asset_id = resolve_asset_id(lib, args.id)
        # Clients belong to a user: the asset's owner's are the ones it can be filed under,
        # and a new one is created for that owner, as `import --client NEW` does.
        owner = lib.get_asset(asset_id).user_id
        client_id: object = UNSET
        campaign_id: object = UNSET
        client = None
        if args.client is not None:
            client = resolve_client(lib, args.client, create=True, user_id=owner) if args.client else None
            client_id = client.id if client else None
        if args.campaign is not None:
            if args.campaign and client is None:
                current = lib.get_asset(asset_id).client_id
                client = lib.get_client(current, owner) if current else None
            create = client is not None
            campaign = (
                resolve_campaign(lib, args.campaign, client, create=create, user_id=owner)
                if args.campaign
                else None
            )
            campaign_id = campaign.id if campaign else None
        tags: object = UNSET
        if args.tags is not None:
            tags = [t.strip() for t in args.tags.split(",") if t.strip()] or None
        record = lib.update_asset(
            asset_id,
            AssetChanges(
                name=args.name if args.name is not None else UNSET,
                tags=tags,  # type: ignore[arg-type]
                client_id=client_id,  # type: ignore[arg-type]
                campaign_id=campaign_id,  # type: ignore[arg-type]
            ),
        )
    if args.json:
        print_json(asset_read(record).model_dump(mode="json"))
    else:
        print(f"Updated {record.name} ({record.id})")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        records = [lib.get_asset(resolve_asset_id(lib, i)) for i in args.ids]
        names = ", ".join(r.name for r in records[:3]) + ("…" if len(records) > 3 else "")
        if not confirm(f"Delete {len(records)} asset(s) ({names}) and their files?", args.yes):
            print("Nothing deleted (use --yes to confirm without a prompt).", file=sys.stderr)
            return 1
        count = lib.delete_assets([r.id for r in records])
    print(f"Deleted {count} asset(s).")
    return 0


def cmd_clients(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        if args.action == "add":
            c = lib.create_client(args.name)
            print(f"Created client {c.name} ({c.id})")
        elif args.action == "rename":
            c = lib.rename_client(resolve_client(lib, args.client).id, args.new_name)
            print(f"Renamed client to {c.name}")
        elif args.action == "delete":
            c = resolve_client(lib, args.client)
            count = lib.client_asset_count(c.id)
            campaigns = len(lib.list_campaigns(c.id))
            question = (
                f"Delete client {c.name!r}, its {campaigns} campaign(s) and {count} asset(s)? "
                "The files are deleted too."
            )
            if not confirm(question, args.yes):
                print("Nothing deleted (use --yes to confirm without a prompt).", file=sys.stderr)
                return 1
            lib.delete_client(c.id)
            print(f"Deleted client {c.name} and {count} asset(s).")
        else:
            rows = lib.list_clients()
            if args.json:
                print_json([{"id": c.id, "name": c.name, "assetCount": c.asset_count} for c in rows])
            else:
                table(["ID", "NAME", "ASSETS"], [(c.id, c.name, c.asset_count) for c in rows])
    return 0


def cmd_campaigns(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        if args.action == "add":
            client = resolve_client(lib, args.client)
            c = lib.create_campaign(client.id, args.name)
            print(f"Created campaign {c.name} for {client.name} ({c.id})")
            return 0
        scope = resolve_client(lib, args.client) if args.client else None
        if args.action == "rename":
            c = resolve_campaign(lib, args.campaign, scope)
            c = lib.rename_campaign(c.id, args.new_name)
            print(f"Renamed campaign to {c.name}")
        elif args.action == "delete":
            c = resolve_campaign(lib, args.campaign, scope)
            question = f"Delete campaign {c.name!r} and its {c.asset_count} asset(s)? The files are deleted too."
            if not confirm(question, args.yes):
                print("Nothing deleted (use --yes to confirm without a prompt).", file=sys.stderr)
                return 1
            count = lib.delete_campaign(c.id)
            print(f"Deleted campaign {c.name} and {count} asset(s).")
        else:
            clients = {c.id: c.name for c in lib.list_clients()}
            rows = lib.list_campaigns(scope.id if scope else None)
            if args.json:
                print_json(
                    [
                        {"id": c.id, "clientId": c.client_id, "client": clients.get(c.client_id),
                         "name": c.name, "assetCount": c.asset_count}
                        for c in rows
                    ]
                )
            else:
                table(
                    ["ID", "CLIENT", "NAME", "ASSETS"],
                    [(c.id, clients.get(c.client_id, ""), c.name, c.asset_count) for c in rows],
                )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    if args.metadata:
        return find_cmds.cmd_check_metadata(args)
    from app.library.integrity import LOST_FOUND
    from app.sync.restore import RemoteRestorer

    interactive = sys.stderr.isatty() and not args.json

    def show(done: int, total: int) -> None:
        if interactive:
            sys.stderr.write(f"\rchecked {done}/{total}")

    refused = False
    with open_library(args) as lib:
        restorer = RemoteRestorer(lib) if args.repair else None
        try:
            report = lib.check(
                repair=args.repair,
                verify_hashes=not args.quick,
                progress=show,
                restore=restorer,
                remove_missing=False,
            )
        finally:
            if restorer is not None:
                restorer.close()
        if interactive:
            sys.stderr.write("\n")
        if args.repair and report.gone:
            # Removing rows loses their names, tags and filing: only on an explicit yes.
            report.unrepaired = [u for u in report.unrepaired if "whose file is gone" not in u]
            n = len(report.gone)
            if confirm(f"Remove {n} asset(s) whose file is gone from the library?", args.yes):
                lib.delete_assets(report.gone)
                report.repaired.append(f"removed {n} asset(s) whose file is gone")
            else:
                refused = True
                report.unrepaired.append(f"kept {n} asset(s) whose file is gone")
    notes = restorer.notes if restorer is not None else []
    if args.json:
        print_json(
            {
                "checked": report.checked,
                "clean": report.clean,
                "issues": [
                    {"kind": i.kind, "assetId": i.asset_id, "path": str(i.path) if i.path else None,
                     "detail": i.detail}
                    for i in report.issues
                ],
                "repaired": report.repaired,
                "unrepaired": report.unrepaired,
                "notes": notes,
            }
        )
    else:
        print(f"Checked {report.checked} asset(s): " + ("no problems." if report.clean else f"{len(report.issues)} problem(s)."))
        for i in report.issues:
            print(f"  {i.kind:<18} {i.detail}")
        for line in report.repaired:
            print(f"  repaired: {line}")
        for line in report.unrepaired:
            print(f"  not repaired: {line}")
        for line in notes:
            print(f"  note: {line}")
        flagged = [i for i in report.issues if i.path is not None and i.path.parent.name == LOST_FOUND]
        if len(flagged) < len(report.issues) and not args.repair:
            print("Run `atelier check --repair` to fix them.")
        if flagged:
            # Not "run --repair" again and again: say what would actually settle them.
            print(
                f"{len(flagged)} changed file(s) wait in lost+found: `atelier check --repair` "
                "restores them once a remote holds their recorded bytes; otherwise put the "
                "file back yourself or delete the asset (`atelier delete ID`)."
            )
    if refused and not args.json:
        print(
            f"atelier: error: {len(report.gone)} asset(s) have lost their file; removing them "
            "needs confirmation: run again with --yes",
            file=sys.stderr,
        )
    if not args.repair:
        return 0 if report.clean else 1
    return 1 if report.unrepaired else 0
