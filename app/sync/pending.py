"""What waits to sync beyond assets: smart folders and campaigns' rights edited since the last sync."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.library.find_sync import UNSYNCED
from app.library.service import LibraryService
from app.sync.campaign_rights import SUMMARY_KEY as CAMPAIGN_KEY
from app.sync.smart import SUMMARY_KEY as SMART_KEY

FIND_KEY = "find"  # in a sync's summary: the server took ratings, labels and rights


def _marker(summary: Mapping[str, Any], key: str) -> Sequence[Any] | None:
    value = summary.get(key)
    if not isinstance(value, Sequence) or isinstance(value, str) or not value:
        return None
    return value


def find_pending(lib: LibraryService, summary: Mapping[str, Any]) -> int:
    """Edits here the server has not got yet, from the markers the last sync left (no network):
    one for smart folders edited since, one per campaign whose rights were edited since.
    A server that never merged them (no marker) has nothing pending of them."""
    uid = lib.local_user_id
    n = 0
    smart = _marker(summary, SMART_KEY)
    if smart is not None:
        here = lib.find.smart_latest(uid)
        n += here is not None and (here == UNSYNCED or here != smart[0])
    campaigns = _marker(summary, CAMPAIGN_KEY)
    if campaigns is not None:
        since = campaigns[0] if isinstance(campaigns[0], str) else None
        n += lib.find.campaign_rights_edited_since(since, uid)
    return n
