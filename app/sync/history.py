"""Putting back a value a sync replaced: a new edit here, stamped now, so the next sync carries it out."""

from __future__ import annotations

from app.library.errors import InvalidInput, NotFound
from app.library.records import AssetChanges, AssetRecord
from app.library.service import LibraryService
from app.library.sync_records import Filing
from app.library.sync_state import HistoryEntry
from app.sync.apply import local_filing_ids


def restore_value(lib: LibraryService, entry: HistoryEntry) -> AssetRecord:
    """Re-apply entry's old value to the asset here, as the user's own edit made now.

    Being the newest edit, it wins against the value that replaced it when it syncs."""
    if not entry.asset_id:
        raise NotFound(f"{entry.label} is not in this library")
    try:
        lib.get_asset(entry.asset_id)
    except NotFound:
        raise NotFound(f"{entry.label} is no longer in this library") from None
    value = entry.old_value
    if entry.field == "name":
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"There is no earlier name of {entry.label} to restore")
        changes = AssetChanges(name=value)
    elif entry.field == "tags":
        changes = AssetChanges(tags=[str(t) for t in value] if isinstance(value, list) else [])
    elif entry.field == "filing":
        filing = Filing.from_list(value) or Filing()
        client_id, campaign_id = local_filing_ids(lib, filing)
        changes = AssetChanges(client_id=client_id, campaign_id=campaign_id)
    elif entry.field in ("rating", "label", "rights"):
        if entry.field == "rating" and not (isinstance(value, int) and 0 <= value <= 5):
            raise InvalidInput(f"There is no earlier rating of {entry.label} to restore")
        if entry.field == "rights":
            value = tuple(str(v or "") for v in value) if isinstance(value, list) else ("",) * 5
        # The user's own edit made now (no edit time given): the newest, so it wins next sync.
        lib.find.set_synced(entry.asset_id, {entry.field: value})
        return lib.get_asset(entry.asset_id)
    else:
        raise InvalidInput(f"Sync does not carry {entry.field!r}")
    return lib.update_asset(entry.asset_id, changes)
