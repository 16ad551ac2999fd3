"""Small helpers for human-readable tables, prompts (yes/no, passwords), and JSON output."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], out=None) -> None:  # type: ignore[no-untyped-def]
    out = out or sys.stdout
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip(), file=out)
        if n == 0:
            print("  ".join("-" * w for w in widths), file=out)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def confirm(question: str, assume_yes: bool) -> bool:
    """Ask on a terminal; without one, only --yes says yes (scripts must be explicit)."""
    if assume_yes:
        return True
    if not sys.stdin or not sys.stdin.isatty():
        return False
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def print_tokens(tokens: Sequence[Any], as_json: bool, empty: str) -> None:
    """Bearer tokens or API keys (TokenRecord): never the secret, only what identifies them."""
    if as_json:
        print_json(
            [
                {
                    "id": t.id,
                    "label": t.label,
                    "createdAt": t.created_at.isoformat(),
                    "revokedAt": t.revoked_at.isoformat() if t.revoked_at else None,
                }
                for t in tokens
            ]
        )
    elif not tokens:
        print(empty)
    else:
        table(
            ["#", "LABEL", "CREATED (UTC)", "STATUS"],
            [
                (
                    t.id,
                    t.label or "",
                    t.created_at.strftime("%Y-%m-%d %H:%M"),
                    f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active",
                )
                for t in tokens
            ],
        )


def read_password(
    from_stdin: bool, prompt: str = "Password: ", *, repeat: bool = False, other_way: str = "--password-stdin"
) -> str:
    """A password from stdin's first line (--password-stdin) or asked on the terminal.

    repeat: a new password is typed twice. other_way names what a script may use instead
    when there is no terminal to ask on.
    """
    if from_stdin:
        line = sys.stdin.readline() if sys.stdin else ""
        if not line:
            raise ValueError("No password on standard input")
        password = line.rstrip("\r\n")
    else:
        if not sys.stdin or not sys.stdin.isatty():
            raise ValueError(f"No terminal to ask for a password: use {other_way}")
        password = getpass.getpass(prompt)
        if repeat and getpass.getpass("Repeat it: ") != password:
            raise ValueError("The passwords do not match")
    if not password:
        raise ValueError("A password cannot be empty")
    return password
