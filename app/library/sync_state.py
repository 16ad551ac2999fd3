"""Per-field edit times, the library's hybrid clock, the sync history and the one-sync-at-a-time lock."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.core import hlc
from app.library.models import Asset, utcnow
from app.library.repository import as_utc
from app.library.sync_models import AssetEditTime, SyncClock, SyncHistory, SyncRemote

try:
    import fcntl
except ImportError:  # Windows: the lock is a file opened exclusively instead
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from app.library.service import LibraryService

EDIT_FIELDS = ("name", "tags", "filing", "rating", "label", "rights")
IN_CHUNK = 500


# --- the clock -----------------------------------------------------------------------------


def _clock_row(s: Session) -> SyncClock:
    # Locked until the edit commits, so edits on other server instances read the latest stamp,
    # never the same one. The row is made by the first edit, not at open, so a copied library
    # folder gets a node of its own; two instances' first edits at once both insert, and the
    # second one's insert does nothing instead of failing on the key.
    row = s.get(SyncClock, 1, with_for_update=True)
    if row is None:
        insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
        s.execute(
            insert(SyncClock)
            .values(id=1, node=secrets.token_hex(4), last=None)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        row = s.get(SyncClock, 1, with_for_update=True, populate_existing=True)
        if row is None:
            raise RuntimeError("The library's sync clock could not be made")
    return row


def stamp_edit(
    s: Session,
    asset_id: str,
    fields: Iterable[str],
    given: Mapping[str, str] | None,
    wall: hlc.WallClock,
) -> None:
    """Record when fields of an asset were edited: the times given (an edit synced from
    elsewhere keeps its own time), else now by the library's clock. In the edit's transaction."""
    fields = [f for f in fields if f in EDIT_FIELDS]
    if not fields:
        return
    row = _clock_row(s)
    clock = hlc.HybridClock(row.node, wall, row.last)
    # An edit is always later than what it replaces, even after the wall clock stepped back
    # past the asset's import (its fields' times until edited) or an edit synced in.
    clock.observe(hlc.latest(edit_times(s, [asset_id]).get(asset_id, {}).values()))
    times = s.get(AssetEditTime, asset_id)
    if times is None:
        times = AssetEditTime(asset_id=asset_id)
        s.add(times)
    for f in fields:
        value = (given or {}).get(f)
        if value is not None and hlc.is_stamp(value):
            clock.observe(value)
        else:
            value = clock.now()
        setattr(times, f, value)
    row.last = clock.last


def observe(s: Session, stamps: Iterable[str | None], wall: hlc.WallClock) -> None:
    """Stamps seen from another side: every later edit here is stamped after them."""
    newest = hlc.latest(stamps)
    if newest is None:
        return
    row = _clock_row(s)
    clock = hlc.HybridClock(row.node, wall, row.last)
    clock.observe(newest)
    row.last = clock.last


def edit_times(s: Session, asset_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """asset id -> {field: stamp} for every field; an unedited field has its upload time."""
    out: dict[str, dict[str, str]] = {}
    for start in range(0, len(asset_ids), IN_CHUNK):
        chunk = list(asset_ids[start : start + IN_CHUNK])
        rows = s.execute(
            select(Asset.id, Asset.uploaded_at, *(getattr(AssetEditTime, f) for f in EDIT_FIELDS))
            .outerjoin(AssetEditTime, AssetEditTime.asset_id == Asset.id)
            .where(Asset.id.in_(chunk))
        )
        for aid, uploaded, *stamps in rows:
            base = hlc.from_datetime(as_utc(uploaded))
            out[aid] = {f: stamp or base for f, stamp in zip(EDIT_FIELDS, stamps, strict=True)}
    return out


def new_stamp(s: Session, wall: hlc.WallClock, after: Iterable[str | None] = ()) -> str:
    """A fresh stamp of the library's clock, later than every stamp in after (in s's transaction)."""
    row = _clock_row(s)
    clock = hlc.HybridClock(row.node, wall, row.last)
    clock.observe(hlc.latest(after))
    value = clock.now()
    row.last = clock.last
    return value


# --- the history ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One field one sync changed on one side (values are JSON-ready: text, list, or [client, campaign, direct])."""

    id: int
    remote_id: int
    remote_name: str
    sync_id: str
    synced_at: datetime
    asset_id: str | None
    remote_asset_id: str | None
    label: str
    field: str
    side: str
    old_value: Any
    new_value: Any
    old_time: str | None
    new_time: str | None
    conflict: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "sync": self.sync_id,
            "remote": self.remote_name,
            "syncedAt": self.synced_at.isoformat(),
            "assetId": self.asset_id,
            "remoteAssetId": self.remote_asset_id,
            "asset": self.label,
            "field": self.field,
            "side": self.side,
            "old": self.old_value,
            "new": self.new_value,
            "oldEditedAt": _iso(self.old_time),
            "newEditedAt": _iso(self.new_time),
            "conflict": self.conflict,
        }


