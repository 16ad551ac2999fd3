"""The v2 API as a sync Remote: extensions detected through /server-info, clients and campaigns by name."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from app.api.schemas import AssetRead, AssetState, AssetUpdate, CampaignRead, ClientRead, EditTimes
from app.client.api import ApiClient, Download
from app.client.errors import RemoteConflict, RemoteNotFound
from app.library.records import UNSET, Unset
from app.sync.remote import ChangePage, Filing, RemoteAsset, RemoteCaps


class V2Remote:
    """An ApiClient seen through the Remote interface.

    Uploads may run on several threads at once (each gets its own HTTP session); the cached
    lists of clients and campaigns are shared between them under a lock.
    """

    # How many uploads sync may keep in flight with this remote.
    upload_slots = 4

    def __init__(self, client: ApiClient) -> None:
        self.client = client
        self.url = client.base_url
        self.caps = RemoteCaps()
        self._clients: dict[str, ClientRead] | None = None
        self._campaigns: dict[str, CampaignRead] | None = None
        # Re-entrant: _resolve reloads the lists and calls itself after a name clash.
        self._folders_lock = threading.RLock()

    def connect(self) -> RemoteCaps:
        info = self.client.server_info()
        if info is None:
            self.caps = RemoteCaps(kind="v2")
        else:
            ext = set(info.extensions)
            self.caps = RemoteCaps(
                kind="v2",
                server=f"{info.name} {info.version}".strip() or "an Atelier server",
                feed="changes" in ext,
                update="asset-update" in ext,
                folders={"clients", "campaigns"} <= ext,
                idempotency="idempotency" in ext,
                tags_on_upload="tags-on-upload" in ext,
                find="find-sync" in ext,
                smart_folders="smart-folder-sync" in ext,
                campaign_rights="campaign-rights-sync" in ext,
                max_upload_bytes=info.maxUploadBytes,
            )
        return self.caps

    def close(self) -> None:
        self.client.close()

    def release_thread(self) -> None:
        self.client.release_thread()

    # --- clients and campaigns by name ---------------------------------------------------

    def _load_folders(self) -> None:
        self._clients = {c.id: c for c in self.client.list_clients()}
        self._campaigns = {c.id: c for c in self.client.list_campaigns()}

    def _folders(self, *ids: str | None) -> tuple[dict[str, ClientRead], dict[str, CampaignRead]]:
        """The cached lists, reloaded when one of ids is not in them yet."""
        with self._folders_lock:
            return self._folders_locked(*ids)

    def _folders_locked(
        self, *ids: str | None
    ) -> tuple[dict[str, ClientRead], dict[str, CampaignRead]]:
        if self._clients is None or self._campaigns is None:
            self._load_folders()
        assert self._clients is not None and self._campaigns is not None
        if any(i and i not in self._clients and i not in self._campaigns for i in ids):
            self._load_folders()
        assert self._clients is not None and self._campaigns is not None
        return self._clients, self._campaigns

    def _filing_from_ids(self, client_id: str | None, campaign_id: str | None) -> Filing | None:
        if not self.caps.folders:
            return None
        if not client_id and not campaign_id:
            return Filing()
        clients, campaigns = self._folders(client_id, campaign_id)
        campaign = campaigns.get(campaign_id) if campaign_id else None
        owner = client_id or (campaign.clientId if campaign else None)
        client = clients.get(owner) if owner else None
        return Filing(
            client.name if client else None,
            campaign.name if campaign else None,
            bool(client_id),
        )

    def _filing_of_state(self, state: AssetState) -> Filing | None:
        a = state.asset
        if not self.caps.folders:
            return None
        if a.clientId and state.clientName and (not a.campaignId or state.campaignName):
            # The feed names both, so no list is needed (the common, cheap case).
            return Filing(state.clientName, state.campaignName if a.campaignId else None, True)
        return self._filing_from_ids(a.clientId, a.campaignId)

    def _resolve(self, filing: Filing) -> tuple[str | None, str | None]:
        """(clientId, campaignId) for a filing, creating the client and campaign when missing."""
        if not filing.client:
            return None, None
        with self._folders_lock:
            # One thread at a time: two uploads to a new client must not both create it.
            return self._resolve_locked(filing)

    def _resolve_locked(self, filing: Filing) -> tuple[str | None, str | None]:
        assert filing.client
        clients, campaigns = self._folders()
        key = filing.client.casefold()
        client = next((c for c in clients.values() if c.name.casefold() == key), None)
        if client is None:
            try:
                client = self.client.create_client(filing.client)
            except RemoteConflict:
                self._load_folders()
                return self._resolve_locked(filing)
            clients[client.id] = client
        campaign_id = None
        if filing.campaign:
            ckey = filing.campaign.casefold()
            campaign = next(
                (
                    c
                    for c in campaigns.values()
                    if c.clientId == client.id and c.name.casefold() == ckey
                ),
                None,
            )
            if campaign is None:
                try:
                    campaign = self.client.create_campaign(client.id, filing.campaign)
                except RemoteConflict:
                    self._load_folders()
                    return self._resolve(filing)
                campaigns[campaign.id] = campaign
            campaign_id = campaign.id
        return (client.id if filing.direct or not campaign_id else None), campaign_id

    # --- assets --------------------------------------------------------------------------

    def _asset(self, a: AssetRead, state: AssetState | None = None) -> RemoteAsset:
        return RemoteAsset(
            id=a.id,
            name=a.name,
            tags=tuple(a.tags or ()),
            filing=(
                self._filing_of_state(state) if state else self._filing_from_ids(a.clientId, a.campaignId)
            ),
            asset_type=a.type,
            format=a.format,
            size=a.size,
            uploaded_at=a.uploadedAt,
            sha256=state.sha256 if state else None,
            updated_at=state.updatedAt if state else None,
            edit_times=(
                state.editTimes.model_dump(exclude_none=True) or None
                if state and state.editTimes
                else None
            ),
            **self._facts(state),
        )

    def _facts(self, state: AssetState | None) -> dict[str, object]:
        """Rating, label and rights of a feed entry, when the server sends them."""
        if state is None or not self.caps.find or state.rating is None:
            return {}
        r = state.rights
        rights = (
            tuple(v or "" for v in (r.licence, r.source, r.credit, r.validFrom, r.validUntil))
            if r is not None
            else ("",) * 5
        )
        return {"rating": state.rating, "label": state.label or "", "rights": rights}

    def changes(self, cursor: int) -> ChangePage:
        feed = self.client.changes(cursor)
        return ChangePage(
            cursor=feed.cursor,
            has_more=feed.hasMore,
            assets=[self._asset(s.asset, s) for s in feed.assets],
            deleted=[d.id for d in feed.deleted],
            last={d.id: self._asset(d.last.asset, d.last) for d in feed.deleted if d.last},
            smart_folders_at=feed.smartFoldersAt,
            campaign_rights_at=feed.campaignRightsAt,
        )

    def list_assets(self) -> list[RemoteAsset]:
        return [self._asset(a) for a in self.client.iter_assets()]

    def exists(self, remote_id: str) -> bool:
        return self.client.exists(remote_id)

    def download(self, asset: RemoteAsset) -> Download:
        return self.client.download(asset.id)

    def upload(
        self,
        path: Path,
        *,
        name: str,
        tags: Sequence[str],
        filing: Filing,
        content_type: str,
        key: str | None,
        progress: Callable[[int, int], None] | None = None,
        purpose: str | None = None,  # v2 has no purpose: it stays local
    ) -> RemoteAsset:
        client_id, campaign_id = self._resolve(filing) if self.caps.folders else (None, None)
        a = self.client.upload(
            path,
            name=name,
            client_id=client_id,
            campaign_id=campaign_id,
            tags=list(tags) if self.caps.tags_on_upload and tags else None,
            content_type=content_type,
            idempotency_key=key if self.caps.idempotency else None,
            progress=progress,
        )
        if tags and not self.caps.tags_on_upload and self.caps.update:
            a = self.client.update_asset(a.id, AssetUpdate(tags=list(tags)))
        return self._asset(a)

    def update(
        self,
        remote_id: str,
        *,
        name: str | Unset = UNSET,
        tags: Sequence[str] | Unset = UNSET,
        filing: Filing | Unset = UNSET,
        rating: int | Unset = UNSET,
        label: str | Unset = UNSET,
        rights: Sequence[str] | Unset = UNSET,
        edit_times: dict[str, str] | None = None,
    ) -> RemoteAsset | None:
        meta: dict[str, object] = {}
        if not isinstance(rating, Unset):
            meta["rating"] = rating
        if not isinstance(label, Unset):
            meta["label"] = label or None
        if not isinstance(rights, Unset):
            values = list(rights) + [""] * (5 - len(rights))
            keys = ("licence", "source", "credit", "validFrom", "validUntil")
            meta["rights"] = {k: (v or None) for k, v in zip(keys, values[:5], strict=True)}
        if meta:
            stamps = {f: t for f, t in (edit_times or {}).items() if f in meta}
            if stamps:
                meta["editTimes"] = stamps
            self.client.update_metadata(remote_id, meta)
        fields: dict[str, object] = {}
        if edit_times:
            fields["editTimes"] = EditTimes(**edit_times)
        if not isinstance(name, Unset):
            fields["name"] = name
        if not isinstance(tags, Unset):
            fields["tags"] = list(tags) or None
        if not isinstance(filing, Unset):
            fields["clientId"], fields["campaignId"] = self._resolve(filing)
        if meta and not fields:
            return None
        stamps = {f: t for f, t in (edit_times or {}).items() if f in ("name", "tags", "filing")}
        fields.pop("editTimes", None)
        if stamps:
            fields["editTimes"] = EditTimes(**stamps)
        return self._asset(self.client.update_asset(remote_id, AssetUpdate(**fields)))

    def delete(self, remote_id: str) -> None:
        try:
            self.client.delete_asset(remote_id)
        except RemoteNotFound:
            pass  # already gone: what we wanted
