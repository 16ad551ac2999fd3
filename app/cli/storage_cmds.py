"""`atelier storage migrate --to s3://...`: move a server's files from assets/ into an object store."""

from __future__ import annotations

import argparse
import sys

from app.cli.context import open_library, s3_endpoint


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("storage", help="where a server's files live")
    ssub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = ssub.add_parser(
        "migrate",
        help="copy every file of the library's assets/ folder into an object store "
        "(resumable; each object is read back and checked against its sha256)",
    )
    a.add_argument("--to", required=True, metavar="S3_URL", help="s3://bucket/prefix")
    a.set_defaults(func=cmd_migrate)


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.library.blobs import StoreLocation, parse_s3_url
    from app.library.store_migration import migrate_files

    parse_s3_url(args.to)
    args.storage = None  # read from the library's own folder
    with open_library(args) as lib:
        dest = StoreLocation(args.to, s3_endpoint(args)).folder(lib.data_dir, "assets")

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\r{done}/{total} assets", end="", file=sys.stderr, flush=True)

        report = migrate_files(lib, dest, progress)  # type: ignore[arg-type]
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Copied {report.copied} file(s); {report.already} already there and verified")
    for name in report.missing:
        print(f"missing from the library folder: {name}")
    for name in report.mismatched:
        print(f"read back with another sha256 (not kept; run again): {name}")
    if report.missing or report.mismatched:
        return 1
    print(f"Now serve with: atelier serve --storage {args.to}")
    return 0
