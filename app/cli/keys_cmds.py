"""API keys for the v1 dialect (the x-api-key header): create, list, revoke."""

from __future__ import annotations

import argparse
import sys

from app.cli.context import open_library
from app.cli.output import print_tokens
from app.library.errors import AuthenticationFailed, NotFound

KIND = "apikey"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("keys", help="API keys for the v1 dialect (x-api-key)")
    ksub = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    a = ksub.add_parser("create", help="create a key for a user and print it (shown only once)")
    a.add_argument("user", help="user name")
    a.add_argument("--label", help="a note to tell keys apart, e.g. the tool that uses it")
    a.add_argument(
        "--create-user", action="store_true", help="create the user (without a password) if missing"
    )
    a.set_defaults(func=cmd_create)

    a = ksub.add_parser("list", help="list a user's keys (the secrets themselves are not stored)")
    a.add_argument("user")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_list)

    a = ksub.add_parser("revoke", help="revoke a key, given the key or its number (keys list)")
    a.add_argument("key")
    a.set_defaults(func=cmd_revoke)


def cmd_create(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        try:
            lib.get_user(args.user)
        except NotFound:
            if not args.create_user:
                raise NotFound(
                    f"No user named {args.user!r} (add --create-user to create it)"
                ) from None
            lib.create_user(args.user, None)
            print(f"Created user {args.user}", file=sys.stderr)
        key = lib.create_token(args.user, kind=KIND, label=args.label)
    print(key)
    if sys.stdout.isatty():
        print("Keep it now: only its hash is stored, it cannot be shown again.", file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        keys = lib.list_tokens(args.user, kind=KIND)
    print_tokens(keys, args.json, f"{args.user} has no API keys (atelier keys create {args.user})")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    with open_library(args) as lib:
        try:
            if args.key.isdigit():
                lib.revoke_token_id(int(args.key), kind=KIND)
            else:
                lib.user_for_token(args.key.strip(), kind=KIND)  # a Bearer token is not a key
                lib.revoke_token(args.key.strip())
        except (NotFound, AuthenticationFailed):
            raise NotFound("No such active API key (see `atelier keys list USER`)") from None
    print("Revoked")
    return 0
