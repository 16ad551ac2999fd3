"""Entry point of the `atelier` command: parses arguments and turns errors into one clear line."""

from __future__ import annotations

import argparse
import errno
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app import __app_name__, __version__
from app.core.errors import AtelierError

# Each module adds its commands with register(subparsers); front ends that are not
# installed (no server or GUI extras in a frozen build) are skipped quietly.
COMMAND_MODULES = [
    "app.cli.library_cmds",
    "app.cli.credential_cmds",
    "app.cli.server_cmds",
    "app.cli.share_cmds",
    "app.cli.storage_cmds",
    "app.cli.sync_cmds",
    "app.cli.update_cmds",
]


# Library options a user may also type after the command (`atelier import X --data-dir D`).
LIBRARY_OPTIONS: list[tuple[str, dict[str, object]]] = [
    ("--data-dir", {"help": "library folder (default: ATELIER_DATA_DIR or the per-user data folder)"}),
    ("--db-url", {"help": "database URL instead of the library's SQLite file"}),
    ("--max-size-mb", {"type": float, "help": "largest file accepted, in MB (default 50)"}),
    ("--storage", {"help": "where a server's files live: s3://bucket/prefix (default: the library's assets/ folder)"}),
    ("--s3-endpoint", {"help": "URL of an S3-compatible store (default: ATELIER_S3_ENDPOINT, else AWS)"}),
]


def library_options(default: object = None) -> argparse.ArgumentParser:
    """The library options, defined once, as a parent parser (argparse parents=).

    Subcommands get them with default=SUPPRESS, so that a value given before the command
    (`atelier --data-dir D list`) is not reset by the subcommand's own default.
    """
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("library options")
    for flag, options in LIBRARY_OPTIONS:
        group.add_argument(flag, default=default, **options)  # type: ignore[arg-type]
    return parent


class CommandParser(argparse.ArgumentParser):
    """A command's parser: it accepts the library options too, as do its own subcommands."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["parents"] = [*kwargs.get("parents", ()), library_options(argparse.SUPPRESS)]
        super().__init__(*args, **kwargs)


class TopParser(argparse.ArgumentParser):
    """The `atelier` parser; it keeps its command names (split_open_paths needs them) from
    add_subparsers' own answer, rather than walking argparse's private _actions for them."""

    commands: frozenset[str] = frozenset()


def build_parser() -> TopParser:
    parser = TopParser(
        prog="atelier",
        description=f"{__app_name__}: an asset manager for designers. "
        "Without a command, opens the window; files or folders named instead of a command "
        "are imported there (as a desktop's \"Open with Atelier\" does).",
        parents=[library_options()],
    )
    parser.add_argument("--version", action="version", version=f"{__app_name__} {__version__}")
    parser.add_argument("--self-test", action="store_true", help="check that this installation works, then exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.register(sub)
    parser.commands = frozenset(sub.choices)
    return parser


def _open_window(args: argparse.Namespace) -> int:
    from app.cli.context import settings

    try:
        from app.gui.app import run_gui
    except ImportError:
        build_parser().print_help()
        return 0
    return run_gui(args, settings(args))


def split_open_paths(parser: TopParser, argv: list[str]) -> tuple[list[str], list[str]]:
    """`atelier FILE...` (how a desktop's "Open with" calls a program): the options, and the files.

    A first word that is a command is a command, however a file might be named; otherwise
    existing files or folders are what the window is asked to import.
    """
    commands = parser.commands
    takes_value = {flag for flag, _ in LIBRARY_OPTIONS}
    options: list[str] = []
    paths: list[str] = []
    words = iter(argv)
    for word in words:
        if word.startswith("-"):
            options.append(word)
            if word in takes_value:
                options.append(next(words, ""))
        elif paths:
            paths.append(word)
        elif word in commands:
            return argv, []
        elif not Path(word).expanduser().exists():
            if any(c in word for c in "/\\.~"):
                # Meant as a file (say, one moved away since the desktop offered it).
                raise FileNotFoundError(errno.ENOENT, "No such file or folder", word)
            return argv, []  # a mistyped command: argparse names the choices
        else:
            paths.append(word)
    return (options, paths) if paths else (argv, [])


def main(argv: Sequence[str] | None = None) -> int:
    from app.cli.context import settings
    from app.core.logs import route_to_file

    parser = build_parser()
    try:
        words, open_paths = split_open_paths(parser, list(sys.argv[1:] if argv is None else argv))
        # --help, --version and a mistyped command end here, before the settings are read.
        args = parser.parse_args(words)
        args.open_paths = open_paths
        route_to_file(settings(args).log_path())
        if args.self_test:
            from app.cli.selftest_cmds import run_self_test

            return run_self_test(args)
        if args.command is None:
            return _open_window(args)
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("atelier: interrupted", file=sys.stderr)
        return 130
    except (AtelierError, OSError, ValueError) as exc:
        message = str(exc) or exc.__class__.__name__
        if isinstance(exc, OSError) and exc.filename and exc.strerror:
            message = f"{exc.strerror}: {exc.filename}"
        print(f"atelier: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
