"""Verified copies of assets from the remotes a library syncs with, for `check --repair`."""

from __future__ import annotations

from datetime import UTC, datetime

from app.core.errors import AtelierError
from app.core.staging import StagedFile, stage_stream
from app.library.records import AssetRecord
from app.library.service import LibraryService
from app.library.sync_store import SyncStore
from app.sync.engine import ClientOptions, open_remote
from app.sync.remote import Remote, RemoteAsset


class RemoteRestorer:
    """Call with an asset: its recorded bytes downloaded from a remote holding them, staged
    and sha256-verified, with the remote's name; None when no remote has a good copy.

    Only remotes whose link says they hold exactly the recorded bytes are asked; the
    download is checked again here, so a server that sends other bytes restores nothing."""

    def __init__(self, lib: LibraryService, options: ClientOptions | None = None) -> None:
        self.lib = lib
        self.store = SyncStore(lib)
        self.options = options or ClientOptions()
        self._open: dict[int, Remote | None] = {}
        self.notes: list[str] = []  # why a remote could not help (offline, other bytes)

    def __call__(self, record: AssetRecord) -> tuple[StagedFile, str] | None:
        for config in self.store.list_remotes():
            link = self.store.link_for_asset(config.id, record.id)
            if link is None or link.state != "linked" or not link.remote_asset_id:
                continue
            if link.sha256 != record.sha256:
                continue
            remote = self._remote(config.id)
            if remote is None:
                continue
            asset = RemoteAsset(
                id=link.remote_asset_id,
                name=record.name,
                tags=(),
                filing=None,
                asset_type=record.asset_type,
                format=record.format,
                size=record.size,
                uploaded_at=datetime.now(UTC),
                sha256=record.sha256,
            )
            try:
                with remote.download(asset) as stream:
                    staged = stage_stream(
                        stream.chunks(), self.lib.storage.staging_dir, self.lib.max_bytes
                    )
            except AtelierError as exc:
                self.notes.append(f"{record.name}: {config.name}: {exc}")
                continue
            if staged.sha256 != record.sha256:
                staged.path.unlink(missing_ok=True)
                self.notes.append(f"{record.name}: {config.name} holds other bytes")
                continue
            return staged, config.name
        return None

    def _remote(self, remote_id: int) -> Remote | None:
        if remote_id not in self._open:
            config = self.store.get_remote(remote_id)
            self._open[remote_id] = None
            try:
                remote = open_remote(config, self.options)
            except AtelierError as exc:
                self.notes.append(f"{config.name}: {exc}")
                return None
            try:
                remote.connect()
            except AtelierError as exc:
                remote.close()
                self.notes.append(f"{config.name}: {exc}")
            else:
                self._open[remote_id] = remote
        return self._open[remote_id]

    def close(self) -> None:
        for remote in self._open.values():
            if remote is not None:
                remote.close()
        self._open.clear()
