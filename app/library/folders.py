"""Clients and campaigns: listing, finding, creating, renaming and deleting what assets are filed under."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.library import deletes
from app.library import repository as repo
from app.library.errors import Conflict, InvalidInput, NotFound
from app.library.models import Asset, Campaign, Client, utcnow
from app.library.records import AssetQuery, CampaignRecord, ClientRecord
from app.library.storage import new_id, validate_uuid

if TYPE_CHECKING:
    from app.library.service import LibraryService


def owned_client(s: Session, client_id: str, user_id: int | None) -> Client:
    c = s.get(Client, client_id)
    if c is None or (user_id is not None and c.user_id != user_id):
        raise NotFound("Client not found")
    return c


def owned_campaign(s: Session, campaign_id: str, user_id: int | None) -> Campaign:
    c = s.get(Campaign, campaign_id)
    if c is None:
        raise NotFound("Campaign not found")
    if user_id is not None and c.client.user_id != user_id:
        raise NotFound("Campaign not found")
    return c


class Folders:
    """The bodies of LibraryService's client and campaign methods (the service delegates here)."""

    def __init__(self, lib: LibraryService) -> None:
        self.lib = lib

    def list_clients(self, user_id: int | None = None) -> list[ClientRecord]:
        uid = self.lib.local_user_id if user_id is None else user_id
        with self.lib.reading() as s:
            return repo.clients_with_counts(s, uid)

    def list_campaigns(
        self, client_id: str | None = None, user_id: int | None = None
    ) -> list[CampaignRecord]:
        uid = self.lib.local_user_id if user_id is None else user_id
        with self.lib.reading() as s:
            return repo.campaigns_with_counts(s, uid, client_id)

    def get_client(self, client_id: str, user_id: int | None = None) -> ClientRecord:
        with self.lib.reading() as s:
            c = owned_client(s, client_id, user_id)
            count = repo.count_assets(s, AssetQuery(user_id=c.user_id, client_id=c.id))
            return repo.client_record(c, count)

    def get_campaign(self, campaign_id: str, user_id: int | None = None) -> CampaignRecord:
        with self.lib.reading() as s:
            c = owned_campaign(s, campaign_id, user_id)
            count = repo.count_assets(s, AssetQuery(user_id=c.client.user_id, campaign_id=c.id))
            return repo.campaign_record(c, count)

    def find_client(self, name: str, user_id: int | None = None) -> ClientRecord | None:
        uid = self.lib.local_user_id if user_id is None else user_id
        key = name.strip().casefold()
        return next((c for c in self.list_clients(uid) if c.name.casefold() == key), None)

    def find_campaign(self, client_id: str, name: str) -> CampaignRecord | None:
        key = name.strip().casefold()
        with self.lib.reading() as s:
            rows = s.scalars(select(Campaign).where(Campaign.client_id == client_id)).all()
            found = next((c for c in rows if c.name.casefold() == key), None)
            return repo.campaign_record(found) if found else None

    @staticmethod
    def _clean_name(name: str, what: str) -> str:
        cleaned = " ".join(name.split())
        if not cleaned:
            raise InvalidInput(f"A {what} name cannot be empty")
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in cleaned):
            raise InvalidInput(f"A {what} name cannot contain control characters")
        if len(cleaned) > 200:
            raise InvalidInput(f"A {what} name is at most 200 characters")
        return cleaned

    def create_client(
        self, name: str, user_id: int | None = None, client_id: str | None = None
    ) -> ClientRecord:
        uid = self.lib.local_user_id if user_id is None else user_id
        name = self._clean_name(name, "client")
        if self.find_client(name, uid) is not None:
            raise Conflict(f"A client named {name!r} already exists")
        with self.lib.writing() as s:
            c = Client(
                id=validate_uuid(client_id) if client_id else new_id(), user_id=uid, name=name
            )
            s.add(c)
            s.flush()
            return repo.client_record(c)

    def rename_client(self, client_id: str, name: str, user_id: int | None = None) -> ClientRecord:
        name = self._clean_name(name, "client")
        with self.lib.writing() as s:
            c = owned_client(s, client_id, user_id)
            clash = self.find_client(name, c.user_id)
            if clash is not None and clash.id != c.id:
                raise Conflict(f"A client named {name!r} already exists")
            c.name = name
            c.updated_at = utcnow()
            self._touch_assets(
                s,
                or_(
                    Asset.client_id == c.id,
                    Asset.campaign_id.in_(select(Campaign.id).where(Campaign.client_id == c.id)),
                ),
            )
            return repo.client_record(c)

    def client_asset_count(self, client_id: str) -> int:
        return self.lib.count_assets(AssetQuery(client_id=client_id))

    def delete_client(self, client_id: str, user_id: int | None = None) -> int:
        """Delete a client, its campaigns and every asset filed under them; returns the asset count."""
        with self.lib.writing() as s:
            c = owned_client(s, client_id, user_id)
            campaign_ids = select(Campaign.id).where(Campaign.client_id == c.id)
            assets = s.scalars(
                select(Asset).where(
                    or_(Asset.client_id == c.id, Asset.campaign_id.in_(campaign_ids))
                )
            ).all()
            gone = [(a.id, a.format) for a in assets]
            deletes.delete_rows(s, list(assets))
            s.flush()
            s.delete(c)
        self.lib._deletes.finish_removals(gone)
        return len(gone)

    def create_campaign(
        self,
        client_id: str,
        name: str,
        user_id: int | None = None,
        campaign_id: str | None = None,
    ) -> CampaignRecord:
        name = self._clean_name(name, "campaign")
        with self.lib.writing() as s:
            client = owned_client(s, client_id, user_id)
            if self.find_campaign(client.id, name) is not None:
                raise Conflict(f"{client.name} already has a campaign named {name!r}")
            c = Campaign(
                id=validate_uuid(campaign_id) if campaign_id else new_id(),
                client_id=client.id,
                name=name,
            )
            s.add(c)
            s.flush()
            return repo.campaign_record(c)

    def update_campaign(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        client_id: str | None = None,
        user_id: int | None = None,
    ) -> CampaignRecord:
        with self.lib.writing() as s:
            c = owned_campaign(s, campaign_id, user_id)
            if client_id is not None and client_id != c.client_id:
                owned_client(s, client_id, user_id)
                c.client_id = client_id
                # The campaign's assets follow it to the new client.
                for a in s.scalars(select(Asset).where(Asset.campaign_id == c.id)):
                    if a.client_id is not None:
                        a.client_id = client_id
            if name is not None:
                name = self._clean_name(name, "campaign")
                clash = self.find_campaign(c.client_id, name)
                if clash is not None and clash.id != c.id:
                    raise Conflict(f"That client already has a campaign named {name!r}")
                c.name = name
            c.updated_at = utcnow()
            self._touch_assets(s, Asset.campaign_id == c.id)
            s.flush()
            return repo.campaign_record(c)

    def rename_campaign(
        self, campaign_id: str, name: str, user_id: int | None = None
    ) -> CampaignRecord:
        return self.update_campaign(campaign_id, name=name, user_id=user_id)

    def delete_campaign(self, campaign_id: str, user_id: int | None = None) -> int:
        """Delete a campaign and every asset filed under it; returns the asset count."""
        with self.lib.writing() as s:
            c = owned_campaign(s, campaign_id, user_id)
            assets = s.scalars(select(Asset).where(Asset.campaign_id == c.id)).all()
            gone = [(a.id, a.format) for a in assets]
            deletes.delete_rows(s, list(assets))
            s.flush()
            s.delete(c)
        self.lib._deletes.finish_removals(gone)
        return len(gone)

    def _touch_assets(self, s: Session, condition: object) -> None:
        """Renaming a client or campaign changes how its assets look to sync: bump them."""
        rows = s.scalars(select(Asset).where(condition)).all()  # type: ignore[arg-type]
        if rows:
            last = repo.next_seq(s, len(rows))
            for offset, a in enumerate(rows):
                a.change_seq = last - len(rows) + 1 + offset
