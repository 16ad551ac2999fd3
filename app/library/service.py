"""LibraryService: the one thread-safe library API that the GUI, CLI, server and sync all use."""

from __future__ import annotations

import functools
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.core.formats import ASSET_TYPES, DEFAULT_MAX_BYTES
from app.core.ingest import Ingested, analyze
from app.core.names import safe_display_name
from app.core.staging import stage_stream
from app.library import auth, find_store, sync_state, throttle
from app.library import repository as repo
from app.library.blobs import StoreLocation
from app.library.db import exclusive_lock, make_engine, migrate, sqlite_url
from app.library.errors import (
    AuthenticationFailed,
    Conflict,
    DatabaseUnavailable,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Throttled,
)
from app.library.models import (
    Asset,
    Campaign,
    Client,
    IdempotencyKey,
    PendingFile,
    Setting,
    Tombstone,
    User,
    utcnow,
)
from app.library.oslock import OpenersLock
from app.library.pages import PageReader
from app.library.passwords import check_new_password, hash_password
from app.library.records import (
    UNSET,
    AssetChanges,
    AssetQuery,
    AssetRecord,
    CampaignRecord,
    CancelToken,
    ChangeSet,
    ClientRecord,
    ImportProgress,
    ImportReport,
    IntegrityReport,
    PageCursor,
    TokenRecord,
    UserRecord,
)
from app.library.storage import (
    Storage,
    StorageUnavailable,
    StoredFile,
    UnsafePath,
    new_id,
    validate_uuid,
)
from app.library.throttle import LoginPolicy
from app.library.watch import CursorVersion, DataVersion

if TYPE_CHECKING:
    from app.library.finder import Finder
    from app.library.integrity import Restorer

LOCAL_USER = "local"
PURPOSES = ("face", "template")
# Seconds an entry of the pending-file journal (or an object without a row) may be an upload
# still in flight on another server instance; older ones are what a crash left.
SWEEP_GRACE = 15 * 60.0


@dataclass(frozen=True, slots=True)
class Target:
    """Where imported assets are filed and whom they belong to."""

    user_id: int | None = None
    client_id: str | None = None
    campaign_id: str | None = None
    tags: tuple[str, ...] = ()
    purpose: str | None = None
    description: str | None = None


