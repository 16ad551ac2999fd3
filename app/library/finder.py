"""Finder: the library's find API (searches, ratings, labels, rights, smart folders, backfill)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from app.core.alike import TRIES, Palette, keep_alike, nearest_alike, nearest_first
from app.core.names import has_control_characters
from app.core.phash import BANDS, NEAR_DUPLICATE, bands, distance
from app.library import campaign_sync, find_store, find_sync, sync_state
from app.library import repository as repo
from app.library.errors import InvalidInput, NotFound
from app.library.find import (
    EXPIRING_DAYS,
    Find,
    Rule,
    band_matches,
    masks_json,
    palettes,
    parse_rule,
    plan,
    probe_sql,
    rules_from_json,
    rules_to_json,
    similar_args,
    similar_candidates,
)
from app.library.find_models import (
    AssetColour,
    AssetMeta,
    AssetRights,
    CampaignRights,
    SmartFolder,
    SmartFolderTombstone,
)
from app.library.find_store import LABELS
from app.library.models import Asset, Campaign, utcnow
from app.library.records import AssetQuery, AssetRecord

if TYPE_CHECKING:
    from app.library.service import LibraryService

RIGHTS_FIELDS = ("licence", "source", "credit", "valid_from", "valid_until")
# Rules whose SQL binds the clock, dates (stored in the dialect's own text form) or ids of
# other rows: built on each call, never compiled once.
_UNCACHED = frozenset({"rights", "added", "taken"})
_OWN_HASH = "SELECT phash FROM asset_meta WHERE asset_id = ?"
# The own bands bound as ?1-?4, the masks of core.alike.flips once as a JSON array (find.probe_sql).
_CANDIDATES = "SELECT asset_id, phash FROM asset_meta WHERE " + probe_sql(
    [f"?{i + 1}" for i in range(BANDS)], f"?{BANDS + 1}"
)
_PALETTES = (
    "SELECT asset_id, l, a, b, share FROM asset_colours WHERE asset_id IN (SELECT value FROM json_each(?))"
)


def candidate_params(value: int, bits: int) -> list[Any]:
    """What _CANDIDATES binds for a hash and a search of `bits`: its bands, then the masks."""
    return [*bands(value), masks_json(bits)]


def _page(stmt: Any, p: Any, f: Find, limit: int | None, offset: int) -> Any:
    if p.colour_order is not None:
        stmt = stmt.order_by(p.colour_order.asc(), Asset.id.asc())
    else:
        stmt = repo.ordered(stmt, f.base)
    return stmt.offset(offset).limit(limit)


@dataclass(frozen=True, slots=True)
class SmartFolderRecord:
    id: int
    name: str
    match: str
    rules: tuple[Rule, ...]
    count: int = 0


@dataclass(frozen=True, slots=True)
class Rights:
    """Effective usage rights (asset fields over its campaign's) and their state at `now`."""

    licence: str | None = None
    source: str | None = None
    credit: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    status: str = "none"  # none, valid, expiring, expired, not yet valid
    inherited: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class TileState:
    """What a tile's badges show of an asset's find fields."""

    rating: int = 0
    label: str | None = None
    rights: str = "none"  # none, valid, expiring, expired, not yet valid
    valid_until: datetime | None = None
    palette: tuple[tuple[str, float], ...] = ()  # (#rrggbb, share), largest first; when asked


@dataclass(frozen=True, slots=True)
class LookAlike:
    asset_id: str
    name: str
    like_id: str
    like_name: str
    bits: int


def rights_status(valid_from: datetime | None, until: datetime | None, now: datetime) -> str:
    if until is not None and repo.as_utc(until) < now:
        return "expired"
    if valid_from is not None and repo.as_utc(valid_from) > now:
        return "not yet valid"
    if until is not None and repo.as_utc(until) < now + timedelta(days=EXPIRING_DAYS):
        return "expiring"
    return "valid" if (until or valid_from) else "none"


class Finder:
    """Reached as `library.find`; `clock` is injectable so rights expiry can be tested."""

    def __init__(self, library: LibraryService, clock: Callable[[], datetime] | None = None):
        self.library = library
        self.clock = clock or (lambda: datetime.now(UTC))
        self._cache: dict[tuple[object, ...], tuple[str, tuple[str, ...], dict[str, Any]]] = {}

    # --- searching ---------------------------------------------------------------------

    def where(self, texts: Sequence[str], match: str = "all", base: AssetQuery | None = None) -> Find:
        if match not in ("all", "any"):
            raise InvalidInput("Match is all or any")
        return Find(tuple(parse_rule(t) for t in texts), match, base or AssetQuery())

    def of_query(self, q: AssetQuery) -> Find:
        """The Find an AssetQuery with rules stands for: its rules within the rest of it."""
        if q.match not in ("all", "any"):
            raise InvalidInput("Match is all or any")
        required = tuple(parse_rule(t) for t in q.required)
        rules = tuple(parse_rule(t) for t in q.rules)
        if q.match == "any" and rules and required:
            # Any of the rules, and all of the required ones: the any-rules narrow the base.
            return Find(required, "all", replace(q, required=()))
        return Find(rules + required, q.match if not required else "all",
                    replace(q, rules=(), match="all", required=()))

    def search(self, f: Find, *, limit: int | None = 50, offset: int = 0) -> list[AssetRecord]:
        """Matching assets: nearest colour first, or most similar first, else the base sort."""
        if self._fast(f):
            similar = next((r for r in f.rules if r.field == "similar"), None)
            if similar is not None:
                return self._run_similar(f, similar, limit, offset)
        ids = self.ids(f, limit=limit, offset=offset)
        if not ids:
            return []
        found = self.library.get_assets(ids)
        return [found[i] for i in ids if i in found]

    def ids(self, f: Find, *, limit: int | None = 50, offset: int = 0) -> list[str]:
        """The ids search() would return, in its order (the window pages through these)."""
        if self._fast(f):
            similar = next((r for r in f.rules if r.field == "similar"), None)
            if similar is not None:
                return self._run_similar(f, similar, limit, offset, ids_only=True)
            return self._run_ids(f, limit, offset)
        with self.library.reading() as s:
            stmt, p = plan(s, f, self.clock())
            if p.similar is not None:
                ids = list(s.scalars(stmt))
                ids.sort(key=lambda i: (p.similar.get(i, 65), i))  # type: ignore[union-attr]
                return ids[offset : offset + limit] if limit is not None else ids[offset:]
            return list(s.scalars(_page(stmt, p, f, limit, offset)))

    def count(self, f: Find) -> int:
        if self._fast(f):
            similar = next((r for r in f.rules if r.field == "similar"), None)
            if similar is not None:
                # The look-alikes are candidates bound at each run: counted as _run_similar finds them.
                return len(self._run_similar(f, similar, None, 0, ids_only=True))
            sql, params = self._bound(f, "count", 0, 0)
            return int(self._raw(sql, params)[0][0])
        with self.library.reading() as s:
            stmt, _ = plan(s, f, self.clock())
            return int(s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)

    def _fast(self, f: Find) -> bool:
        """SQLite, and SQL that depends neither on the clock nor on dates' stored form.

        A smart folder's count and pages are asked for again and again (the sidebar, each
        scroll step); building and compiling the statement cost several times what SQLite
        spends on it, so each search is compiled once and run through the driver.
        """
        if self.library._pages is None:
            return False
        inner = tuple(parse_rule(t) for t in f.base.rules)
        if any(r.field == "similar" for r in inner):
            return False  # its candidates are bound by the outer rule only (see _run_similar)
        rules = f.rules + inner
        similar = sum(r.field == "similar" for r in rules)
        return similar <= 1 and not any(r.field in _UNCACHED for r in rules)

    def _run_ids(self, f: Find, limit: int | None, offset: int) -> list[str]:
        sql, params = self._bound(f, "page", limit, offset)
        return [row[0] for row in self._raw(sql, params)]

    def _run_similar(
        self, f: Find, rule: Rule, limit: int | None, offset: int, *, ids_only: bool = False
    ) -> list[Any]:
        """The matching look-alikes, most alike first: records, or their ids (ids_only)."""
        from app.library.pages import _record

        pages = self.library._pages
        assert pages is not None
        asset_id, bits = similar_args(rule.value)
        conn = self.library._reader.raw_connection()
        try:
            # One connection for every statement: a checkout costs as much as a probe here.
            cursor = conn.cursor()
            try:
                own = cursor.execute(_OWN_HASH, [asset_id]).fetchone()
                near: dict[str, int] = {}
                if own is not None and own[0] is not None:
                    value = int(own[0])
                    for other, phash in cursor.execute(_CANDIDATES, candidate_params(value, bits)):
                        if other != asset_id and phash is not None:
                            d = distance(value, int(phash))
                            if d <= bits:
                                near[other] = d
                if near:
                    swatches: dict[str, Palette] = {}
                    for row in cursor.execute(_PALETTES, [json.dumps([asset_id, *near])]):
                        swatches.setdefault(row[0], []).append(((row[1], row[2], row[3]), row[4]))  # type: ignore[attr-defined]
                    if asset_id in swatches:
                        near = keep_alike(near, swatches.pop(asset_id), swatches, bits)
                if not near:
                    return []
                sql, params = self._bound(f, "all", 0, 0, near)
                ids = [row[0] for row in cursor.execute(sql, params)]
                ids.sort(key=lambda i: (near.get(i, 65), i))
                ids = ids[offset : offset + limit] if limit is not None else ids[offset:]
                if ids_only:
                    return ids
                rows = cursor.execute(pages._by_ids_sql(), [json.dumps(ids)]).fetchall()
            finally:
                cursor.close()
        finally:
            conn.close()
        found = {row[0]: _record(row) for row in rows}
        return [found[i] for i in ids if i in found]

    def _bound(
        self, f: Find, kind: str, limit: int | None, offset: int, near: dict[str, int] | None = None
    ) -> tuple[str, list[Any]]:
        sql, names, values = self._compiled(f, kind, limit, offset)
        if near is not None:
            values = {**values, "similar_ids": json.dumps(list(near))}
        return sql, [values[name] for name in names]

    def _compiled(
        self, f: Find, kind: str, limit: int | None, offset: int
    ) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        key = (f.rules, f.match, repr(f.base), kind, limit, offset)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        with self.library.reading() as s:
            stmt, p = plan(s, f, self.clock(), deferred=True)
        if kind == "count":
            stmt = select(func.count()).select_from(stmt.subquery())
        elif kind == "page":
            stmt = _page(stmt, p, f, limit, offset)
        done = stmt.compile(
            dialect=self.library._reader.dialect, compile_kwargs={"render_postcompile": True}
        )
        names = tuple(done.positiontup or ())
        entry = (done.string, names, {n: done.params.get(n) for n in names})
        if len(self._cache) >= 256:
            self._cache.clear()
        self._cache[key] = entry
        return entry

    def _raw(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        conn = self.library._reader.raw_connection()
        try:
            cursor = conn.cursor()
            try:
                return list(cursor.execute(sql, params).fetchall())
            finally:
                cursor.close()
        finally:
            conn.close()

    def looks_like(self, records: Sequence[AssetRecord]) -> list[LookAlike]:
        """Near-duplicates of just-imported assets among the user's others (core.alike's rule).

        A band-probe query per picture (find.band_matches), then the palettes of at most
        core.alike.TRIES of its candidates, nearest hash first, read and compared.
        """
        ids = [r.id for r in records]
        if not ids:
            return []
        # Within a batch, a file looks like the ones before it (the first is the original).
        order = {asset_id: n for n, asset_id in enumerate(ids)}
        out: list[LookAlike] = []
        with self.library.reading() as s:
            rows = s.execute(
                select(AssetMeta.asset_id, AssetMeta.phash).where(
                    AssetMeta.asset_id.in_(ids), AssetMeta.phash.is_not(None)
                )
            )
            hashes: dict[str, int] = {str(a): int(h) for a, h in rows if h is not None}
            found = palettes(s, list(hashes))
            for n, record in enumerate(records):
                own = hashes.get(record.id)
                if own is None:
                    continue
                near: dict[str, int] = {}
                names: dict[str, str] = {}
                for other, other_hash, owner, name in band_matches(s, own, NEAR_DUPLICATE):
                    if order.get(other, -1) < n and owner == record.user_id and other != record.id:
                        d = distance(own, other_hash)
                        if d <= NEAR_DUPLICATE:
                            near[other], names[other] = d, name
                found.update(palettes(s, [i for i in nearest_first(near, TRIES) if i not in found]))
                best = nearest_alike(near, found.get(record.id, []), found, NEAR_DUPLICATE)
                if best is not None:
                    out.append(LookAlike(record.id, record.name, best, names[best], near[best]))
        return out

    # --- metadata, rating, label --------------------------------------------------------

    def metadata(self, asset_id: str, user_id: int | None = None) -> dict[str, Any]:
        """Everything read from the file, the palette, rating, label and effective rights."""
        record = self.library.get_asset(asset_id, user_id)
        with self.library.reading() as s:
            row = s.get(AssetMeta, record.id)
            swatches = s.scalars(
                select(AssetColour).where(AssetColour.asset_id == record.id).order_by(AssetColour.position)
            ).all()
            extra = json.loads(row.extra) if row is not None and row.extra else {}
            out: dict[str, Any] = {
                "id": record.id,
                "rating": row.rating if row is not None else 0,
                "label": row.label if row is not None else None,
                "fields": extra,
                "palette": [{"hex": c.hex, "share": c.share} for c in swatches],
                "phash": (
                    f"{row.phash & ((1 << 64) - 1):016x}" if row is not None and row.phash is not None else None
                ),
            }
            near = similar_candidates(s, record.id, NEAR_DUPLICATE, record.user_id)
            nearest = nearest_first(near, 10)
            names = {
                str(i): str(n) for i, n in s.execute(select(Asset.id, Asset.name).where(Asset.id.in_(nearest)))
            } if nearest else {}
            out["looksLike"] = [{"id": i, "name": names.get(i, ""), "bits": near[i]} for i in nearest]
        rights = self.rights(record.id, user_id)
        out["rights"] = {
            "licence": rights.licence, "source": rights.source, "credit": rights.credit,
            "validFrom": rights.valid_from.isoformat() if rights.valid_from else None,
            "validUntil": rights.valid_until.isoformat() if rights.valid_until else None,
            "status": rights.status, "inherited": list(rights.inherited),
        }
        return out

    def set_rating(
        self,
        ids: Sequence[str],
        rating: int,
        user_id: int | None = None,
        edit_times: Mapping[str, str] | None = None,
    ) -> int:
        """edit_times: when the edit was made (one synced from elsewhere keeps its time)."""
        if not isinstance(rating, int) or isinstance(rating, bool) or not 0 <= rating <= 5:
            raise InvalidInput("A rating is 0 to 5 stars")
        return self._set(ids, user_id, edit_times, rating=rating)

    def set_label(
        self,
        ids: Sequence[str],
        label: str | None,
        user_id: int | None = None,
        edit_times: Mapping[str, str] | None = None,
    ) -> int:
        value = None if label in (None, "", "none") else str(label).lower()
        if value is not None and value not in LABELS:
            raise InvalidInput(f"A label is one of {', '.join(LABELS)} or none")
        return self._set(ids, user_id, edit_times, label=value)

    def _set(
        self,
        ids: Sequence[str],
        user_id: int | None,
        edit_times: Mapping[str, str] | None = None,
        **values: Any,
    ) -> int:
        records = [self.library.get_asset(i, user_id) for i in ids]  # NotFound before any write
        with self.library.writing() as s:
            for record in records:
                row = find_store.meta_for_edit(s, record.id)
                for key, value in values.items():
                    setattr(row, key, value)
                # Each edit gets its time, as a rename does: sync's later-edit-wins rule.
                sync_state.stamp_edit(s, record.id, values, edit_times, self.library.wall_clock)
            self._touch(s, [r.id for r in records])
        return len(records)

    def sync_facts(self, ids: Sequence[str]) -> dict[str, find_sync.Facts]:
        """Rating, label and own rights of each asset, as sync compares them."""
        with self.library.reading() as s:
            return find_sync.facts(s, list(ids))

    def set_synced(
        self,
        asset_id: str,
        values: Mapping[str, object],
        edit_times: Mapping[str, str] | None = None,
    ) -> None:
        """Take rating, label and rights a sync brought (rights: the five fields as text)."""
        if "rating" in values:
            rating = values["rating"]
            self.set_rating([asset_id], rating if isinstance(rating, int) else 0, None, edit_times)
        if "label" in values:
            label = values["label"]
            self.set_label([asset_id], label if isinstance(label, str) else None, None, edit_times)
        if "rights" in values:
            rights = values["rights"]
            fields: dict[str, Any] = find_sync.rights_fields(
                rights if isinstance(rights, (tuple, list)) else ()
            )
            self.set_rights(asset_id=asset_id, edit_times=edit_times, **fields)

    def _touch(self, s: Any, ids: Sequence[str]) -> None:
        # A new change number puts the edit on the change feed, as a rename does.
        if not ids:
            return
        last = repo.next_seq(s, len(ids))
        for offset, asset_id in enumerate(ids):
            s.execute(
                update(Asset)
                .where(Asset.id == asset_id)
                .values(updated_at=utcnow(), change_seq=last - len(ids) + 1 + offset)
            )

    def tile_states(self, ids: Sequence[str], *, palettes: bool = False) -> dict[str, TileState]:
        """Rating, label and effective rights of many assets in one query (the grid's badges);
        with palettes, their swatches too (a second query, over the indexed asset_id)."""
        if not ids:
            return {}
        now = self.clock()
        own, camp = AssetRights, CampaignRights
        stmt = (
            select(Asset.id, AssetMeta.rating, AssetMeta.label, own.valid_from, own.valid_until,
                   camp.valid_from, camp.valid_until)
            .outerjoin(AssetMeta, AssetMeta.asset_id == Asset.id)
            .outerjoin(own, own.asset_id == Asset.id)
            .outerjoin(camp, camp.campaign_id == Asset.campaign_id)
            .where(Asset.id.in_(list(ids)))
        )
        out: dict[str, TileState] = {}
        with self.library.reading() as s:
            for asset_id, rating, label, vf, vu, cvf, cvu in s.execute(stmt):
                start = vf if vf is not None else cvf
                until = vu if vu is not None else cvu
                until = repo.as_utc(until) if until is not None else None
                out[str(asset_id)] = TileState(
                    int(rating or 0), label, rights_status(start, until, now), until
                )
            if palettes:
                swatches: dict[str, list[tuple[str, float]]] = {}
                rows = s.execute(
                    select(AssetColour.asset_id, AssetColour.hex, AssetColour.share)
                    .where(AssetColour.asset_id.in_(list(ids)))
                    .order_by(AssetColour.asset_id, AssetColour.position)
                )
                for asset_id, hex_, share in rows:
                    swatches.setdefault(str(asset_id), []).append((hex_, float(share)))
                for asset_id, found in swatches.items():
                    if asset_id in out:
                        out[asset_id] = replace(out[asset_id], palette=tuple(found))
        return out

    # --- rights -------------------------------------------------------------------------

    def set_rights(
        self,
        *,
        asset_id: str | None = None,
        campaign_id: str | None = None,
        user_id: int | None = None,
        edit_times: Mapping[str, str] | None = None,
        **fields: Any,
    ) -> None:
        """Set (or with None clear) rights fields of an asset or a campaign.

        An asset's rights are one synced field: edit_times["rights"] is when they were edited."""
        fields = self.checked_rights(fields)
        if (asset_id is None) == (campaign_id is None):
            raise InvalidInput("Rights are set on one asset or one campaign")
        with self.library.writing() as s:
            row: AssetRights | CampaignRights | None
            if asset_id is not None:
                record = self.library.get_asset(asset_id, user_id)
                row = s.get(AssetRights, record.id)
                if row is None:
                    row = AssetRights(asset_id=record.id)
                    s.add(row)
                sync_state.stamp_edit(s, record.id, ["rights"], edit_times, self.library.wall_clock)
                self._touch(s, [record.id])
            else:
                campaign = s.get(Campaign, campaign_id)
                if campaign is None:
                    raise NotFound("Campaign not found")
                if user_id is not None and campaign.client.user_id != user_id:
                    raise NotFound("Campaign not found")
                row = s.get(CampaignRights, campaign.id)
                if row is None:
                    row = CampaignRights(campaign_id=campaign.id)
                    s.add(row)
                # A campaign's rights travel whole: the later edit wins (campaign_sync).
                row.edited = sync_state.new_stamp(s, self.library.wall_clock, [row.edited])
            for key, value in fields.items():
                setattr(row, key, value)

    def checked_rights(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Rights fields as set_rights stores them; InvalidInput for the first wrong one.

        Called on its own before an edit of several parts (rating, label, rights), so a wrong
        field leaves nothing half done."""
        fields = dict(fields)
        unknown = set(fields) - set(RIGHTS_FIELDS)
        if unknown:
            raise InvalidInput(f"Unknown rights field {sorted(unknown)[0]!r}")
        for key, most in (("licence", 200), ("source", 300), ("credit", 300)):
            # The columns' sizes, here too: a value the server would refuse must not sync out.
            if isinstance(fields.get(key), str) and len(fields[key]) > most:
                raise InvalidInput(f"The {key} is at most {most} characters")
            if isinstance(fields.get(key), str) and has_control_characters(fields[key]):
                raise InvalidInput(f"The {key} cannot contain control characters")
        for key in ("valid_from", "valid_until"):
            if isinstance(fields.get(key), str):
                fields[key] = _parse_day(fields[key], key)
        vf, vu = fields.get("valid_from"), fields.get("valid_until")
        if vf is not None and vu is not None and vu < vf:
            raise InvalidInput("valid until is before valid from")
        return fields

    def rights(self, asset_id: str, user_id: int | None = None) -> Rights:
        record = self.library.get_asset(asset_id, user_id)
        with self.library.reading() as s:
            own = s.get(AssetRights, record.id)
            camp = s.get(CampaignRights, record.campaign_id) if record.campaign_id else None
            values: dict[str, Any] = {}
            inherited: list[str] = []
            for key in RIGHTS_FIELDS:
                mine = getattr(own, key) if own is not None else None
                theirs = getattr(camp, key) if camp is not None else None
                if mine is None and theirs is not None:
                    inherited.append(key)
                value = mine if mine is not None else theirs
                if isinstance(value, datetime):
                    value = repo.as_utc(value)
                values[key] = value
        status = rights_status(values["valid_from"], values["valid_until"], self.clock())
        return Rights(**values, status=status, inherited=tuple(inherited))

    # --- smart folders ------------------------------------------------------------------

    def add_smart(
        self, name: str, rules: Sequence[str], match: str = "all", user_id: int | None = None
    ) -> SmartFolderRecord:
        clean = find_sync.folder_name(name)
        if not clean:
            raise InvalidInput("A smart folder needs a name")
        if not rules:
            raise InvalidInput("A smart folder needs at least one rule")
        f = self.where(rules, match)
        with self.library.writing() as s:
            taken = s.scalar(
                select(SmartFolder.id).where(
                    SmartFolder.user_id.is_(user_id) if user_id is None else SmartFolder.user_id == user_id,
                    func.lower(SmartFolder.name) == clean.lower(),
                )
            )
            if taken is not None:
                raise InvalidInput(f"A smart folder named {clean!r} exists")
            row = SmartFolder(
                user_id=user_id, name=clean, match=match, rules=rules_to_json(f.rules),
                uid=str(uuid.uuid4()), edited=sync_state.new_stamp(s, self.library.wall_clock),
            )
            s.add(row)
            s.flush()
            return SmartFolderRecord(row.id, row.name, row.match, f.rules)

    def smart_folders(
        self, user_id: int | None = None, *, counts: bool = True
    ) -> list[SmartFolderRecord]:
        with self.library.reading() as s:
            cond = SmartFolder.user_id.is_(None) if user_id is None else SmartFolder.user_id == user_id
            rows = s.scalars(select(SmartFolder).where(cond).order_by(func.lower(SmartFolder.name)))
            folders = [
                SmartFolderRecord(r.id, r.name, r.match, rules_from_json(r.rules)) for r in rows
            ]
        if not counts:
            return folders
        return [
            SmartFolderRecord(f.id, f.name, f.match, f.rules, self.count(self.folder_find(f, user_id)))
            for f in folders
        ]

    def smart_folder(self, name_or_id: str, user_id: int | None = None) -> SmartFolderRecord:
        for folder in self.smart_folders(user_id, counts=False):
            if str(folder.id) == str(name_or_id) or folder.name.lower() == name_or_id.lower():
                return folder
        raise NotFound(f"No smart folder {name_or_id!r}")

    def folder_find(self, folder: SmartFolderRecord, user_id: int | None = None) -> Find:
        return Find(folder.rules, folder.match, AssetQuery(user_id=user_id))

    def remove_smart(self, name_or_id: str, user_id: int | None = None) -> None:
        folder = self.smart_folder(name_or_id, user_id)
        with self.library.writing() as s:
            row = s.get(SmartFolder, folder.id)
            if row is not None:
                if row.uid is not None:
                    # Its deletion syncs like an edit: a tombstone with the time it was made.
                    stamp = sync_state.new_stamp(s, self.library.wall_clock, [row.edited])
                    tomb = s.get(SmartFolderTombstone, row.uid)
                    if tomb is None:
                        s.add(SmartFolderTombstone(uid=row.uid, user_id=row.user_id, edited=stamp))
                    else:
                        tomb.edited = stamp
                s.delete(row)

    def edit_smart(
        self,
        name_or_id: str,
        user_id: int | None = None,
        *,
        name: str | None = None,
        rules: Sequence[str] | None = None,
        match: str | None = None,
    ) -> SmartFolderRecord:
        """Rename a smart folder or change its rules or match; the edit gets its time."""
        folder = self.smart_folder(name_or_id, user_id)
        if rules is not None and not rules:
            raise InvalidInput("A smart folder needs at least one rule")
        new_match = match or folder.match
        if new_match not in ("all", "any"):
            raise InvalidInput("Match is all or any")
        new_rules = self.where(rules, new_match).rules if rules is not None else folder.rules
        with self.library.writing() as s:
            row = s.get(SmartFolder, folder.id)
            if row is None:
                raise NotFound(f"No smart folder {name_or_id!r}")
            if name is not None:
                clean = find_sync.folder_name(name)
                if not clean:
                    raise InvalidInput("A smart folder needs a name")
                taken = s.scalar(
                    select(SmartFolder.id).where(
                        SmartFolder.user_id.is_(user_id) if user_id is None else SmartFolder.user_id == user_id,
                        func.lower(SmartFolder.name) == clean.lower(),
                        SmartFolder.id != row.id,
                    )
                )
                if taken is not None:
                    raise InvalidInput(f"A smart folder named {clean!r} exists")
                row.name = clean
            row.rules, row.match = rules_to_json(new_rules), new_match
            row.uid = row.uid or str(uuid.uuid4())
            row.edited = sync_state.new_stamp(s, self.library.wall_clock, [row.edited])
            row.updated_at = utcnow()
            return SmartFolderRecord(row.id, row.name, row.match, new_rules)

    def smart_latest(self, user_id: int | None = None) -> str | None:
        """The latest edit of the user's smart folders (see find_sync.latest): cheap to ask."""
        with self.library.reading() as s:
            return find_sync.latest(s, user_id)

    def smart_sync_state(self, user_id: int | None = None) -> list[find_sync.FolderState]:
        """Every smart folder and deletion of the user, with uids and edit times (for sync)."""
        with self.library.writing() as s:  # a folder that never synced gets its uid now
            return find_sync.folder_states(s, user_id)

    def merge_smart_state(
        self, states: Sequence[find_sync.FolderState], user_id: int | None = None
    ) -> int:
        """Take the folders and deletions edited later elsewhere; returns how many changed."""
        with self.library.writing() as s:
            wall = self.library.wall_clock
            sync_state.observe(s, [f.edited for f in states], wall)
            return find_sync.merge_states(s, user_id, states, lambda: sync_state.new_stamp(s, wall))

    # --- campaign rights sync ----------------------------------------------------------

    def campaign_rights_state(self, user_id: int | None = None) -> list[campaign_sync.CampaignState]:
        """Every campaign of the user with rights, by client and campaign name (for sync)."""
        with self.library.writing() as s:  # rights set before they synced get an edit time now
            wall = self.library.wall_clock
            return campaign_sync.states(s, user_id, lambda: sync_state.new_stamp(s, wall))

    def campaign_rights_latest(self, user_id: int | None = None) -> str | None:
        with self.library.reading() as s:
            return campaign_sync.latest(s, user_id)

    def campaign_rights_unstamped(self, user_id: int | None = None) -> bool:
        with self.library.reading() as s:
            return campaign_sync.unstamped(s, user_id)

    def campaign_rights_edited_since(self, since: str | None, user_id: int | None = None) -> int:
        with self.library.reading() as s:
            return campaign_sync.edited_since(s, user_id, since)

    def merge_campaign_rights(
        self, states: Sequence[campaign_sync.CampaignState], user_id: int | None = None
    ) -> int:
        """Take the campaigns' rights edited later elsewhere; returns how many changed."""
        with self.library.writing() as s:
            sync_state.observe(s, [c.edited for c in states], self.library.wall_clock)
            return campaign_sync.merge(s, user_id, states)

    # --- backfill -----------------------------------------------------------------------

    def missing_metadata(self) -> int:
        with self.library.reading() as s:
            return int(
                s.scalar(
                    select(func.count()).select_from(Asset).where(
                        Asset.id.not_in(select(AssetMeta.asset_id))
                    )
                )
                or 0
            )

    def backfill(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        batch: int = 50,
    ) -> tuple[int, int]:
        """Read metadata, palette and hash of assets without them; returns (done, failed)."""
        from app.core.ingest import read_looks

        total = self.missing_metadata()
        done = failed = 0
        skipped: set[str] = set()
        while True:
            with self.library.reading() as s:
                ids = [i for i in find_store.assets_without_meta(s, batch + len(skipped)) if i not in skipped]
            if not ids:
                break
            records = self.library.get_assets(ids)
            for asset_id in ids:
                record = records.get(asset_id)
                if record is None:
                    continue
                try:
                    meta, look = read_looks(
                        self.library.file_path(record), record.format,
                        self.library.thumb_path(record), record.asset_type,
                    )
                except Exception:  # a missing or unreadable file: an empty row, counted
                    meta, look = {}, None
                    failed += 1
                with self.library.writing() as s:
                    if s.get(Asset, asset_id) is not None:
                        find_store.replace_rows(s, asset_id, meta, look or _empty())
                done += 1
                if progress is not None:
                    progress(done, total)
        with self.library.writing() as s:
            find_store.purge_orphan_text(s)
        return done, failed


def _empty() -> Any:
    from app.core.looks import Looks

    return Looks()


def _parse_day(value: str, key: str) -> datetime | None:
    if not value.strip() or value.strip().lower() == "none":
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"Not a date for {key.replace('_', ' ')}: {value!r} (use YYYY-MM-DD)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


__all__ = ["Finder", "LookAlike", "Rights", "SmartFolderRecord", "TileState"]
