"""What sync carries of finding: each asset's rating, label and rights, and smart folders merged by edit time."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import hlc
from app.library.find import parse_rule, rules_from_json, rules_to_json
from app.library.find_models import (
    AssetMeta,
    AssetRights,
    CampaignRights,
    SmartFolder,
    SmartFolderTombstone,
)
from app.library.repository import as_utc

RIGHTS_KEYS: Final[tuple[str, ...]] = ("licence", "source", "credit", "valid_from", "valid_until")
# Rights as sync compares them: the asset's own five fields as text, "" for empty (what a
# campaign passes down is not the asset's and does not travel with it).
EMPTY_RIGHTS: Final[tuple[str, ...]] = ("",) * len(RIGHTS_KEYS)
IN_CHUNK: Final[int] = 500


@dataclass(frozen=True, slots=True)
class Facts:
    """An asset's rating (0-5), label ("" for none) and own rights, as sync compares them."""

    rating: int = 0
    label: str = ""
    rights: tuple[str, ...] = EMPTY_RIGHTS


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return str(value)


def rights_tuple(row: AssetRights | CampaignRights | None) -> tuple[str, ...]:
    if row is None:
        return EMPTY_RIGHTS
    return tuple(_text(getattr(row, k)) for k in RIGHTS_KEYS)


def facts(s: Session, asset_ids: Sequence[str]) -> dict[str, Facts]:
    """asset id -> its facts, for every id asked (an asset without rows has the defaults)."""
    ratings: dict[str, tuple[int, str]] = {}
    rights: dict[str, tuple[str, ...]] = {}
    for start in range(0, len(asset_ids), IN_CHUNK):
        chunk = list(asset_ids[start : start + IN_CHUNK])
        for aid, rating, label in s.execute(
            select(AssetMeta.asset_id, AssetMeta.rating, AssetMeta.label).where(
                AssetMeta.asset_id.in_(chunk)
            )
        ):
            ratings[aid] = (int(rating or 0), label or "")
        for row in s.scalars(select(AssetRights).where(AssetRights.asset_id.in_(chunk))):
            rights[row.asset_id] = rights_tuple(row)
    out = {}
    for aid in asset_ids:
        rating, label = ratings.get(aid, (0, ""))
        out[aid] = Facts(rating, label, rights.get(aid, EMPTY_RIGHTS))
    return out


def rights_fields(value: Sequence[str]) -> dict[str, str | None]:
    """A rights tuple as Finder.set_rights keywords (every field, None for empty)."""
    padded = list(value)[: len(RIGHTS_KEYS)] + [""] * (len(RIGHTS_KEYS) - len(value))
    return {k: (v or None) for k, v in zip(RIGHTS_KEYS, padded, strict=True)}


# --- smart folders ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FolderState:
    """One smart folder as sync sees it; deleted means a tombstone (name, match, rules empty)."""

    uid: str
    edited: str
    name: str = ""
    match: str = "all"
    rules: tuple[str, ...] = ()
    deleted: bool = False

    def as_json(self) -> dict[str, Any]:
        if self.deleted:
            return {"uid": self.uid, "editedAt": self.edited}
        return {
            "uid": self.uid, "editedAt": self.edited, "name": self.name,
            "match": self.match, "rules": list(self.rules),
        }


def _owned(column: Any, user_id: int | None) -> Any:
    return column.is_(None) if user_id is None else column == user_id


def folder_states(s: Session, user_id: int | None) -> list[FolderState]:
    """Every folder and tombstone of a user; a folder that never synced gets its uid here,
    its last edit time being its updated_at (it was made before folders synced)."""
    out = []
    for row in s.scalars(select(SmartFolder).where(_owned(SmartFolder.user_id, user_id))):
        if row.uid is None or row.edited is None:
            row.uid = row.uid or str(uuid.uuid4())
            row.edited = row.edited or hlc.from_datetime(as_utc(row.updated_at))
        rules = tuple(str(r) for r in rules_from_json(row.rules))
        out.append(FolderState(row.uid, row.edited, row.name, row.match, rules))
    for tomb in s.scalars(
        select(SmartFolderTombstone).where(_owned(SmartFolderTombstone.user_id, user_id))
    ):
        out.append(FolderState(tomb.uid, tomb.edited, deleted=True))
    return out


UNSYNCED: Final[str] = "unsynced"


