"""Deleting assets: rows become tombstones in one transaction, then files go, journalled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.library import find_store
from app.library import repository as repo
from app.library.assets import valid_asset_id
from app.library.errors import NotFound, PermissionDenied
from app.library.models import Asset, PendingFile, Tombstone, utcnow
from app.library.tombstone_state import last_states

if TYPE_CHECKING:
    from app.library.service import LibraryService


def delete_rows(s: Session, assets: Sequence[Asset]) -> None:
    """Delete the rows, leave a tombstone each (the change feed) and journal their files."""
    if not assets:
        return
    # FTS5 rows carry no foreign key: they go in the same transaction as their assets.
    find_store.drop_text(s, [a.id for a in assets])
    # The server hands each deletion's last state on, so a library that brings the asset back
    # merges the edits synced before the delete instead of overwriting them.
    states = last_states(s, [a.id for a in assets])
    last = repo.next_seq(s, len(assets))
    first = last - len(assets) + 1
    now = utcnow()
    for offset, a in enumerate(assets):
        s.merge(PendingFile(asset_id=a.id, format=a.format, action="remove"))
        s.merge(
            Tombstone(
                asset_id=a.id,
                user_id=a.user_id,
                sha256=a.sha256,
                deleted_at=now,
                change_seq=first + offset,
                last_state=states.get(a.id),
            )
        )
        s.delete(a)


class Deletes:
    """The bodies of LibraryService's delete methods (the service delegates here)."""

    def __init__(self, lib: LibraryService) -> None:
        self.lib = lib

    def delete_asset(self, asset_id: str, user_id: int | None = None) -> None:
        """Delete the row, then its file and thumbnail (journalled, so a crash finishes on open)."""
        asset_id = valid_asset_id(asset_id)
        with self.lib.writing() as s:
            a = s.get(Asset, asset_id)
            if a is None:
                raise NotFound("Asset not found")
            if user_id is not None and a.user_id != user_id:
                raise PermissionDenied("You don't have permission to delete this asset")
            delete_rows(s, [a])
        self.finish_removals([(asset_id, a.format)])

    def delete_assets(self, ids: Sequence[str], user_id: int | None = None) -> int:
        valid = [valid_asset_id(i) for i in ids]
        with self.lib.writing() as s:
            rows = s.scalars(select(Asset).where(Asset.id.in_(valid))).all()
            if user_id is not None and any(a.user_id != user_id for a in rows):
                raise PermissionDenied("You don't have permission to delete this asset")
            gone = [(a.id, a.format) for a in rows]
            delete_rows(s, list(rows))
        self.finish_removals(gone)
        return len(gone)

    def finish_removals(self, gone: Sequence[tuple[str, str]]) -> None:
        """Remove the files of deleted rows, then their journal entries (after the rows' commit)."""
        for asset_id, fmt in gone:
            self.lib.storage.remove(asset_id, fmt)
        if gone:
            with self.lib.writing() as s:
                s.execute(delete(PendingFile).where(PendingFile.asset_id.in_([g[0] for g in gone])))
