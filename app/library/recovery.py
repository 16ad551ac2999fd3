"""Recovery and sweeps: settling what a crash or another instance left in the journal and the store."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from app.library import preview_cache, throttle
from app.library.models import Asset, PendingFile

if TYPE_CHECKING:
    from app.library.service import LibraryService

# Seconds an entry of the pending-file journal (or an object without a row) may be an upload
# still in flight on another server instance; older ones are what a crash left.
SWEEP_GRACE = 15 * 60.0
# Seconds after its last failure that a throttle row is deleted by the sweep (when unlocked):
# longer than any window a take uses by default; the server passes its own if longer.
THROTTLE_MEMORY = 24 * 3600.0


class Recovery:
    """The bodies of LibraryService.recover and .sweep (the service delegates here)."""

    def __init__(self, lib: LibraryService) -> None:
        self.lib = lib

    def recover(self) -> None:
        """Settle what a crash left: temp files go; half-placed or half-removed files go."""
        self.lib.storage.clear_staging()
        self.settle_pending(None)
        self.remove_orphan_previews()

    def sweep(self, grace: float = SWEEP_GRACE, throttle_memory: float = THROTTLE_MEMORY) -> bool:
        """Settle the journal, remove stored files without a row and forget stale throttle rows.

        Done once across all instances. Only entries and objects older than grace seconds
        count (younger ones may be uploads in flight elsewhere); throttle rows go
        throttle_memory seconds after their last failure. False when another instance holds
        the sweep.
        """
        with self.lib.exclusively("sweep-files") as got:
            if not got:
                return False
            cutoff = datetime.fromtimestamp(time.time() - grace, UTC)
            self.settle_pending(cutoff)
            self.remove_orphans(cutoff.timestamp())
            self.remove_orphan_previews()
            self.forget_throttle_rows(throttle_memory)
            return True

    def forget_throttle_rows(self, memory: float) -> int:
        """Login and share-password throttle rows untouched for memory seconds and unlocked."""
        now = datetime.now(UTC)
        with self.lib.writing() as s:
            return throttle.forget_stale(s, now - timedelta(seconds=memory), now)

    def settle_pending(self, before: datetime | None) -> None:
        """Journal entries (older than before): a file whose row is missing goes."""
        with self.lib.writing() as s:
            stmt = select(PendingFile)
            if before is not None:
                stmt = stmt.where(PendingFile.created_at < before)
            pending = s.scalars(stmt).all()
            for p in pending:
                if s.get(Asset, p.asset_id) is None:
                    self.lib.storage.remove(p.asset_id, p.format)
                s.delete(p)

    def remove_orphan_previews(self) -> int:
        """Cached previews whose asset is gone (deleted where this cache was not told)."""
        def known(ids: list[str]) -> set[str]:
            with self.lib.reading() as s:
                return set(s.scalars(select(Asset.id).where(Asset.id.in_(ids))))

        return preview_cache.remove_orphans(self.lib.storage.previews_dir, known)

    def remove_orphans(self, before: float) -> int:
        """Stored files whose asset has no row and no journal entry, older than before."""
        from app.library.integrity import asset_id_of

        candidates: dict[str, list[str]] = {}
        for blob in self.lib.storage.iter_blobs():
            asset_id = asset_id_of(blob.name)
            if asset_id is not None and blob.mtime < before:
                candidates.setdefault(asset_id, []).append(blob.name)
        ids = list(candidates)
        gone: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            with self.lib.reading() as s:
                known = set(s.scalars(select(Asset.id).where(Asset.id.in_(chunk))))
                known |= set(s.scalars(select(PendingFile.asset_id).where(PendingFile.asset_id.in_(chunk))))
            gone += [name for i in chunk if i not in known for name in candidates[i]]
        if gone:
            self.lib.storage.blobs.delete(gone)
        return len(gone)
