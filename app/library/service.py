"""LibraryService: the one thread-safe library API that the GUI, CLI, server and sync all use."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.core.formats import DEFAULT_MAX_BYTES
from app.core.ingest import Ingested
from app.library import accounts, deletes, folders, stored_settings, sync_state
from app.library import repository as repo
from app.library.assets import Assets, KeyLock, valid_asset_id
from app.library.blobs import StoreLocation
from app.library.db import exclusive_lock, make_engine, migrate, sqlite_url
from app.library.errors import (
    DatabaseUnavailable,
    InvalidInput,
)
from app.library.oslock import OpenersLock
from app.library.pages import PageReader
from app.library.reads import Reads
from app.library.records import (
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
from app.library.recovery import SWEEP_GRACE, THROTTLE_MEMORY, Recovery
from app.library.storage import (
    Storage,
    StorageUnavailable,
    StoredFile,
)
from app.library.throttle import LoginPolicy
from app.library.watch import CursorVersion, DataVersion

if TYPE_CHECKING:
    from app.library.finder import Finder
    from app.library.integrity import Restorer

LOCAL_USER = "local"


@dataclass(frozen=True, slots=True)
class Target:
    """Where imported assets are filed and whom they belong to."""

    user_id: int | None = None
    client_id: str | None = None
    campaign_id: str | None = None
    tags: tuple[str, ...] = ()
    purpose: str | None = None
    description: str | None = None


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
        self._key_locks: dict[tuple[int, str], KeyLock] = {}
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

    # --- recovery and sweeps (recovery.py) ------------------------------------------------

    @functools.cached_property
    def _recovery(self) -> Recovery:
        return Recovery(self)

    def recover(self) -> None:
        """Settle what a crash left: temp files go; half-placed or half-removed files go."""
        self._recovery.recover()

    @contextmanager
    def exclusively(self, name: str) -> Iterator[bool]:
        """Whether this process got the cluster-wide lock `name` (PostgreSQL advisory; SQLite: True)."""
        with exclusive_lock(self._writer, name) as got:
            yield got

    def sweep(self, grace: float = SWEEP_GRACE, throttle_memory: float = THROTTLE_MEMORY) -> bool:
        """Settle the journal, remove stored files without a row, forget stale throttle rows.

        Once across all instances; only what is older than grace seconds counts (younger may be
        an upload in flight elsewhere). False when another instance holds the sweep.
        """
        return self._recovery.sweep(grace, throttle_memory)

    @property
    def local_user_id(self) -> int:
        """The desktop's own user: everything imported from the window or CLI belongs to it."""
        if self._local_user_id is None:
            self._local_user_id = self._accounts.ensure_user(LOCAL_USER)
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
            return stored_settings.get(s, key, default)

    def set_setting(self, key: str, value: str | None) -> None:
        with self.writing() as s:
            stored_settings.put(s, key, value)

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

    @functools.cached_property
    def _assets(self) -> Assets:
        return Assets(self)

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
        return self._assets.import_stream(
            chunks, filename, target,
            name=name, asset_id=asset_id, uploaded_at=uploaded_at, idempotency_key=idempotency_key,
        )  # fmt: skip

    def receive_stream(self, chunks: Iterable[bytes] | BinaryIO) -> Ingested:
        """Stage and analyse a streamed file without filing it yet.

        For callers that learn where the file goes only after its bytes (a multipart
        upload whose form fields follow the file); finish with file_received().
        """
        return self._assets.receive_stream(chunks)

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
        return self._assets.file_received(
            ingested, filename, target,
            name=name, asset_id=asset_id, uploaded_at=uploaded_at, idempotency_key=idempotency_key,
        )  # fmt: skip

    def idempotent_result(self, user_id: int, key: str) -> AssetRecord | None:
        """The asset an earlier upload with this Idempotency-Key made, if it still exists."""
        return self._assets.idempotent_result(user_id, key)

    def find_duplicates(self, sha256s: Sequence[str], user_id: int | None) -> dict[str, AssetRecord]:
        """Assets of the user with these hashes, in one query: hash -> an asset with that hash."""
        return self._assets.find_duplicates(sha256s, user_id)

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
        return self._assets.commit_ingested(items, target, idempotency_key=idempotency_key)

    def _check_target(self, target: Target) -> None:
        return self._assets.check_target(target)

    # --- reading (reads.py; pages.py is its SQLite fast path) ------------------------------

    @functools.cached_property
    def _reads(self) -> Reads:
        return Reads(self)

    def list_assets(
        self,
        query: AssetQuery | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        after: PageCursor | None = None,
    ) -> list[AssetRecord]:
        return self._reads.list_assets(query or AssetQuery(), limit, offset, after)

    def iter_assets(self, query: AssetQuery | None = None, page: int = 500) -> Iterator[AssetRecord]:
        """Every matching asset, page by page through keyset cursors (cheap at any depth)."""
        return self._reads.iter_assets(query or AssetQuery(), page)

    def cursor_for(self, record: AssetRecord, query: AssetQuery) -> PageCursor:
        return repo.cursor_for(record, query)

    def asset_ids(
        self, query: AssetQuery | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[str]:
        return self._reads.asset_ids(query or AssetQuery(), limit, offset)

    def get_assets(self, ids: Sequence[str]) -> dict[str, AssetRecord]:
        return self._reads.get_assets(ids)

    def count_assets(self, query: AssetQuery | None = None) -> int:
        return self._reads.count_assets(query)

    def counts_by_type(self, query: AssetQuery | None = None) -> dict[str, int]:
        return self._reads.counts_by_type(query)

    def get_asset(self, asset_id: str, user_id: int | None = None) -> AssetRecord:
        """The asset, or NotFound (also for another user's asset, so nothing leaks)."""
        return self._reads.get_asset(asset_id, user_id)

    def asset_ids_starting(self, prefix: str, user_id: int | None = None, limit: int = 2) -> list[str]:
        """Up to limit asset ids that start with prefix (hex digits and dashes), as git finds commits."""
        return self._reads.asset_ids_starting(prefix, user_id, limit)

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
        return self._assets.update_asset(asset_id, changes, user_id, edit_times)

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

    # --- deleting (deletes.py) ------------------------------------------------------------

    @functools.cached_property
    def _deletes(self) -> deletes.Deletes:
        return deletes.Deletes(self)

    def delete_asset(self, asset_id: str, user_id: int | None = None) -> None:
        """Delete the row, then its file and thumbnail (journalled, so a crash finishes on open)."""
        self._deletes.delete_asset(asset_id, user_id)

    def delete_assets(self, ids: Sequence[str], user_id: int | None = None) -> int:
        return self._deletes.delete_assets(ids, user_id)

    _valid_asset_id = staticmethod(valid_asset_id)

    # --- clients and campaigns (folders.py) ---------------------------------------------

    _owned_client = staticmethod(folders.owned_client)
    _owned_campaign = staticmethod(folders.owned_campaign)

    @functools.cached_property
    def _folders(self) -> folders.Folders:
        return folders.Folders(self)

    def list_clients(self, user_id: int | None = None) -> list[ClientRecord]:
        return self._folders.list_clients(user_id)

    def list_campaigns(
        self, client_id: str | None = None, user_id: int | None = None
    ) -> list[CampaignRecord]:
        return self._folders.list_campaigns(client_id, user_id)

    def get_client(self, client_id: str, user_id: int | None = None) -> ClientRecord:
        return self._folders.get_client(client_id, user_id)

    def get_campaign(self, campaign_id: str, user_id: int | None = None) -> CampaignRecord:
        return self._folders.get_campaign(campaign_id, user_id)

    def find_client(self, name: str, user_id: int | None = None) -> ClientRecord | None:
        return self._folders.find_client(name, user_id)

    def find_campaign(self, client_id: str, name: str) -> CampaignRecord | None:
        return self._folders.find_campaign(client_id, name)

    def create_client(
        self, name: str, user_id: int | None = None, client_id: str | None = None
    ) -> ClientRecord:
        return self._folders.create_client(name, user_id, client_id)

    def rename_client(self, client_id: str, name: str, user_id: int | None = None) -> ClientRecord:
        return self._folders.rename_client(client_id, name, user_id)

    def client_asset_count(self, client_id: str) -> int:
        return self._folders.client_asset_count(client_id)

    def delete_client(self, client_id: str, user_id: int | None = None) -> int:
        """Delete a client, its campaigns and every asset filed under them; returns the asset count."""
        return self._folders.delete_client(client_id, user_id)

    def create_campaign(
        self,
        client_id: str,
        name: str,
        user_id: int | None = None,
        campaign_id: str | None = None,
    ) -> CampaignRecord:
        return self._folders.create_campaign(client_id, name, user_id, campaign_id)

    def update_campaign(
        self,
        campaign_id: str,
        *,
        name: str | None = None,
        client_id: str | None = None,
        user_id: int | None = None,
    ) -> CampaignRecord:
        return self._folders.update_campaign(
            campaign_id, name=name, client_id=client_id, user_id=user_id
        )

    def rename_campaign(self, campaign_id: str, name: str, user_id: int | None = None) -> CampaignRecord:
        return self._folders.rename_campaign(campaign_id, name, user_id)

    def delete_campaign(self, campaign_id: str, user_id: int | None = None) -> int:
        """Delete a campaign and every asset filed under it; returns the asset count."""
        return self._folders.delete_campaign(campaign_id, user_id)

    # --- users and tokens (accounts.py) --------------------------------------------------

    @functools.cached_property
    def _accounts(self) -> accounts.Accounts:
        return accounts.Accounts(self)

    def create_user(self, username: str, password: str | None) -> UserRecord:
        return self._accounts.create_user(username, password)

    def list_users(self) -> list[UserRecord]:
        return self._accounts.list_users()

    def get_user(self, username: str) -> UserRecord:
        return self._accounts.get_user(username)

    def set_password(self, username: str, password: str) -> int:
        """Set a new password and revoke every token and API key of the user; returns how many.

        A password is changed when it may be known to someone else, who may also have logged
        in with it: the tokens it could have bought go with it.
        """
        return self._accounts.set_password(username, password)

    def authenticate(
        self,
        username: str,
        password: str,
        *,
        address: str | None = None,
        policy: LoginPolicy | None = None,
    ) -> UserRecord:
        """The user if the password is right; with a policy, failures are throttled (Throttled)."""
        return self._accounts.authenticate(username, password, address=address, policy=policy)

    def create_token(self, username: str, kind: str = "bearer", label: str | None = None) -> str:
        return self._accounts.create_token(username, kind, label)

    def user_for_token(self, token: str, kind: str = "bearer") -> UserRecord:
        return self._accounts.user_for_token(token, kind)

    def revoke_tokens(self, username: str, kind: str | None = None) -> int:
        return self._accounts.revoke_tokens(username, kind)

    def revoke_token(self, token: str) -> None:
        return self._accounts.revoke_token(token)

    def list_tokens(self, username: str, kind: str | None = None) -> list[TokenRecord]:
        return self._accounts.list_tokens(username, kind)

    def revoke_token_id(self, token_id: int, kind: str | None = None) -> None:
        """Revoke by the number `list_tokens` shows (the secret itself is not kept)."""
        return self._accounts.revoke_token_id(token_id, kind)

    # --- change feed and integrity -----------------------------------------------------

    def changes_since(self, cursor: int, user_id: int | None, limit: int = 500) -> ChangeSet:
        return self._reads.changes_since(cursor, user_id, limit)

    def current_cursor(self) -> int:
        return self._reads.current_cursor()

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
        return self._reads.names_and_changes()

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
