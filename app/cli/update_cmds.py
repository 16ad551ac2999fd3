"""`atelier update-check`: ask the configured address whether a newer release exists (never installs it)."""

from __future__ import annotations

import argparse

from app.cli.context import open_library, settings
from app.cli.output import print_json


def _off_message() -> str:
    from app.client import updates

    return (
        "Update checks are off: no address is set "
        f"(set {updates.ENV_VAR}, or run `atelier update-check --set-url URL`)."
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("update-check", help="check for a newer release (Atelier never updates itself)")
    p.add_argument("--url", help="check this address instead of the configured one")
    p.add_argument(
        "--set-url",
        metavar="URL",
        help="remember the address to check (an empty string turns checks off)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_update_check)


def cmd_update_check(args: argparse.Namespace) -> int:
    # Imported here, not at the top: requests is a tenth of a second every command would pay.
    from app.client import updates

    if args.set_url is not None:
        return _set_url(args)
    url = args.url or _configured(args)
    if url is None:
        if args.json:
            print_json({"enabled": False})
        else:
            print(_off_message())
        return 0
    release = updates.check(url)
    if args.json:
        print_json(
            {
                "enabled": True,
                "current": release.current,
                "latest": release.version,
                "url": release.url,
                "updateAvailable": release.is_newer,
            }
        )
    else:
        print(release.message())
        if release.is_newer:
            print("Download and install it when it suits you; Atelier does not update itself.")
    return 0


def _configured(args: argparse.Namespace) -> str | None:
    from app.client import updates

    override = updates.configured_url(override=settings(args).update_url)
    if override is not None:
        return override
    with open_library(args) as lib:
        return updates.configured_url(lib.get_setting(updates.SETTING_KEY))


def _set_url(args: argparse.Namespace) -> int:
    from app.client import updates

    url = args.set_url.strip()
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"The update address must start with http:// or https://: {url}")
    with open_library(args) as lib:
        lib.set_setting(updates.SETTING_KEY, url or None)
    print(f"Update checks will ask {url}" if url else "Update checks are off")
    return 0
