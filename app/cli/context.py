"""The settings of a run, and the library a command works on (--data-dir / --db-url / ATELIER_DATA_DIR)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.formats import DEFAULT_MAX_BYTES
from app.library.errors import NotFound
from app.library.records import CampaignRecord, ClientRecord

if TYPE_CHECKING:
    from app.library.blobs import StoreLocation
    from app.library.service import LibraryService
    from app.settings import AtelierSettings


def settings(args: argparse.Namespace) -> AtelierSettings:
    """The run's one AtelierSettings, built on first use and kept on args.

    Built lazily: pydantic-settings is ~0.15 s that `--help` and `--version` need not pay.
    """
    found: AtelierSettings | None = getattr(args, "settings", None)
    if found is None:
        from app.settings import AtelierSettings

        found = AtelierSettings()
        args.settings = found
    return found


def data_dir(args: argparse.Namespace) -> Path:
    """--data-dir, else ATELIER_DATA_DIR, else the per-user data folder."""
    return settings(args).library_dir(getattr(args, "data_dir", None))


def s3_endpoint(args: argparse.Namespace) -> str | None:
    return getattr(args, "s3_endpoint", None) or settings(args).s3_endpoint


def store_location(args: argparse.Namespace) -> StoreLocation:
    """--storage / --s3-endpoint (or ATELIER_S3_ENDPOINT); no --storage is the assets/ folder."""
    from app.library.blobs import StoreLocation, parse_s3_url

    url = getattr(args, "storage", None) or None
    if url is not None:
        parse_s3_url(url)  # a ValueError in the user's words
    return StoreLocation(url, s3_endpoint(args) if url else None)


def open_library(args: argparse.Namespace) -> LibraryService:
    # Imported here: every command module imports this one to register its commands, and
    # the service's SQLAlchemy and Alembic are half a second that `--help` need not pay.
    from app.library.service import LibraryService

    max_mb = getattr(args, "max_size_mb", None)
    return LibraryService(
        data_dir(args),
        getattr(args, "db_url", None),
        max_bytes=int(max_mb * 1024 * 1024) if max_mb else DEFAULT_MAX_BYTES,
        store=store_location(args),
    )


def resolve_client(
    lib: LibraryService, ref: str, *, create: bool = False, user_id: int | None = None
) -> ClientRecord:
    """A client by id or by name (case-insensitive); optionally created when missing.

    user_id: whose clients (default: the desktop user's).
    """
    for c in lib.list_clients(user_id):
        if c.id == ref:
            return c
    found = lib.find_client(ref, user_id)
    if found is not None:
        return found
    if create:
        return lib.create_client(ref, user_id=user_id)
    raise NotFound(f"No client named {ref!r} (see `atelier clients`)")


def resolve_asset_id(lib: LibraryService, ref: str, user_id: int | None = None) -> str:
    """A full asset id from the id or an unambiguous prefix of it (as git takes commits)."""
    found = lib.asset_ids_starting(ref, user_id, limit=2)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise NotFound(f"Several assets have an id starting with {ref!r}: give more of it")
    raise NotFound(f"No asset with the id {ref!r} (see `atelier list`)")


def user_scope(lib: LibraryService, args: argparse.Namespace) -> int | None:
    """Whose assets a command sees: --user NAME, everyone's (--all-users), else the desktop's."""
    if getattr(args, "all_users", False):
        return None
    name = getattr(args, "user", None)
    if name:
        return lib.get_user(name).id
    return lib.local_user_id


def resolve_campaign(
    lib: LibraryService,
    ref: str,
    client: ClientRecord | None,
    *,
    create: bool = False,
    user_id: int | None = None,
) -> CampaignRecord:
    campaigns = lib.list_campaigns(client.id if client else None, user_id)
    for c in campaigns:
        if c.id == ref:
            return c
    matches = [c for c in campaigns if c.name.casefold() == ref.strip().casefold()]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise NotFound(f"Several clients have a campaign named {ref!r}: add --client")
    if create and client is not None:
        return lib.create_campaign(client.id, ref, user_id=user_id)
    where = f" for {client.name}" if client else ""
    raise NotFound(f"No campaign named {ref!r}{where} (see `atelier campaigns`)")
