"""Sync state in the library database (remotes, links), read and written as plain dataclasses."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from app.library.errors import Conflict, NotFound
from app.library.models import utcnow
from app.library.repository import as_utc
from app.library.service import LibraryService
from app.library.sync_models import SyncLink, SyncRemote
from app.library.sync_records import Filing, Snapshot


@dataclass(frozen=True, slots=True)
class RemoteConfig:
    id: int
    name: str
    url: str
    kind: str
    username: str | None
    token: str
    cursor: int | None
    mode: str | None
    last_sync_at: datetime | None
    last_status: str | None
    last_error: str | None
    last_summary: dict[str, Any]

    @property
    def local_cursor(self) -> int | None:
        """The library's change number taken before the last complete sync planned (None: unknown).

        Only trusted after an ok sync: any other outcome, a retry of skipped files or a new
        token drops it, so the next sync plans in full."""
        if self.last_status != "ok":
            return None
        value = self.last_summary.get(LOCAL_CURSOR)
        return value if isinstance(value, int) and not isinstance(value, bool) else None


LOCAL_CURSOR = "local_cursor"
# Ids per IN (...) list: well under every database's limit on bound parameters.
IN_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Link:
    id: int
    asset_id: str | None
    remote_asset_id: str | None
    state: str  # 'linked' | 'uploading' | 'skipped'
    direction: str | None
    idem_key: str | None
    sha256: str | None
    base: Snapshot | None
    remote_updated_at: datetime | None
    note: str | None


def _remote(r: SyncRemote) -> RemoteConfig:
    try:
        summary = json.loads(r.last_summary) if r.last_summary else {}
    except ValueError:
        summary = {}
    return RemoteConfig(
        id=r.id,
        name=r.name,
        url=r.url,
        kind=r.kind,
        username=r.username,
        token=r.token,
        cursor=r.cursor,
        mode=r.mode,
        last_sync_at=as_utc(r.last_sync_at) if r.last_sync_at else None,
        last_status=r.last_status,
        last_error=r.last_error,
        last_summary=summary if isinstance(summary, dict) else {},
    )


def _snapshot(row: SyncLink) -> Snapshot | None:
    if row.name is None:
        return None
    try:
        tags = json.loads(row.tags) if row.tags else []
        filing = Filing.from_list(json.loads(row.filing)) if row.filing else None
    except ValueError:
        tags, filing = [], None
    return Snapshot(row.name, tuple(str(t) for t in tags), filing).with_find_json(row.find)


def _link(row: SyncLink) -> Link:
    return Link(
        id=row.id,
        asset_id=row.asset_id,
        remote_asset_id=row.remote_asset_id,
        state=row.state,
        direction=row.direction,
        idem_key=row.idem_key,
        sha256=row.sha256,
        base=_snapshot(row),
        remote_updated_at=as_utc(row.remote_updated_at) if row.remote_updated_at else None,
        note=row.note,
    )


def _drop_local_cursor(row: SyncRemote) -> None:
    if not row.last_summary:
        return
    try:
        summary = json.loads(row.last_summary)
    except ValueError:
        return
    if isinstance(summary, dict) and LOCAL_CURSOR in summary:
        summary.pop(LOCAL_CURSOR)
        row.last_summary = json.dumps(summary)


def _write_base(row: SyncLink, base: Snapshot | None) -> None:
    if base is None:
        row.name = row.tags = row.filing = row.find = None
        return
    row.find = base.find_json()
    row.name = base.name
    row.tags = json.dumps(list(base.tags), ensure_ascii=False)
    row.filing = json.dumps(base.filing.to_list()) if base.filing else None


class SyncStore:
    """Every read and write of sync state; each method is one short transaction."""

    def __init__(self, lib: LibraryService) -> None:
        self.lib = lib

    # --- remotes -------------------------------------------------------------------------

    def add_remote(
        self, name: str, url: str, kind: str, username: str | None, token: str
    ) -> RemoteConfig:
        with self.lib.writing() as s:
            if s.scalar(select(SyncRemote).where(SyncRemote.name == name)) is not None:
                raise Conflict(f"A remote named {name!r} already exists (see `atelier remote list`)")
            row = SyncRemote(name=name, url=url, kind=kind, username=username, token=token)
            s.add(row)
            s.flush()
            config = _remote(row)
        self._protect_db()
        return config

    def _protect_db(self) -> None:
        # The token sits in the library database: keep the file private to its owner.
        # SQLite gives the -wal and -shm files the database file's permissions.
        if not self.lib.db_url.startswith("sqlite") or os.name != "posix":
            return
        for suffix in ("", "-wal", "-shm"):
            path = self.lib.data_dir / f"library.db{suffix}"
            if path.exists():
                path.chmod(0o600)

    def set_token(self, remote_id: int, token: str, username: str | None) -> None:
        with self.lib.writing() as s:
            row = s.get(SyncRemote, remote_id)
            if row is None:
                raise NotFound("No such remote")
            row.token, row.username = token, username
            _drop_local_cursor(row)

    def list_remotes(self) -> list[RemoteConfig]:
        with self.lib.reading() as s:
            return [_remote(r) for r in s.scalars(select(SyncRemote).order_by(SyncRemote.id))]

    def get_remote(self, ref: str | int | None = None) -> RemoteConfig:
        """A remote by id, name or URL; without ref, the only one."""
        remotes = self.list_remotes()
        if ref is None:
            if not remotes:
                raise NotFound("No remote yet: add one with `atelier remote add URL`")
            if len(remotes) > 1:
                raise NotFound("Several remotes: choose one with --remote NAME")
            return remotes[0]
        text = str(ref).strip()
        for r in remotes:
            if str(r.id) == text or r.name == text or r.url == text.rstrip("/"):
                return r
        raise NotFound(f"No remote named {text!r} (see `atelier remote list`)")

    def remove_remote(self, remote_id: int) -> None:
        with self.lib.writing() as s:
            s.execute(delete(SyncLink).where(SyncLink.remote_id == remote_id))
            s.execute(delete(SyncRemote).where(SyncRemote.id == remote_id))

    def record(
        self,
        remote_id: int,
        status: str,
        *,
        error: str | None = None,
        summary: dict[str, Any] | None = None,
        cursor: int | None = None,
        mode: str | None = None,
        finished: bool = True,
        local_cursor: int | None = None,
    ) -> None:
        """The outcome of a sync (the cursor only moves after a complete one).

        local_cursor, the library's change number before that sync planned, is kept only
        with an ok status; every other record drops the one kept before."""
        with self.lib.writing() as s:
            row = s.get(SyncRemote, remote_id)
            if row is None:
                return
            row.last_status = status
            row.last_error = error
            if summary is not None:
                summary = dict(summary)
                summary.pop(LOCAL_CURSOR, None)
                if local_cursor is not None and status == "ok":
                    summary[LOCAL_CURSOR] = local_cursor
                row.last_summary = json.dumps(summary)
            else:
                _drop_local_cursor(row)
            if cursor is not None:
                row.cursor = cursor
            if mode is not None:
                row.mode = mode
            if finished:
                row.last_sync_at = utcnow()

    # --- links ---------------------------------------------------------------------------

    def links(self, remote_id: int) -> list[Link]:
        with self.lib.reading() as s:
            rows = s.scalars(select(SyncLink).where(SyncLink.remote_id == remote_id)).all()
            return [_link(r) for r in rows]

    def count_links(self, remote_id: int, state: str = "linked") -> int:
        with self.lib.reading() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(SyncLink)
                    .where(SyncLink.remote_id == remote_id, SyncLink.state == state)
                )
                or 0
            )

    def link_for_asset(self, remote_id: int, asset_id: str) -> Link | None:
        with self.lib.reading() as s:
            row = s.scalar(
                select(SyncLink).where(
                    SyncLink.remote_id == remote_id, SyncLink.asset_id == asset_id
                )
            )
            return _link(row) if row else None

    def links_for_assets(self, remote_id: int, asset_ids: Sequence[str]) -> dict[str, Link]:
        """link_for_asset for many assets in one read: asset id -> its link (if any)."""
        out: dict[str, Link] = {}
        with self.lib.reading() as s:
            for start in range(0, len(asset_ids), IN_CHUNK):
                chunk = list(asset_ids[start : start + IN_CHUNK])
                for row in s.scalars(
                    select(SyncLink).where(
                        SyncLink.remote_id == remote_id, SyncLink.asset_id.in_(chunk)
                    )
                ):
                    if row.asset_id is not None:
                        out[row.asset_id] = _link(row)
        return out

    def begin_uploads(
        self, remote_id: int, items: Sequence[tuple[str, str, Snapshot]]
    ) -> list[Link]:
        """Journal uploads of (asset id, sha256, base) items before sending them, in one
        transaction; an existing journal entry keeps its Idempotency-Key."""
        if not items:
            return []
        with self.lib.writing() as s:
            rows: dict[str, SyncLink] = {}
            ids = [asset_id for asset_id, _, _ in items]
            for start in range(0, len(ids), IN_CHUNK):
                for row in s.scalars(
                    select(SyncLink).where(
                        SyncLink.remote_id == remote_id,
                        SyncLink.asset_id.in_(ids[start : start + IN_CHUNK]),
                    )
                ):
                    if row.asset_id is not None:  # the IN (...) matched it, so it has one
                        rows[row.asset_id] = row
            now = utcnow()
            for asset_id, sha256, base in items:
                found = rows.get(asset_id)
                if found is not None:
                    row = found
                else:
                    row = rows[asset_id] = SyncLink(
                        remote_id=remote_id, asset_id=asset_id, state="uploading"
                    )
                    s.add(row)
                if row.state != "uploading" or not row.idem_key:
                    row.state = "uploading"
                    row.idem_key = f"atelier-{uuid.uuid4().hex}"
                    row.remote_asset_id = None
                row.sha256 = sha256
                _write_base(row, base)
                row.synced_at = now
            s.flush()
            return [_link(rows[asset_id]) for asset_id in ids]

    def set_linked(
        self,
        remote_id: int,
        asset_id: str,
        remote_asset_id: str,
        sha256: str,
        base: Snapshot,
        remote_updated_at: datetime | None,
    ) -> None:
        self.set_linked_many(
            remote_id, [(asset_id, remote_asset_id, sha256, base, remote_updated_at)]
        )

    def set_linked_many(
        self,
        remote_id: int,
        items: Sequence[tuple[str, str, str, Snapshot, datetime | None]],
    ) -> None:
        """set_linked for (asset id, remote asset id, sha256, base, remote updatedAt) items,
        in one transaction; the same as calling it for each in turn."""
        # One row per asset and per remote asset: a later item replaces an earlier one that
        # shares either id, as it would replace a row already written.
        chosen: list[tuple[str, str, str, Snapshot, datetime | None]] = []
        for item in items:
            chosen = [c for c in chosen if c[0] != item[0] and c[1] != item[1]]
            chosen.append(item)
        if not chosen:
            return
        with self.lib.writing() as s:
            asset_ids = [c[0] for c in chosen]
            remote_ids = [c[1] for c in chosen]
            for start in range(0, len(chosen), IN_CHUNK):
                # Clear what either id was linked to before.
                for row in s.scalars(
                    select(SyncLink).where(
                        SyncLink.remote_id == remote_id,
                        SyncLink.asset_id.in_(asset_ids[start : start + IN_CHUNK])
                        | SyncLink.remote_asset_id.in_(remote_ids[start : start + IN_CHUNK]),
                    )
                ).all():
                    s.delete(row)
            s.flush()
            now = utcnow()
            for asset_id, remote_asset_id, sha256, base, remote_updated_at in chosen:
                row = SyncLink(
                    remote_id=remote_id,
                    asset_id=asset_id,
                    remote_asset_id=remote_asset_id,
                    state="linked",
                    sha256=sha256,
                    remote_updated_at=remote_updated_at,
                    synced_at=now,
                )
                _write_base(row, base)
                s.add(row)

    def update_base(
        self, link_id: int, base: Snapshot, remote_updated_at: datetime | None = None
    ) -> None:
        with self.lib.writing() as s:
            row = s.get(SyncLink, link_id)
            if row is None:
                return
            _write_base(row, base)
            if remote_updated_at is not None:
                row.remote_updated_at = remote_updated_at
            row.synced_at = utcnow()

    def skip(
        self,
        remote_id: int,
        *,
        asset_id: str | None,
        remote_asset_id: str | None,
        direction: str,
        reason: str,
    ) -> None:
        """Remember a file one side refused, so it is not sent again and again."""
        with self.lib.writing() as s:
            cond = (
                SyncLink.asset_id == asset_id
                if asset_id is not None
                else SyncLink.remote_asset_id == remote_asset_id
            )
            row = s.scalar(select(SyncLink).where(SyncLink.remote_id == remote_id, cond))
            if row is None:
                row = SyncLink(remote_id=remote_id)
                s.add(row)
            row.asset_id = asset_id
            row.remote_asset_id = remote_asset_id
            row.state = "skipped"
            row.direction = direction
            row.note = reason
            row.idem_key = None
            row.synced_at = utcnow()

    def clear_skipped(self, remote_id: int) -> int:
        with self.lib.writing() as s:
            result = s.execute(
                delete(SyncLink).where(SyncLink.remote_id == remote_id, SyncLink.state == "skipped")
            )
            row = s.get(SyncRemote, remote_id)
            if row is not None:
                _drop_local_cursor(row)  # the files skipped before must be planned again
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def drop(self, link_id: int) -> None:
        with self.lib.writing() as s:
            s.execute(delete(SyncLink).where(SyncLink.id == link_id))
