"""Sync commands: remote add/list/remove, sync [--dry-run] [--force], sync status."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from app.cli.context import open_library
from app.cli.output import print_json, read_password, table
from app.core.errors import AtelierError

if TYPE_CHECKING:
    from app.library.service import LibraryService
    from app.library.sync_store import RemoteConfig
    from app.sync import SyncProgress
    from app.sync.plan import Plan

# app.sync.remotes.KINDS (a test keeps them equal): the sync engine and requests load only
# when a sync command runs, not whenever any `atelier` command builds its parser.
KINDS = ("v2", "v1")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("remote", help="servers this library syncs with")
    rsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = rsub.add_parser("add", help="connect to a server (logs in and keeps a token, never the password)")
    a.add_argument("url", help="the server's address, e.g. https://assets.example.com")
    who = a.add_mutually_exclusive_group(required=True)
    who.add_argument("--user", help="user name on the server (the password is asked for)")
    who.add_argument("--token", help="a token the server gave you")
    who.add_argument("--api-key", help="an API key (x-api-key) of a v1 server; with --kind v1")
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.add_argument("--kind", choices=KINDS, default="v2", help="the server's API dialect (default v2)")
    a.add_argument("--name", help="a short name for it (default: its host)")
    a.set_defaults(func=cmd_remote_add)
    a = rsub.add_parser("list", help="list remotes and how their last sync went")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.set_defaults(func=cmd_remote_list)
    a = rsub.add_parser("remove", help="forget a remote (its token and sync state; no asset is deleted)")
    a.add_argument("remote", help="name or address")
    a.set_defaults(func=cmd_remote_remove)

    p = sub.add_parser("sync", help="sync the library with its remote(s) in both directions")
    p.add_argument("--remote", help="only this remote (name or address)")
    p.add_argument("--dry-run", action="store_true", help="print what would be done, change nothing")
    p.add_argument("--force", action="store_true", help="go ahead even when over half of a side would be deleted")
    p.add_argument("--retry-skipped", action="store_true", help="try again files a side refused before")
    p.set_defaults(func=cmd_sync, action="run")
    ssub = p.add_subparsers(dest="action", metavar="ACTION")
    a = ssub.add_parser("status", help="last sync, and what is waiting in each direction")
    a.add_argument("--remote", help="only this remote (name or address)")
    a.add_argument("--offline", action="store_true", help="do not ask the server, count local changes only")
    a.set_defaults(func=cmd_status)
    a = ssub.add_parser("log", help="what the last syncs changed on each side, with the values replaced")
    a.add_argument("--remote", help="only this remote (name or address)")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.set_defaults(func=cmd_log)


def _read_password(args: argparse.Namespace) -> str:
    return read_password(
        args.password_stdin,
        f"Password for {args.user} at {args.url}: ",
        other_way="--password-stdin or --token",
    )


def cmd_remote_add(args: argparse.Namespace) -> int:
    if args.api_key and args.kind != "v1":
        raise ValueError("--api-key is for a v1 server: add --kind v1")
    from app.sync import add_remote

    password = _read_password(args) if args.user else None
    with open_library(args) as lib:
        config = add_remote(
            lib, args.url, username=args.user, password=password, token=args.token or args.api_key,
            kind=args.kind, name=args.name,
        )
    who = f" as {config.username}" if config.username else ""
    print(f"Added remote {config.name!r} ({config.url}){who}. Run `atelier sync` to sync.")
    return 0


def _when(value: datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "never"


def _status_text(r: RemoteConfig) -> str:
    if r.last_status in (None, "ok"):
        return r.last_status or ""
    return f"{r.last_status}: {r.last_error}" if r.last_error else r.last_status


def cmd_remote_list(args: argparse.Namespace) -> int:
    from app.sync import SyncStore

    with open_library(args) as lib:
        remotes = SyncStore(lib).list_remotes()
    if args.json:
        print_json(
            [
                {
                    "name": r.name, "url": r.url, "kind": r.kind, "user": r.username,
                    "lastSync": r.last_sync_at.isoformat() if r.last_sync_at else None,
                    "status": r.last_status, "error": r.last_error,
                }
                for r in remotes
            ]
        )
        return 0
    if not remotes:
        print("No remotes. Add one with `atelier remote add URL --user NAME`.")
        return 0
    table(
        ["name", "address", "kind", "user", "last sync", "status"],
        [(r.name, r.url, r.kind, r.username or "(token)", _when(r.last_sync_at), _status_text(r)) for r in remotes],
    )
    return 0


def cmd_remote_remove(args: argparse.Namespace) -> int:
    from app.sync import remove_remote

    with open_library(args) as lib:
        config = remove_remote(lib, args.remote)
    print(f"Removed remote {config.name!r}; the library's assets are untouched.")
    return 0


def _remotes(lib: LibraryService, ref: str | None) -> list[RemoteConfig]:
    from app.sync import SyncStore

    store = SyncStore(lib)
    if ref is not None:
        return [store.get_remote(ref)]
    remotes = store.list_remotes()
    if not remotes:
        raise ValueError("No remote yet: add one with `atelier remote add URL --user NAME`")
    return remotes


def _print_plan(plan: Plan) -> None:
    how = "change feed" if plan.mode == "feed" else "full listing"
    print(f"Server: {plan.caps.server} ({how})")
    for line in plan.warnings:
        print(f"warning: {line}")
    actions = plan.visible()
    if not actions:
        print("Nothing to do: in sync.")
        return
    print(f"Plan: {plan.summary()}")
    for action in actions:
        print(f"  {action.describe()}")


class _Printer:
    """One line per step; on a terminal, transfers also show a running percentage."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""

    def __call__(self, p: SyncProgress) -> None:
        if p.message == "done":
            if self.tty and self.last:
                sys.stderr.write("\n")
            return
        if p.message != self.last:
            if self.tty and self.last:
                sys.stderr.write("\n")
            self.last = p.message
            line = f"[{p.done + 1}/{p.total}] {p.message}"
            if self.tty:
                sys.stderr.write(line)
            else:
                print(line, flush=True)
        elif self.tty and p.bytes_total:
            pct = min(100, p.bytes_done * 100 // max(p.bytes_total, 1))
            sys.stderr.write(f"\r[{p.done + 1}/{p.total}] {p.message} {pct}%")
        if self.tty:
            sys.stderr.flush()


def cmd_sync(args: argparse.Namespace) -> int:
    from app.sync import SyncEngine, SyncStore

    failed = False
    with open_library(args) as lib:
        remotes = _remotes(lib, args.remote)
        for config in remotes:
            if len(remotes) > 1:
                print(f"== {config.name} ({config.url})")
            if args.retry_skipped:
                SyncStore(lib).clear_skipped(config.id)
            engine = SyncEngine(lib, config)
            report = engine.run(
                dry_run=args.dry_run, force=args.force, progress=_Printer(), on_plan=_print_plan
            )
            if args.dry_run:
                print("Dry run: nothing was changed.")
                continue
            done = report.outcome.done
            print(
                f"Done: {done.get('upload', 0)} uploaded, {done.get('download', 0)} downloaded, "
                f"{done.get('edit', 0)} updated, {done.get('delete-remote', 0)} deleted on the server, "
                f"{done.get('delete-local', 0)} deleted here, {done.get('link', 0)} matched."
            )
            for line in report.outcome.skipped:
                print(f"skipped: {line}")
            for line in report.outcome.failed:
                print(f"failed: {line}", file=sys.stderr)
            failed = failed or not report.ok
    return 1 if failed else 0


def cmd_status(args: argparse.Namespace) -> int:
    from app.client.errors import ServerUnreachable
    from app.sync import SyncEngine

    with open_library(args) as lib:
        for config in _remotes(lib, args.remote):
            engine = SyncEngine(lib, config)
            print(f"{config.name} ({config.url})")
            print(f"  last sync: {_when(config.last_sync_at)}")
            if config.last_status and config.last_status != "ok":
                print(f"  last attempt: {_status_text(config)}")
            skipped = [l for l in engine.store.links(config.id) if l.state == "skipped"]
            for link in skipped:
                print(f"  skipped ({'upload' if link.direction == 'up' else 'download'}): {link.note}")
            if args.offline:
                print(f"  waiting here: {engine.pending_here()} change(s)")
                continue
            try:
                plan = engine.plan()
            except ServerUnreachable as exc:
                print(f"  offline: {exc}; {engine.pending_here()} change(s) waiting here")
                continue
            except AtelierError as exc:
                print(f"  error: {exc}")
                continue
            if not plan.visible():
                print("  in sync")
            else:
                print(f"  {plan.counts_text()}")
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    """Every field the last syncs changed, the value it replaced and both edit times."""
    from app.sync import SyncStore

    with open_library(args) as lib:
        remote_id = SyncStore(lib).get_remote(args.remote).id if args.remote else None
        entries = lib.sync_history(remote_id)
    if args.json:
        print_json([e.as_json() for e in entries])
        return 0
    if not entries:
        print("No sync has changed anything yet.")
        return 0
    shown = None
    for e in entries:
        if e.sync_id != shown:
            shown = e.sync_id
            print(f"sync with {e.remote_name} at {_when(e.synced_at)}")
        where = "here" if e.side == "here" else "on the server"
        lost = " (lost a conflict)" if e.conflict else ""
        data = e.as_json()
        print(
            f"  {e.label}: {e.field} {where}: {e.old_value!r} -> {e.new_value!r}{lost}"
            f" [replaced edit {data['oldEditedAt'] or '?'}, winning edit {data['newEditedAt'] or '?'}]"
        )
    return 0