def _iso(stamp: str | None) -> str | None:
    return hlc.to_datetime(stamp).isoformat() if stamp and hlc.is_stamp(stamp) else None


def add_history(s: Session, remote_id: int, sync_id: str, rows: Sequence[Mapping[str, Any]]) -> None:
    now = utcnow()
    for r in rows:
        s.add(
            SyncHistory(
                remote_id=remote_id,
                sync_id=sync_id,
                synced_at=now,
                asset_id=r.get("asset_id"),
                remote_asset_id=r.get("remote_asset_id"),
                label=str(r["label"])[:255],
                field=r["field"],
                side=r["side"],
                old_value=json.dumps(r.get("old"), ensure_ascii=False),
                new_value=json.dumps(r.get("new"), ensure_ascii=False),
                old_time=r.get("old_time"),
                new_time=r.get("new_time"),
                conflict=bool(r.get("conflict")),
            )
        )


def history(s: Session, remote_id: int | None = None, syncs: int = 20) -> list[HistoryEntry]:
    """The changes of the last `syncs` syncs (newest first), of one remote or all."""
    recent = select(SyncHistory.sync_id, func.max(SyncHistory.id).label("last"))
    if remote_id is not None:
        recent = recent.where(SyncHistory.remote_id == remote_id)
    recent_rows = s.execute(
        recent.group_by(SyncHistory.sync_id).order_by(func.max(SyncHistory.id).desc()).limit(syncs)
    ).all()
    ids = [r[0] for r in recent_rows]
    if not ids:
        return []
    names = dict(s.execute(select(SyncRemote.id, SyncRemote.name)).all())
    rows = s.scalars(
        select(SyncHistory).where(SyncHistory.sync_id.in_(ids)).order_by(SyncHistory.id.desc())
    ).all()
    return [
        HistoryEntry(
            id=r.id,
            remote_id=r.remote_id,
            remote_name=names.get(r.remote_id, "?"),
            sync_id=r.sync_id,
            synced_at=as_utc(r.synced_at),
            asset_id=r.asset_id,
            remote_asset_id=r.remote_asset_id,
            label=r.label,
            field=r.field,
            side=r.side,
            old_value=_loads(r.old_value),
            new_value=_loads(r.new_value),
            old_time=r.old_time,
            new_time=r.new_time,
            conflict=r.conflict,
        )
        for r in rows
    ]


def history_entry(s: Session, entry_id: int) -> HistoryEntry | None:
    row = s.get(SyncHistory, entry_id)
    if row is None:
        return None
    return next((e for e in history(s, row.remote_id, 10_000) if e.id == entry_id), None)


def _loads(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def drop_history(s: Session, remote_id: int) -> None:
    s.execute(delete(SyncHistory).where(SyncHistory.remote_id == remote_id))


# --- one sync at a time --------------------------------------------------------------------


class SyncLock:
    """Held while a sync with one remote runs, across processes (an OS lock on a file in the
    library folder, released by the OS if the process dies)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None

    def acquire(self) -> bool:
        f = self.path.open("a+b")
        if fcntl is None:
            try:
                import msvcrt

                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
            except OSError:
                f.close()
                return False
        else:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.close()
                return False
            except OSError:
                pass  # a file system without locks: the in-process lock still holds
        self._file = f
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the lock
            self._file = None


def sync_lock(lib: LibraryService, remote_id: int) -> SyncLock:
    return SyncLock(lib.data_dir / f".sync-{remote_id}.lock")