def latest(s: Session, user_id: int | None) -> str | None:
    """The latest edit time among a user's folders and deletions; UNSYNCED while a folder
    has none yet (made before folders synced); None when there are none at all."""
    unsynced = s.scalar(
        select(func.count()).select_from(SmartFolder).where(
            _owned(SmartFolder.user_id, user_id), SmartFolder.edited.is_(None)
        )
    )
    if unsynced:
        return UNSYNCED
    folders = s.scalar(select(func.max(SmartFolder.edited)).where(_owned(SmartFolder.user_id, user_id)))
    tombs = s.scalar(
        select(func.max(SmartFolderTombstone.edited)).where(
            _owned(SmartFolderTombstone.user_id, user_id)
        )
    )
    return hlc.latest([folders, tombs])


def parse_states(items: Sequence[Mapping[str, Any]]) -> list[FolderState]:
    """Folder states from the wire; anything malformed is left out, never half applied."""
    out = []
    for item in items:
        uid, edited = item.get("uid"), item.get("editedAt")
        if not isinstance(uid, str) or not isinstance(edited, str) or not hlc.is_stamp(edited):
            continue
        try:
            uid = str(uuid.UUID(uid))
        except ValueError:
            continue
        if item.get("name") is None:
            out.append(FolderState(uid, edited, deleted=True))
            continue
        rules = item.get("rules")
        if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
            continue
        name = folder_name(str(item["name"]))
        if not name:
            continue
        match = "any" if item.get("match") == "any" else "all"
        out.append(FolderState(uid, edited, name, match, tuple(rules)))
    return out


def folder_name(name: str) -> str:
    """A smart folder's name as stored: spaces collapsed, nothing unprintable (NUL, lone
    surrogates: no database keeps them), at most 200 characters; "" when nothing is left."""
    return "".join(c for c in " ".join(name.split()) if c.isprintable())[:200]


def merge_states(
    s: Session, user_id: int | None, incoming: Sequence[FolderState], stamp: Any
) -> int:
    """Take every incoming state later than this side's own for the same uid: the later edit
    of a folder (or its deletion) wins whole. Returns how many changed here.

    stamp() makes a new edit time: a folder renamed here because another folder already has
    its name gets one, so the rename travels back and both sides end with the same names."""
    mine = {f.uid: f for f in folder_states(s, user_id)}
    changed = 0
    # Folders known here first: a rename among them frees the name a new folder may bring.
    for theirs in sorted(incoming, key=lambda f: (f.uid not in mine, f.edited)):
        own = mine.get(theirs.uid)
        if own is not None and own.edited >= theirs.edited:
            continue
        row = s.scalar(select(SmartFolder).where(SmartFolder.uid == theirs.uid))
        tomb = s.get(SmartFolderTombstone, theirs.uid)
        if (row is not None and row.user_id != user_id) or (tomb is not None and tomb.user_id != user_id):
            continue  # another user's folder: a uid is never taken over
        if theirs.deleted:
            if row is not None:
                s.delete(row)
            if tomb is None:
                s.add(SmartFolderTombstone(uid=theirs.uid, user_id=user_id, edited=theirs.edited))
            else:
                tomb.edited = theirs.edited
            changed += 1
            continue
        try:
            rules = rules_to_json([parse_rule(r) for r in theirs.rules])
        except Exception:  # a rule this version cannot read: keep the folder as it is here
            continue
        if tomb is not None:
            s.delete(tomb)
        name, edited = _free_name(s, user_id, theirs.name, theirs.uid), theirs.edited
        if name != theirs.name:
            edited = stamp()
        if row is None:
            row = SmartFolder(user_id=user_id, uid=theirs.uid)
            s.add(row)
        row.name, row.match, row.rules, row.edited = name, theirs.match, rules, edited
        row.updated_at = hlc.to_datetime(edited)
        s.flush()
        changed += 1
    return changed


def _free_name(s: Session, user_id: int | None, name: str, uid: str) -> str:
    """name, or "name (2)", "name (3)"... when another folder of the user has it already."""
    taken = {
        n.lower()
        for n in s.scalars(
            select(func.lower(SmartFolder.name)).where(
                _owned(SmartFolder.user_id, user_id),
                (SmartFolder.uid != uid) | SmartFolder.uid.is_(None),
            )
        )
    }
    if name.lower() not in taken:
        return name
    n = 2
    while f"{name} ({n})".lower() in taken:
        n += 1
    return f"{name} ({n})"


def states_json(states: Sequence[FolderState]) -> str:
    return json.dumps([f.as_json() for f in states], ensure_ascii=False)
