"""Share from the desktop: sync so the server has the assets, then make the link there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.api.share_schemas import ShareLinkCreate
from app.client.api import ApiClient
from app.library.errors import InvalidInput, NotFound
from app.library.service import LibraryService
from app.library.sync_store import RemoteConfig, SyncStore
from app.sync.engine import ClientOptions, SyncEngine


@dataclass(frozen=True)
class ShareOptions:
    expires_at: datetime | None = None
    password: str | None = None
    allow_download: bool = True
    allow_review: bool = True
    kind: str = "review"  # or "upload": the client sends files into a campaign
    quota_files: int | None = None  # upload links only
    quota_bytes: int | None = None


def share_scope(lib: LibraryService, kind: str, scope_id: str, options: ShareOptions,
                remote: str | int | None = None, client_options: ClientOptions | None = None) -> str:
    """The URL of a new review link for a local client or campaign (kind) on the synced server.

    A sync runs first, so what the link shows is what this library has; the server's client
    and campaign are found by name, as sync files them.
    """
    if options.kind == "upload" and kind != "campaign":
        raise InvalidInput("An upload link fills one campaign: choose a campaign")
    config = _synced(lib, remote, client_options)
    if kind == "campaign":
        campaign = lib.get_campaign(scope_id)
        client_name, campaign_name = lib.get_client(campaign.client_id).name, campaign.name
    else:
        client_name, campaign_name = lib.get_client(scope_id).name, None
    opts = client_options or ClientOptions()
    with ApiClient(config.url, config.token, timeout=opts.timeout, retries=opts.retries,
                   backoff=opts.backoff) as api:
        remote_client = next((c for c in api.list_clients()
                              if c.name.casefold() == client_name.casefold()), None)
        if remote_client is None:
            raise NotFound(f"The server has no client {client_name!r} yet: sync, then share again")
        body = _body(options).model_copy(update={"clientId": remote_client.id})
        if campaign_name is not None:
            found = next((c for c in api.list_campaigns(remote_client.id)
                          if c.name.casefold() == campaign_name.casefold()), None)
            if found is None:
                raise NotFound(f"The server has no campaign {campaign_name!r} yet: sync, then share again")
            body = body.model_copy(update={"clientId": None, "campaignId": found.id})
        return api.create_share_link(body).url


def share_assets(lib: LibraryService, asset_ids: list[str], options: ShareOptions,
                 remote: str | int | None = None, client_options: ClientOptions | None = None) -> str:
    """The URL of a new review link for a selection of local assets, after a sync uploads them."""
    if not asset_ids:
        raise InvalidInput("Choose at least one asset to share")
    if options.kind != "review":
        raise InvalidInput("An upload link fills one campaign: choose a campaign")
    config = _synced(lib, remote, client_options)
    links = SyncStore(lib).links_for_assets(config.id, asset_ids)
    remote_ids = [links[a].remote_asset_id for a in asset_ids
                  if a in links and links[a].remote_asset_id]
    if len(remote_ids) < len(asset_ids):
        missing = len(asset_ids) - len(remote_ids)
        raise NotFound(f"{missing} of the chosen assets are not on the server yet: sync, then share again")
    opts = client_options or ClientOptions()
    with ApiClient(config.url, config.token, timeout=opts.timeout, retries=opts.retries,
                   backoff=opts.backoff) as api:
        body = _body(options).model_copy(update={"assetIds": remote_ids})
        return api.create_share_link(body).url


def _synced(lib: LibraryService, remote: str | int | None,
            client_options: ClientOptions | None) -> RemoteConfig:
    """The remote the link goes on, synced first so it has what this library has."""
    try:
        config = SyncStore(lib).get_remote(remote)
    except NotFound:
        raise InvalidInput("Links live on the server: connect this library to one first") from None
    if config.kind != "v2":
        raise InvalidInput(f"{config.name} is not an Atelier server: it cannot make share links")
    SyncEngine(lib, config, options=client_options).run()
    return config


def _body(options: ShareOptions) -> ShareLinkCreate:
    upload = options.kind == "upload"
    return ShareLinkCreate(kind="upload" if upload else "review", expiresAt=options.expires_at,
                           password=options.password or None,
                           allowDownload=options.allow_download, allowReview=options.allow_review,
                           quotaFiles=options.quota_files if upload else None,
                           quotaBytes=options.quota_bytes if upload else None)
