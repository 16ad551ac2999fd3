"""Campaigns' usage rights merged with an Atelier server: for each campaign the later edit wins whole."""

from __future__ import annotations

from collections.abc import Sequence

from app.api.find_schemas import CampaignRightsState, CampaignRightsSync
from app.core import hlc
from app.library.campaign_sync import parse_states
from app.library.service import LibraryService
from app.sync.remote import RemoteCaps

SUMMARY_KEY = "campaign_rights_at"


def sync_campaign_rights(
    lib: LibraryService,
    remote: object,
    caps: RemoteCaps,
    server_at: str | None = None,
    last: object = None,
    quiet: bool = False,
) -> tuple[int, list[str | None] | None]:
    """Send every campaign's rights here, take the server's merged set back. Runs after the
    assets, so the campaigns they brought are there to take rights.

    Returns (how many changed here, [latest edit here, latest on the server] after it; None
    when it could not run). No request when the sync moved nothing else (`quiet`) and
    neither side's latest edit moved since the last merge (`last`, that pair as the
    previous sync left it; server_at, what the feed says now): campaigns are matched by
    name, so a sync that filed assets anew may have brought a campaign to take rights."""
    client = getattr(remote, "client", None)
    if not caps.campaign_rights or client is None or not hasattr(client, "sync_campaign_rights"):
        return 0, None
    uid = lib.local_user_id
    here_at = lib.find.campaign_rights_latest(uid)
    if caps.feed and quiet and _unchanged(last, here_at, server_at) and not lib.find.campaign_rights_unstamped(uid):
        return 0, [here_at, server_at]
    mine = lib.find.campaign_rights_state(uid)
    answer = client.sync_campaign_rights(
        CampaignRightsSync(campaigns=[CampaignRightsState(**c.as_json()) for c in mine])
    )
    states = parse_states([c.model_dump() for c in answer.campaigns])
    known = {(c.key, c.edited) for c in mine}
    changed = lib.find.merge_campaign_rights([c for c in states if (c.key, c.edited) not in known], uid)
    return changed, [lib.find.campaign_rights_latest(uid), hlc.latest(c.edited for c in states)]


def _unchanged(last: object, here_at: str | None, server_at: str | None) -> bool:
    if not isinstance(last, Sequence) or isinstance(last, str) or len(last) != 2:
        return False  # no merge yet, or one recorded before the feed said (a one-item marker)
    return list(last) == [here_at, server_at]
