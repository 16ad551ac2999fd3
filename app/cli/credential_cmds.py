"""Bearer tokens (v2) and API keys (v1): one set of commands for both kinds of credential."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from app.cli.context import open_library
from app.cli.output import print_tokens
from app.library.errors import AuthenticationFailed, NotFound


@dataclass(frozen=True)
class Kind:
    command: str  # atelier <command> ...
    kind: str  # the library's name for it
    noun: str
    about: str


KINDS = (
    Kind("tokens", "bearer", "token", "Bearer tokens for the v2 API: create, list, revoke"),
    Kind("keys", "apikey", "API key", "API keys for the v1 dialect (x-api-key): create, list, revoke"),
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    for k in KINDS:
        p = sub.add_parser(k.command, help=k.about)
        p.set_defaults(credential=k)
        ksub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
        a = ksub.add_parser("create", help=f"create a {k.noun} for a user and print it (shown only once)")
        a.add_argument("name", help="user name")
        a.add_argument("--label", help=f"a note to tell {k.noun}s apart, e.g. the tool that uses it")
        a.add_argument(
            "--create-user", action="store_true", help="create the user (without a password) if missing"
        )
        a.set_defaults(func=cmd_create)
        a = ksub.add_parser("list", help=f"list a user's {k.noun}s (the secrets themselves are not stored)")
        a.add_argument("name", help="user name")
        a.add_argument("--json", action="store_true", help="machine-readable output")
        a.set_defaults(func=cmd_list)
        a = ksub.add_parser("revoke", help=f"revoke a {k.noun}, given the {k.noun} itself or its number")
        a.add_argument("secret", metavar=k.noun.split()[-1].upper(), help=f"the {k.noun}, or its number in the list")
        a.set_defaults(func=cmd_revoke)
        a = ksub.add_parser("revoke-all", help=f"revoke every {k.noun} of a user")
        a.add_argument("name", help="user name")
        a.set_defaults(func=cmd_revoke_all)


def cmd_create(args: argparse.Namespace) -> int:
    k: Kind = args.credential
    with open_library(args) as lib:
        try:
            lib.get_user(args.name)
        except NotFound:
            if not args.create_user:
                raise NotFound(f"No user named {args.name!r} (add --create-user to create it)") from None
            lib.create_user(args.name, None)
            print(f"Created user {args.name}", file=sys.stderr)
        secret = lib.create_token(args.name, kind=k.kind, label=args.label)
    print(secret)
    if sys.stdout.isatty():
        print("Keep it now: only its hash is stored, it cannot be shown again.", file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    k: Kind = args.credential
    with open_library(args) as lib:
        rows = lib.list_tokens(args.name, kind=k.kind)
    print_tokens(rows, args.json, f"{args.name} has no {k.noun}s (atelier {k.command} create {args.name})")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    k: Kind = args.credential
    secret = args.secret.strip()
    with open_library(args) as lib:
        # Only "no such credential" is reported as such; anything else (a database that
        # cannot be written) keeps its own message.
        try:
            if secret.isdigit():
                lib.revoke_token_id(int(secret), kind=k.kind)
            else:
                lib.user_for_token(secret, kind=k.kind)  # a token is not a key, and back
                lib.revoke_token(secret)
        except (NotFound, AuthenticationFailed):
            raise NotFound(f"No such active {k.noun} (see `atelier {k.command} list USER`)") from None
    print(f"{k.noun[0].upper()}{k.noun[1:]} revoked")
    return 0


def cmd_revoke_all(args: argparse.Namespace) -> int:
    k: Kind = args.credential
    with open_library(args) as lib:
        count = lib.revoke_tokens(args.name, kind=k.kind)
    print(f"Revoked {count} {k.noun}(s) of {args.name}")
    return 0
