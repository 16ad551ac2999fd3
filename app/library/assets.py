"""Writing assets: streamed uploads, idempotent commits of analysed files, and edits."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.core.ingest import Ingested, analyze
from app.core.names import safe_display_name
from app.core.staging import stage_stream
from app.library import find_store, folders, sync_state
from app.library import repository as repo
from app.library.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from app.library.models import Asset, Campaign, IdempotencyKey, PendingFile, Tombstone, utcnow
from app.library.records import UNSET, AssetChanges, AssetRecord
from app.library.storage import StorageUnavailable, UnsafePath, new_id, validate_uuid

if TYPE_CHECKING:
    from app.library.service import LibraryService, Target

PURPOSES = ("face", "template")


@dataclass
class KeyLock:
    """A lock for one Idempotency-Key and how many uploads hold or wait for it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    holders: int = 0


class KeyTaken(Exception):
    """The Idempotency-Key was committed by another upload meanwhile."""


def valid_asset_id(asset_id: str) -> str:
    try:
        return validate_uuid(asset_id)
    except UnsafePath:
        raise NotFound("Asset not found") from None


class Assets:
    """The bodies of LibraryService's upload, commit and edit methods (it delegates here).

    The Idempotency-Key locks stay on the service: they must be one set per library.
    """

    def __init__(self, lib: LibraryService) -> None:
        self.lib = lib

    def import_stream(
        self,
        chunks: Iterable[bytes] | BinaryIO,
        filename: str,
        target: Target,
        *,
        name: str | None = None,
        asset_id: str | None = None,
        uploaded_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> AssetRecord:
        """Validate and store one streamed file (server uploads, sync downloads)."""
        if idempotency_key and target.user_id is not None:
            earlier = self._idempotent_result(target.user_id, idempotency_key)
            if earlier is not None:
                return earlier
        self.check_target(target)
        ingested = self.receive_stream(chunks)
        return self.file_received(
            ingested,
            filename,
            target,
            name=name,
            asset_id=asset_id,
            uploaded_at=uploaded_at,
            idempotency_key=idempotency_key,
        )

    def receive_stream(self, chunks: Iterable[bytes] | BinaryIO) -> Ingested:
        """Stage and analyse a streamed file without filing it yet.

        For callers that learn where the file goes only after its bytes (a multipart
        upload whose form fields follow the file); finish with file_received().
        """
        staged = stage_stream(chunks, self.lib.storage.staging_dir, self.lib.max_bytes)
        return analyze(staged, timeout=self.lib.probe_timeout)

    def file_received(
        self,
        ingested: Ingested,
        filename: str,
        target: Target,
        *,
        name: str | None = None,
        asset_id: str | None = None,
        uploaded_at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> AssetRecord:
        """Check the target and commit a file from receive_stream(); it is discarded on failure."""
        try:
            with self._idempotency_lock(target.user_id, idempotency_key):
                if idempotency_key and target.user_id is not None:
                    # Concurrent retries meet here one at a time: the first commits, the
                    # others find its key and return its asset.
                    earlier = self._idempotent_result(target.user_id, idempotency_key)
                    if earlier is not None:
                        ingested.discard()
                        return earlier
                self.check_target(target)
                try:
                    [record] = self.commit_ingested(
                        [(ingested, name or filename, asset_id, uploaded_at)],
                        target,
                        idempotency_key=idempotency_key,
                    )
                except KeyTaken:
                    earlier = self._idempotent_result(target.user_id, idempotency_key)  # type: ignore[arg-type]
                    if earlier is None:
                        raise Conflict(
                            "An upload with this Idempotency-Key was just deleted"
                        ) from None
                    return earlier
                return record
        except BaseException:
            ingested.discard()
            raise

    @contextmanager
    def _idempotency_lock(self, user_id: int | None, key: str | None) -> Iterator[None]:
        """Serialises commits that carry the same user's Idempotency-Key (in this process)."""
        if not key or user_id is None:
            yield
            return
        slot = (user_id, key)
        with self.lib._key_locks_guard:
            entry = self.lib._key_locks.setdefault(slot, KeyLock())
            entry.holders += 1
        try:
            with entry.lock:
                yield
        finally:
            with self.lib._key_locks_guard:
                entry.holders -= 1
                if entry.holders == 0:
                    del self.lib._key_locks[slot]

    def idempotent_result(self, user_id: int, key: str) -> AssetRecord | None:
        """The asset an earlier upload with this Idempotency-Key made, if it still exists."""
        return self._idempotent_result(user_id, key)

    def _idempotent_result(self, user_id: int, key: str) -> AssetRecord | None:
        with self.lib.reading() as s:
            row = s.scalar(
                select(IdempotencyKey).where(
                    IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
                )
            )
            if row is None:
                return None
            found = repo.assets_by_ids(s, [row.asset_id])
            return found.get(row.asset_id)

    def find_duplicates(
        self, sha256s: Sequence[str], user_id: int | None
    ) -> dict[str, AssetRecord]:
        """Assets of the user with these hashes, in one query: hash -> an asset with that hash."""
        if not sha256s:
            return {}
        with self.lib.reading() as s:
            return repo.records_by_hash(s, user_id, sha256s)

    def commit_ingested(
        self,
        items: Sequence[tuple[Ingested, str, str | None, datetime | None]],
        target: Target,
        *,
        idempotency_key: str | None = None,
    ) -> list[AssetRecord]:
        """Place analysed files and insert their rows, crash-safely, in one batch.

        Order: journal the ids (commit), rename files into place, then insert the rows and
        clear the journal in one transaction. Recovery removes journalled files without rows.
        """
        if not items:
            return []
        ids = [validate_uuid(asset_id) if asset_id else new_id() for _, _, asset_id, _ in items]
        with self.lib.writing() as s:
            # One query each for the whole batch, rather than one per file.
            taken = set(s.scalars(select(Asset.id).where(Asset.id.in_(ids))))
            clash = next((i for i in ids if i in taken), None)
            if clash is not None:
                raise Conflict(f"An asset with id {clash} already exists")
            pending = {
                p.asset_id: p
                for p in s.scalars(select(PendingFile).where(PendingFile.asset_id.in_(ids)))
            }
            for asset_id, (ing, _, _, _) in zip(ids, items):
                row = pending.get(asset_id)
                if row is None:
                    row = pending[asset_id] = PendingFile(asset_id=asset_id, action="place")
                    s.add(row)
                row.format, row.action = ing.info.format, "place"
        try:
            for asset_id, (ing, _, _, _) in zip(ids, items):
                self.lib.storage.place(ing.staged.path, asset_id, ing.info.format, ing.thumb_path)
            self.lib.storage.sync_dir()
            self._insert_rows(ids, items, target, idempotency_key)
        except BaseException as exc:
            self._unplace(ids, [ing.info.format for ing, *_ in items])
            if isinstance(exc, IntegrityError) and idempotency_key:
                # Another instance committed this Idempotency-Key first (the database's unique
                # constraint decided): this copy goes, and the caller gets the first asset.
                raise KeyTaken() from None
            raise
        with self.lib.reading() as s:
            found = repo.assets_by_ids(s, ids)
        return [found[i] for i in ids]

    def _unplace(self, ids: Sequence[str], formats: Sequence[str]) -> None:
        """Undo a placement that will get no rows; the journal keeps what the store refuses."""
        try:
            for asset_id, fmt in zip(ids, formats):
                self.lib.storage.remove(asset_id, fmt)
            with self.lib.writing() as s:
                s.execute(delete(PendingFile).where(PendingFile.asset_id.in_(list(ids))))
        except (StorageUnavailable, SQLAlchemyError):
            pass  # the journal entries stay; the sweep finishes the removal later

    def _insert_rows(
        self,
        ids: Sequence[str],
        items: Sequence[tuple[Ingested, str, str | None, datetime | None]],
        target: Target,
        idempotency_key: str | None,
    ) -> None:
        now = utcnow()
        tags = repo.encode_tags(target.tags) if target.tags else None
        with self.lib.writing() as s:
            last = repo.next_seq(s, len(items))
            first = last - len(items) + 1
            for offset, (asset_id, (ing, display, _, uploaded_at)) in enumerate(zip(ids, items)):
                info = ing.info
                url, thumbnail_url, waveform_url = repo.stored_urls(asset_id, info.asset_type)
                s.add(
                    Asset(
                        id=asset_id,
                        user_id=target.user_id,
                        client_id=target.client_id,
                        campaign_id=target.campaign_id,
                        name=safe_display_name(display),
                        asset_type=info.asset_type,
                        url=url,
                        size=ing.staged.size,
                        uploaded_at=uploaded_at or now,
                        format=info.format,
                        tags=tags,
                        width=info.width,
                        height=info.height,
                        duration=info.duration,
                        thumbnail_url=thumbnail_url,
                        waveform_url=waveform_url,
                        page_count=info.page_count,
                        mime=info.mime,
                        sha256=ing.staged.sha256,
                        updated_at=now,
                        change_seq=first + offset,
                        purpose=target.purpose,
                        description=target.description,
                    )
                )
            s.flush()
            # Metadata, palette and hash rows in the same transaction: searchable at once.
            find_store.add_rows(
                s, [(i, ing.info.extra, ing.looks) for i, (ing, *_) in zip(ids, items)]
            )
            s.execute(delete(Tombstone).where(Tombstone.asset_id.in_(ids)))
            s.execute(delete(PendingFile).where(PendingFile.asset_id.in_(ids)))
            if idempotency_key and target.user_id is not None:
                # A key whose asset was deleted since is reused: replace it. A key whose asset
                # exists stays, so a racing retry on another instance clashes on the unique
                # constraint and gets that asset (see file_received).
                s.execute(
                    delete(IdempotencyKey).where(
                        IdempotencyKey.user_id == target.user_id,
                        IdempotencyKey.key == idempotency_key,
                        IdempotencyKey.asset_id.not_in(select(Asset.id)),
                    )
                )
                s.add(IdempotencyKey(user_id=target.user_id, key=idempotency_key, asset_id=ids[0]))
            s.flush()

    def check_target(self, target: Target) -> None:
        if target.purpose is not None and target.purpose not in PURPOSES:
            raise InvalidInput(f"Unknown purpose {target.purpose!r}")
        with self.lib.reading() as s:
            if target.client_id is not None:
                folders.owned_client(s, target.client_id, target.user_id)
            if target.campaign_id is not None:
                campaign = folders.owned_campaign(s, target.campaign_id, target.user_id)
                if target.client_id is not None and campaign.client_id != target.client_id:
                    raise Conflict("The campaign belongs to another client")

    def update_asset(
        self,
        asset_id: str,
        changes: AssetChanges,
        user_id: int | None = None,
        edit_times: Mapping[str, str] | None = None,
    ) -> AssetRecord:
        """Edit an asset; each synced field edited gets its edit time (edit_times: the
        times of edits made elsewhere, carried by sync; otherwise now)."""
        asset_id = valid_asset_id(asset_id)
        with self.lib.writing() as s:
            a = s.get(Asset, asset_id)
            if a is None:
                raise NotFound("Asset not found")
            if user_id is not None and a.user_id != user_id:
                raise PermissionDenied("You don't have permission to modify this asset")
            if changes.name is not UNSET:
                name = safe_display_name(str(changes.name)) if str(changes.name).strip() else ""
                if not name:
                    raise InvalidInput("A name cannot be empty")
                a.name = name
            if changes.tags is not UNSET:
                a.tags = repo.encode_tags(changes.tags)  # type: ignore[arg-type]
            if changes.client_id is not UNSET:
                if changes.client_id is not None:
                    folders.owned_client(s, str(changes.client_id), a.user_id)
                a.client_id = changes.client_id  # type: ignore[assignment]
            if changes.campaign_id is not UNSET:
                if changes.campaign_id is not None:
                    campaign = folders.owned_campaign(s, str(changes.campaign_id), a.user_id)
                    if a.client_id is not None and a.client_id != campaign.client_id:
                        if changes.client_id is not UNSET:
                            raise Conflict("The campaign belongs to another client")
                        # Moving to another client's campaign moves the asset to that client.
                        a.client_id = campaign.client_id
                a.campaign_id = changes.campaign_id  # type: ignore[assignment]
            elif changes.client_id is not UNSET and a.campaign_id is not None:
                current = s.get(Campaign, a.campaign_id)
                if current is not None and current.client_id != a.client_id:
                    a.campaign_id = None
            if changes.purpose is not UNSET:
                if changes.purpose is not None and changes.purpose not in PURPOSES:
                    raise InvalidInput(f"Unknown purpose {changes.purpose!r}")
                a.purpose = changes.purpose
            if changes.description is not UNSET:
                a.description = changes.description  # type: ignore[assignment]
            edited = [
                f
                for f, change in (
                    ("name", changes.name),
                    ("tags", changes.tags),
                    (
                        "filing",
                        UNSET
                        if changes.client_id is UNSET and changes.campaign_id is UNSET
                        else True,
                    ),
                )
                if change is not UNSET
            ]
            sync_state.stamp_edit(s, asset_id, edited, edit_times, self.lib.wall_clock)
            a.updated_at = utcnow()
            a.change_seq = repo.next_seq(s)
            s.flush()
            return repo.assets_by_ids(s, [asset_id])[asset_id]
