"""What a deleted asset last held, kept with its tombstone so a sync that brings it back merges it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.library import find_sync, sync_state
from app.library import repository as repo
from app.library.models import Asset
from app.library.wire import asset_state

IN_CHUNK = 500


def last_states(s: Session, asset_ids: Sequence[str]) -> dict[str, str]:
    """asset id -> its state as the change feed shows it (JSON, urls relative), edit times and
    rating, label and rights included; read in s's transaction just before the rows go."""
    out: dict[str, str] = {}
    for start in range(0, len(asset_ids), IN_CHUNK):
        chunk = list(asset_ids[start : start + IN_CHUNK])
        records = [repo.record(row) for row in s.execute(repo.asset_rows().where(Asset.id.in_(chunk)))]
        times = sync_state.edit_times(s, chunk)
        facts = find_sync.facts(s, chunk)
        for r in records:
            out[r.id] = asset_state(r, "", times.get(r.id), facts.get(r.id)).model_dump_json(
                exclude_none=True
            )
    return out