@dataclass
class _KeyLock:
    """A lock for one Idempotency-Key and how many uploads hold or wait for it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    holders: int = 0


class _KeyTaken(Exception):
    """The Idempotency-Key was committed by another upload meanwhile."""


def _first_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc  # the driver's own words, without SQLAlchemy's SQL
    return (str(cause).strip().splitlines() or [cause.__class__.__name__])[0]


class LibraryService:
    """A library folder (files + database). Every method is safe to call from any thread."""

    def __init__(
        self,
        data_dir: Path,
        db_url: str | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        probe_timeout: float = 60.0,
        workers: int | None = None,
        store: StoreLocation | None = None,
        wall_clock: Callable[[], float] | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser()
        # The wall clock under the edit-time clock (tests inject a skewed one).
        self.wall_clock = wall_clock or time.time
        if self.data_dir.exists() and not self.data_dir.is_dir():
            # mkdir would say only "File exists".
            raise InvalidInput(f"The library folder is a file, not a folder: {self.data_dir}")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = store or StoreLocation()
        self.storage = Storage(
            self.data_dir, self.store.folder(self.data_dir, "assets") if self.store.url else None
        )
        self.max_bytes = max_bytes
        self.probe_timeout = probe_timeout
        self.workers = workers
        self.db_url = db_url or sqlite_url(self.data_dir / "library.db")
        try:
            self._reader = make_engine(self.db_url)
            self._writer = make_engine(self.db_url, writer=True)
            migrate(self._writer)
        except (SQLAlchemyError, ImportError) as exc:
            # A wrong --db-url or an unreachable server: one line for the user, not a traceback.
            raise DatabaseUnavailable(f"Cannot open the database: {_first_line(exc)}") from exc
        self._read = sessionmaker(self._reader, expire_on_commit=False)
        self._pages = PageReader(self._reader) if self._reader.dialect.name == "sqlite" else None
        self._write = sessionmaker(self._writer, expire_on_commit=False)
        # One writer at a time inside this process; other processes wait on SQLite's lock.
        self._write_lock = threading.RLock()
        self._key_locks: dict[tuple[int, str], _KeyLock] = {}
        self._key_locks_guard = threading.Lock()
        self._local_user_id: int | None = None
        self._openers = OpenersLock(self.data_dir)
        if self._openers.only_opener():
            if self.storage.is_local:
                self.recover()
            else:
                self.storage.clear_staging()  # this machine's scratch files
        self._openers.share()
        if not self.storage.is_local:
            # Another instance may be mid-upload: only what is older than the grace goes.
            try:
                self.sweep()
            except StorageUnavailable:
                pass  # the store is down now; the server's periodic sweep tries again
        self._watch: DataVersion | CursorVersion | None = None
        self._watch_guard = threading.Lock()

    # --- plumbing ----------------------------------------------------------------------

    @functools.cached_property
    def find(self) -> Finder:
        """Search by metadata, colour and likeness; ratings, labels, rights, smart folders."""
        from app.library.finder import Finder

        return Finder(self)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        with self._write_lock, self._write.begin() as session:
            yield session

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
        self._reader.dispose()
        self._writer.dispose()
        self._openers.close()

    def __enter__(self) -> LibraryService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def recover(self) -> None:
        """Settle what a crash left: temp files go; half-placed or half-removed files go."""
        self.storage.clear_staging()
        self._settle_pending(None)

    @contextmanager
    def exclusively(self, name: str) -> Iterator[bool]:
        """Whether this process got the cluster-wide lock `name` (PostgreSQL advisory; SQLite: True)."""
        with exclusive_lock(self._writer, name) as got:
            yield got

    def sweep(self, grace: float = SWEEP_GRACE) -> bool:
        """Settle the journal and remove stored files without a row, once across all instances.

        Only entries and objects older than grace seconds count (younger ones may be uploads in
        flight elsewhere). False when another instance holds the sweep.
        """
        with self.exclusively("sweep-files") as got:
            if not got:
                return False
            cutoff = datetime.fromtimestamp(time.time() - grace, UTC)
            self._settle_pending(cutoff)
            self._remove_orphans(cutoff.timestamp())
            return True

    def _settle_pending(self, before: datetime | None) -> None:
        with self.writing() as s:
            stmt = select(PendingFile)
            if before is not None:
                stmt = stmt.where(PendingFile.created_at < before)
            pending = s.scalars(stmt).all()
            for p in pending:
                if s.get(Asset, p.asset_id) is None:
                    self.storage.remove(p.asset_id, p.format)
                s.delete(p)

    def _remove_orphans(self, before: float) -> int:
        """Stored files whose asset has no row and no journal entry, older than before."""
        from app.library.integrity import asset_id_of

        candidates: dict[str, list[str]] = {}
        for blob in self.storage.iter_blobs():
            asset_id = asset_id_of(blob.name)
            if asset_id is not None and blob.mtime < before:
                candidates.setdefault(asset_id, []).append(blob.name)
        ids = list(candidates)
        gone: list[str] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            with self.reading() as s:
                known = set(s.scalars(select(Asset.id).where(Asset.id.in_(chunk))))
                known |= set(s.scalars(select(PendingFile.asset_id).where(PendingFile.asset_id.in_(chunk))))
            gone += [name for i in chunk if i not in known for name in candidates[i]]
        if gone:
            self.storage.blobs.delete(gone)
        return len(gone)

    @property
    def local_user_id(self) -> int:
        """The desktop's own user: everything imported from the window or CLI belongs to it."""
        if self._local_user_id is None:
            with self.writing() as s:
                user = s.scalar(select(User).where(User.username == LOCAL_USER))
                if user is None:
                    user = auth.create_user(s, LOCAL_USER, None)
                self._local_user_id = user.id
        return self._local_user_id

    def warm_up(self) -> None:
        """Prepare what a front end's first screen needs (safe to run in a background thread)."""
        if self._pages is not None:
            self._pages.warm_up()

    def default_target(self, **kw: object) -> Target:
        kw.setdefault("user_id", self.local_user_id)
        return Target(**kw)  # type: ignore[arg-type]

    # --- settings ----------------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self.reading() as s:
            row = s.get(Setting, key)
            return row.value if row else default

    def set_setting(self, key: str, value: str | None) -> None:
        with self.writing() as s:
            row = s.get(Setting, key)
            if value is None:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(Setting(key=key, value=value))
            else:
                row.value = value

    # --- import ------------------------------------------------------------------------

    def import_paths(
        self,
        paths: Sequence[Path],
        target: Target | None = None,
        *,
        allow_duplicates: bool = False,
        progress: Callable[[ImportProgress], None] | None = None,
        cancel: CancelToken | None = None,
        workers: int | None = None,
        executor: Executor | None = None,
    ) -> ImportReport:
        """Import files and folders (recursively), using every core; see ImportSession.

        executor: worker processes the caller started early (importer.start_workers).
        """
        from app.library.importer import ImportSession

        session = ImportSession(
            self,
            paths,
            target or self.default_target(),
            allow_duplicates=allow_duplicates,
            progress=progress,
            cancel=cancel,
            workers=workers if workers is not None else self.workers,
            executor=executor,
        )
        return session.run()

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
        self._check_target(target)
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
        staged = stage_stream(chunks, self.storage.staging_dir, self.max_bytes)
        return analyze(staged, timeout=self.probe_timeout)

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
                self._check_target(target)
                try:
                    [record] = self.commit_ingested(
                        [(ingested, name or filename, asset_id, uploaded_at)],
                        target,
                        idempotency_key=idempotency_key,
                    )
                except _KeyTaken:
                    earlier = self._idempotent_result(target.user_id, idempotency_key)  # type: ignore[arg-type]
                    if earlier is None:
                        raise Conflict("An upload with this Idempotency-Key was just deleted") from None
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
        with self._key_locks_guard:
            entry = self._key_locks.setdefault(slot, _KeyLock())
            entry.holders += 1
        try:
            with entry.lock:
                yield
        finally:
            with self._key_locks_guard:
                entry.holders -= 1
                if entry.holders == 0:
                    del self._key_locks[slot]

    def idempotent_result(self, user_id: int, key: str) -> AssetRecord | None:
        """The asset an earlier upload with this Idempotency-Key made, if it still exists."""
        return self._idempotent_result(user_id, key)

    def _idempotent_result(self, user_id: int, key: str) -> AssetRecord | None:
        with self.reading() as s:
            row = s.scalar(
                select(IdempotencyKey).where(
                    IdempotencyKey.user_id == user_id, IdempotencyKey.key == key
                )
            )
            if row is None:
                return None
            found = repo.assets_by_ids(s, [row.asset_id])
            return found.get(row.asset_id)

    def find_duplicates(self, sha256s: Sequence[str], user_id: int | None) -> dict[str, AssetRecord]:
        """Assets of the user with these hashes, in one query: hash -> an asset with that hash."""
        if not sha256s:
            return {}
        with self.reading() as s:
            rows = s.scalars(
                select(Asset).where(Asset.user_id == user_id, Asset.sha256.in_(set(sha256s)))
            )
            found: dict[str, AssetRecord] = {}
            for a in rows:
                found.setdefault(a.sha256, repo.to_record(a))
            return found

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
        with self.writing() as s:
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
                self.storage.place(ing.staged.path, asset_id, ing.info.format, ing.thumb_path)
            self.storage.sync_dir()
            self._insert_rows(ids, items, target, idempotency_key)
        except BaseException as exc:
            self._unplace(ids, [ing.info.format for ing, *_ in items])
            if isinstance(exc, IntegrityError) and idempotency_key:
                # Another instance committed this Idempotency-Key first (the database's unique
                # constraint decided): this copy goes, and the caller gets the first asset.
                raise _KeyTaken() from None
            raise
        with self.reading() as s:
            found = repo.assets_by_ids(s, ids)
        return [found[i] for i in ids]

    def _unplace(self, ids: Sequence[str], formats: Sequence[str]) -> None:
        """Undo a placement that will get no rows; the journal keeps what the store refuses."""
        try:
            for asset_id, fmt in zip(ids, formats):
                self.storage.remove(asset_id, fmt)
            with self.writing() as s:
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
        with self.writing() as s:
            last = repo.next_seq(s, len(items))
            first = last - len(items) + 1
            for offset, (asset_id, (ing, display, _, uploaded_at)) in enumerate(zip(ids, items)):
                info = ing.info
                s.add(
                    Asset(
                        id=asset_id,
                        user_id=target.user_id,
                        client_id=target.client_id,
                        campaign_id=target.campaign_id,
                        name=safe_display_name(display),
                        asset_type=info.asset_type,
                        url=f"/api/v2/assets/{asset_id}",
                        size=ing.staged.size,
                        uploaded_at=uploaded_at or now,
                        format=info.format,
                        tags=tags,
                        width=info.width,
                        height=info.height,
                        duration=info.duration,
                        thumbnail_url=f"/api/v2/assets/{asset_id}/thumbnail",
                        waveform_url=(
                            f"/api/v2/assets/{asset_id}/waveform"
                            if info.asset_type == "audio"
                            else None
                        ),
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
            find_store.add_rows(s, [(i, ing.info.extra, ing.looks) for i, (ing, *_) in zip(ids, items)])
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

    def _check_target(self, target: Target) -> None:
        if target.purpose is not None and target.purpose not in PURPOSES:
            raise InvalidInput(f"Unknown purpose {target.purpose!r}")
        with self.reading() as s:
            if target.client_id is not None:
                self._owned_client(s, target.client_id, target.user_id)
            if target.campaign_id is not None:
                campaign = self._owned_campaign(s, target.campaign_id, target.user_id)
                if target.client_id is not None and campaign.client_id != target.client_id:
                    raise Conflict("The campaign belongs to another client")

    # --- reading -----------------------------------------------------------------------

    def list_assets(
        self,
        query: AssetQuery | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        after: PageCursor | None = None,
    ) -> list[AssetRecord]:
        q = query or AssetQuery()
        if self._pages is not None:
            return self._pages.list_assets(q, limit, offset, after)
        with self.reading() as s:
            return repo.list_assets(s, q, limit, offset, after)

    def iter_assets(self, query: AssetQuery | None = None, page: int = 500) -> Iterator[AssetRecord]:
        """Every matching asset, page by page through keyset cursors (cheap at any depth)."""
        q = query or AssetQuery()
        after: PageCursor | None = None
        while True:
            rows = self.list_assets(q, limit=page, after=after)
            yield from rows
            if len(rows) < page:
                return
            after = repo.cursor_for(rows[-1], q)

    def cursor_for(self, record: AssetRecord, query: AssetQuery) -> PageCursor:
        return repo.cursor_for(record, query)

    def asset_ids(
        self, query: AssetQuery | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[str]:
        with self.reading() as s:
            return repo.asset_ids(s, query or AssetQuery(), limit, offset)

    def get_assets(self, ids: Sequence[str]) -> dict[str, AssetRecord]:
        if self._pages is not None:
            return self._pages.assets_by_ids(ids)
        with self.reading() as s:
            return repo.assets_by_ids(s, list(ids))

    def count_assets(self, query: AssetQuery | None = None) -> int:
        with self.reading() as s:
            return repo.count_assets(s, query or AssetQuery())

    def counts_by_type(self, query: AssetQuery | None = None) -> dict[str, int]:
        with self.reading() as s:
            counts = repo.counts_by_type(s, query or AssetQuery())
        return {t: counts.get(t, 0) for t in ASSET_TYPES}

    def get_asset(self, asset_id: str, user_id: int | None = None) -> AssetRecord:
        """The asset, or NotFound (also for another user's asset, so nothing leaks)."""
        try:
            asset_id = validate_uuid(asset_id)
        except UnsafePath:
            raise NotFound("Asset not found") from None
        with self.reading() as s:
            found = repo.assets_by_ids(s, [asset_id]).get(asset_id)
        if found is None or (user_id is not None and found.user_id != user_id):
            raise NotFound("Asset not found")
        return found

    def asset_ids_starting(self, prefix: str, user_id: int | None = None, limit: int = 2) -> list[str]:
        """Up to limit asset ids that start with prefix (hex digits and dashes), as git finds commits."""
        prefix = prefix.strip().lower()
        if not prefix or any(c not in "0123456789abcdef-" for c in prefix):
            return []
        stmt = select(Asset.id).where(Asset.id.startswith(prefix, autoescape=True))
        if user_id is not None:
            stmt = stmt.where(Asset.user_id == user_id)
        with self.reading() as s:
            return list(s.scalars(stmt.order_by(Asset.id).limit(limit)))

    def file_path(self, record: AssetRecord) -> Path:
        """The file on this machine (local storage, the desktop's); see stored_file for any store."""
        return self.storage.asset_path(record.id, record.format)

    def stored_file(self, record: AssetRecord) -> StoredFile | None:
        """The asset's file wherever it is stored, or None when it is missing."""
        return self.storage.stored(record.id, record.format)

    def stored_thumb(self, record: AssetRecord) -> StoredFile | None:
        return self.storage.stored(record.id, None)

    def thumb_path(self, record: AssetRecord) -> Path:
        return self.storage.thumb_path(record.id)

    # --- editing -----------------------------------------------------------------------

    def update_asset(
        self,
        asset_id: str,
        changes: AssetChanges,
        user_id: int | None = None,
        edit_times: Mapping[str, str] | None = None,
    ) -> AssetRecord:
        """Edit an asset; each synced field edited gets its edit time (edit_times: the
        times of edits made elsewhere, carried by sync; otherwise now)."""
        asset_id = self._valid_asset_id(asset_id)
        with self.writing() as s:
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
                    self._owned_client(s, str(changes.client_id), a.user_id)
                a.client_id = changes.client_id  # type: ignore[assignment]
            if changes.campaign_id is not UNSET:
                if changes.campaign_id is not None:
                    campaign = self._owned_campaign(s, str(changes.campaign_id), a.user_id)
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
                    ("filing", UNSET if changes.client_id is UNSET and changes.campaign_id is UNSET else True),
                )
                if change is not UNSET
            ]
            sync_state.stamp_edit(s, asset_id, edited, edit_times, self.wall_clock)
            a.updated_at = utcnow()
            a.change_seq = repo.next_seq(s)
            s.flush()
            return repo.assets_by_ids(s, [asset_id])[asset_id]

    # --- edit times (sync) -------------------------------------------------------------------

    def edit_times(self, asset_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """asset id -> {name, tags, filing: edit-time stamp}; unedited fields: the upload time."""
        with self.reading() as s:
            return sync_state.edit_times(s, list(asset_ids))

    def set_edit_times(self, asset_id: str, times: Mapping[str, str]) -> None:
        """Times carried with values synced from elsewhere (a download, a first match)."""
        with self.writing() as s:
            sync_state.stamp_edit(s, asset_id, list(times), times, self.wall_clock)

    def add_sync_history(self, remote_id: int, sync_id: str, rows: Sequence[Mapping[str, object]]) -> None:
        with self.writing() as s:
            sync_state.add_history(s, remote_id, sync_id, rows)

    def sync_history(self, remote_id: int | None = None, syncs: int = 20) -> list[sync_state.HistoryEntry]:
        with self.reading() as s:
            return sync_state.history(s, remote_id, syncs)

    def observe_edit_times(self, stamps: Iterable[str | None]) -> None:
        with self.writing() as s:
            sync_state.observe(s, stamps, self.wall_clock)

    def delete_asset(self, asset_id: str, user_id: int | None = None) -> None:
        """Delete the row, then its file and thumbnail (journalled, so a crash finishes on open)."""
        asset_id = self._valid_asset_id(asset_id)
        with self.writing() as s:
            a = s.get(Asset, asset_id)
            if a is None:
                raise NotFound("Asset not found")
            if user_id is not None and a.user_id != user_id:
                raise PermissionDenied("You don't have permission to delete this asset")
            self._delete_rows(s, [a])
        self._finish_removals([(asset_id, a.format)])

    def delete_assets(self, ids: Sequence[str], user_id: int | None = None) -> int:
        valid = [self._valid_asset_id(i) for i in ids]
        with self.writing() as s:
            rows = s.scalars(select(Asset).where(Asset.id.in_(valid))).all()
            if user_id is not None and any(a.user_id != user_id for a in rows):
                raise PermissionDenied("You don't have permission to delete this asset")
            gone = [(a.id, a.format) for a in rows]
            self._delete_rows(s, list(rows))
        self._finish_removals(gone)
        return len(gone)

    def _delete_rows(self, s: Session, assets: Sequence[Asset]) -> None:
        if not assets:
            return
        # FTS5 rows carry no foreign key: they go in the same transaction as their assets.
        find_store.drop_text(s, [a.id for a in assets])
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
                )
            )
            s.delete(a)

    def _finish_removals(self, gone: Sequence[tuple[str, str]]) -> None:
        for asset_id, fmt in gone:
            self.storage.remove(asset_id, fmt)
        if gone:
            with self.writing() as s:
                s.execute(delete(PendingFile).where(PendingFile.asset_id.in_([g[0] for g in gone])))

    @staticmethod
    def _valid_asset_id(asset_id: str) -> str:
        try:
            return validate_uuid(asset_id)
        except UnsafePath:
            raise NotFound("Asset not found") from None

    # --- clients and campaigns ---------------------------------------------------------

    def _owned_client(self, s: Session, client_id: str, user_id: int | None) -> Client:
        c = s.get(Client, client_id)
        if c is None or (user_id is not None and c.user_id != user_id):
            raise NotFound("Client not found")
        return c

    def _owned_campaign(self, s: Session, campaign_id: str, user_id: int | None) -> Campaign:
        c = s.get(Campaign, campaign_id)
        if c is None:
            raise NotFound("Campaign not found")
        if user_id is not None and c.client.user_id != user_id:
            raise NotFound("Campaign not found")
        return c

    def list_clients(self, user_id: int | None = None) -> list[ClientRecord]:
        uid = self.local_user_id if user_id is None else user_id
        with self.reading() as s:
            return repo.clients_with_counts(s, uid)

    def list_campaigns(
        self, client_id: str | None = None, user_id: int | None = None
    ) -> list[CampaignRecord]:
        uid = self.local_user_id if user_id is None else user_id
        with self.reading() as s:
            return repo.campaigns_with_counts(s, uid, client_id)

    def get_client(self, client_id: str, user_id: int | None = None) -> ClientRecord:
        with self.reading() as s:
            c = self._owned_client(s, client_id, user_id)
            count = repo.count_assets(s, AssetQuery(user_id=c.user_id, client_id=c.id))
            return repo.client_record(c, count)

    def get_campaign(self, campaign_id: str, user_id: int | None = None) -> CampaignRecord:
        with self.reading() as s:
            c = self._owned_campaign(s, campaign_id, user_id)
            count = repo.count_assets(s, AssetQuery(user_id=c.client.user_id, campaign_id=c.id))
            return repo.campaign_record(c, count)

    def find_client(self, name: str, user_id: int | None = None) -> ClientRecord | None:
        uid = self.local_user_id if user_id is None else user_id
        key = name.strip().casefold()
        return next((c for c in self.list_clients(uid) if c.name.casefold() == key), None)

    def find_campaign(self, client_id: str, name: str) -> CampaignRecord | None:
        key = name.strip().casefold()
        with self.reading() as s:
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
        uid = self.local_user_id if user_id is None else user_id
        name = self._clean_name(name, "client")
        if self.find_client(name, uid) is not None:
            raise Conflict(f"A client named {name!r} already exists")
        with self.writing() as s:
            c = Client(id=validate_uuid(client_id) if client_id else new_id(), user_id=uid, name=name)
            s.add(c)
            s.flush()
            return repo.client_record(c)

    def rename_client(self, client_id: str, name: str, user_id: int | None = None) -> ClientRecord:
        name = self._clean_name(name, "client")
        with self.writing() as s:
            c = self._owned_client(s, client_id, user_id)
            clash = self.find_client(name, c.user_id)
            if clash is not None and clash.id != c.id:
                raise Conflict(f"A client named {name!r} already exists")
            c.name = name
            c.updated_at = utcnow()
            self._touch_assets(s, or_(Asset.client_id == c.id, Asset.campaign_id.in_(
                select(Campaign.id).where(Campaign.client_id == c.id))))
            return repo.client_record(c)

    def client_asset_count(self, client_id: str) -> int:
        return self.count_assets(AssetQuery(client_id=client_id))

    def delete_client(self, client_id: str, user_id: int | None = None) -> int:
        """Delete a client, its campaigns and every asset filed under them; returns the asset count."""
        with self.writing() as s:
            c = self._owned_client(s, client_id, user_id)
            campaign_ids = select(Campaign.id).where(Campaign.client_id == c.id)
            assets = s.scalars(
                select(Asset).where(
                    or_(Asset.client_id == c.id, Asset.campaign_id.in_(campaign_ids))
                )
            ).all()
            gone = [(a.id, a.format) for a in assets]
            self._delete_rows(s, list(assets))
            s.flush()
            s.delete(c)
        self._finish_removals(gone)
        return len(gone)

    def create_campaign(
        self,
        client_id: str,
        name: str,
        user_id: int | None = None,
        campaign_id: str | None = None,
    ) -> CampaignRecord:
        name = self._clean_name(name, "campaign")
        with self.writing() as s:
            client = self._owned_client(s, client_id, user_id)
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
        with self.writing() as s:
            c = self._owned_campaign(s, campaign_id, user_id)
            if client_id is not None and client_id != c.client_id:
                self._owned_client(s, client_id, user_id)
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

    def rename_campaign(self, campaign_id: str, name: str, user_id: int | None = None) -> CampaignRecord:
        return self.update_campaign(campaign_id, name=name, user_id=user_id)

    def delete_campaign(self, campaign_id: str, user_id: int | None = None) -> int:
        """Delete a campaign and every asset filed under it; returns the asset count."""
        with self.writing() as s:
            c = self._owned_campaign(s, campaign_id, user_id)
            assets = s.scalars(select(Asset).where(Asset.campaign_id == c.id)).all()
            gone = [(a.id, a.format) for a in assets]
            self._delete_rows(s, list(assets))
            s.flush()
            s.delete(c)
        self._finish_removals(gone)
        return len(gone)

    def _touch_assets(self, s: Session, condition: object) -> None:
        """Renaming a client or campaign changes how its assets look to sync: bump them."""
        rows = s.scalars(select(Asset).where(condition)).all()  # type: ignore[arg-type]
        if rows:
            last = repo.next_seq(s, len(rows))
            for offset, a in enumerate(rows):
                a.change_seq = last - len(rows) + 1 + offset

    # --- users and tokens --------------------------------------------------------------

    def create_user(self, username: str, password: str | None) -> UserRecord:
        with self.writing() as s:
            return auth.to_user_record(auth.create_user(s, username, password))

    def list_users(self) -> list[UserRecord]:
        with self.reading() as s:
            return [auth.to_user_record(u) for u in s.scalars(select(User).order_by(User.id))]

    def get_user(self, username: str) -> UserRecord:
        with self.reading() as s:
            return auth.to_user_record(auth.user_by_name(s, username))

    def set_password(self, username: str, password: str) -> int:
        """Set a new password and revoke every token and API key of the user; returns how many.

        A password is changed when it may be known to someone else, who may also have logged
        in with it: the tokens it could have bought go with it.
        """
        check_new_password(password, username)
        new_hash = hash_password(password)  # slow: outside the write lock
        with self.writing() as s:
            user = auth.user_by_name(s, username)
            user.password_hash = new_hash
            throttle.clear(s, throttle.user_key(username))
            return auth.revoke_tokens(s, user)

    def authenticate(
        self,
        username: str,
        password: str,
        *,
        address: str | None = None,
        policy: LoginPolicy | None = None,
    ) -> UserRecord:
        """The user if the password is right; with a policy, failures are throttled (Throttled)."""
        keyed = [(throttle.user_key(username), policy.user_attempts)] if policy else []
        if policy and address:
            keyed.append((throttle.address_key(address), policy.address_attempts))
        if keyed:
            with self.reading() as s:
                wait = throttle.retry_after(s, [k for k, _ in keyed], utcnow())
            if wait > 0:
                raise Throttled("Too many failed logins: try again later", wait)
        with self.reading() as s:
            user_id, stored = auth.login_candidate(s, username)
        try:
            new_hash = auth.check_login(password, user_id, stored)
        except AuthenticationFailed:
            if policy:
                with self.writing() as s:
                    throttle.record_failure(s, keyed, policy, utcnow())
            raise
        with self.writing() as s:
            user = s.get(User, user_id)
            if user is None:
                raise AuthenticationFailed(auth.WRONG_LOGIN)
            if new_hash is not None and user.password_hash == stored:
                user.password_hash = new_hash  # an older algorithm or parameters: upgraded now
            if policy:
                throttle.clear(s, keyed[0][0])
            return auth.to_user_record(user)

    def create_token(self, username: str, kind: str = "bearer", label: str | None = None) -> str:
        with self.writing() as s:
            return auth.create_token(s, auth.user_by_name(s, username), kind, label)

    def user_for_token(self, token: str, kind: str = "bearer") -> UserRecord:
        with self._reader.connect() as conn:
            return auth.token_owner(conn, token, kind)

    def revoke_tokens(self, username: str, kind: str | None = None) -> int:
        with self.writing() as s:
            return auth.revoke_tokens(s, auth.user_by_name(s, username), kind)

    def revoke_token(self, token: str) -> None:
        with self.writing() as s:
            auth.revoke_token(s, token)

    def list_tokens(self, username: str, kind: str | None = None) -> list[TokenRecord]:
        with self.reading() as s:
            return auth.list_tokens(s, auth.user_by_name(s, username), kind)

    def revoke_token_id(self, token_id: int, kind: str | None = None) -> None:
        """Revoke by the number `list_tokens` shows (the secret itself is not kept)."""
        with self.writing() as s:
            auth.revoke_token_id(s, token_id, kind)

    # --- change feed and integrity -----------------------------------------------------

    def changes_since(self, cursor: int, user_id: int | None, limit: int = 500) -> ChangeSet:
        with self.reading() as s:
            return repo.changes_since(s, user_id, cursor, limit)

    def current_cursor(self) -> int:
        with self.reading() as s:
            return repo.current_seq(s)

    # --- live view: what a window polls ------------------------------------------------

    def data_version(self) -> int:
        """A number that moves whenever any process commits to the library; cheap to poll."""
        with self._watch_guard:
            if self._watch is None:
                database = self._reader.url.database
                if self._reader.dialect.name == "sqlite" and database and database != ":memory:":
                    self._watch = DataVersion(Path(database))
                else:
                    self._watch = CursorVersion(self._names_and_changes)
            watch = self._watch
        return watch.read()

    def _names_and_changes(self) -> int:
        with self.reading() as s:
            return repo.names_and_changes(s)

    def check(
        self,
        *,
        repair: bool = False,
        verify_hashes: bool = True,
        progress: Callable[[int, int], None] | None = None,
        restore: Restorer | None = None,
        remove_missing: bool = True,
    ) -> IntegrityReport:
        from app.library.integrity import check_library

        return check_library(
            self,
            repair=repair,
            verify_hashes=verify_hashes,
            progress=progress,
            restore=restore,
            remove_missing=remove_missing,
        )
