"""Campaigns' usage rights merged with an Atelier server: for each campaign the later edit wins whole."""

from __future__ import annotations

from app.api.find_schemas import CampaignRightsState, CampaignRightsSync
from app.library.campaign_sync import parse_states
from app.library.service import LibraryService
from app.sync.remote import RemoteCaps

SUMMARY_KEY = "campaign_rights_at"


def sync_campaign_rights(
    lib: LibraryService, remote: object, caps: RemoteCaps
) -> tuple[int, str | None, bool]:
    """Send every campaign's rights here, take the server's merged set back. Runs after the
    assets, so the campaigns they brought are there to take rights.

    Returns (how many changed here, the latest edit here after it, whether it ran)."""
    client = getattr(remote, "client", None)
    if not caps.campaign_rights or client is None or not hasattr(client, "sync_campaign_rights"):
        return 0, None, False
    uid = lib.local_user_id
    mine = lib.find.campaign_rights_state(uid)
    answer = client.sync_campaign_rights(
        CampaignRightsSync(campaigns=[CampaignRightsState(**c.as_json()) for c in mine])
    )
    known = {(c.key, c.edited) for c in mine}
    theirs = [c for c in parse_states([c.model_dump() for c in answer.campaigns]) if (c.key, c.edited) not in known]
    changed = lib.find.merge_campaign_rights(theirs, uid)
    return changed, lib.find.campaign_rights_latest(uid), True
