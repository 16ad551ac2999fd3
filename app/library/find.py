"""Finding assets by rules: text (FTS5), colour (Lab cells + ΔE), similar images (hash bands), and filters."""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app.core.alike import Palette, band_probes, flips, keep_alike
from app.core.palette import parse_colour, srgb_to_lab
from app.core.phash import BANDS, SIMILAR, bands, distance
from app.library import repository as repo
from app.library.errors import InvalidInput
from app.library.find_fields import FIELDS, LABELS
from app.library.find_models import AssetColour, AssetMeta, AssetRights, CampaignRights
from app.library.find_store import CELL, cell
from app.library.models import Asset, Campaign, Client
from app.library.records import AssetQuery

if TYPE_CHECKING:
    from app.library.repository import AnySelect

EXPIRING_DAYS: Final[int] = 30
COLOUR_DISTANCE: Final[float] = 15.0  # ΔE*76: "the same colour" to a designer's eye, roughly
MIN_SHARE: Final[float] = 0.05  # a colour must cover a twentieth of the picture to count
OPS: Final[tuple[str, ...]] = (">=", "<=", "!=", "=", "~", ">", "<")
_ALIASES: Final[dict[str, str]] = {
    "colour": "color", "stars": "rating", "page_count": "pages", "tags": "tag", "kind": "type",
    "license": "licence", "date": "added", "date_taken": "taken", "like": "similar",
}
_FTS = table("asset_text", column("asset_id"), column("body"))  # FTS5, SQLite only
_WHERE = re.compile(r"^\s*([A-Za-z_]+)\s*(>=|<=|!=|=|~|>|<)\s*(.*?)\s*$", re.S)


@dataclass(frozen=True, slots=True)
class Rule:
    field: str
    op: str
    value: str

    def __str__(self) -> str:
        return f"{self.field}{self.op}{self.value}"


@dataclass(frozen=True, slots=True)
class Find:
    """Rules matched all or any, within a base query (user, sort, the sidebar's selection)."""

    rules: tuple[Rule, ...] = ()
    match: str = "all"
    base: AssetQuery = field(default_factory=AssetQuery)


def parse_rule(text_: str) -> Rule:
    """'rating>=4', 'color=#ff0000~25', 'label=red': a Rule, or InvalidInput in one line."""
    m = _WHERE.match(text_)
    if m is None:
        raise InvalidInput(f"Not a rule: {text_!r} (use field, operator, value, e.g. rating>=4)")
    name, op, value = m.group(1).lower(), m.group(2), m.group(3)
    name = _ALIASES.get(name, name)
    if name not in FIELDS:
        raise InvalidInput(f"Unknown field {m.group(1)!r} (known: {', '.join(sorted(FIELDS))})")
    if not value:
        raise InvalidInput(f"The rule {text_!r} has no value")
    if any(ord(c) < 32 or 0xD800 <= ord(c) < 0xE000 for c in value):
        raise InvalidInput("A rule's value cannot hold control characters")
    rule = Rule(name, op, value)
    _check(rule)
    return rule


def rules_to_json(rules: Sequence[Rule]) -> str:
    return json.dumps([[r.field, r.op, r.value] for r in rules], ensure_ascii=False)


def rules_from_json(raw: str) -> tuple[Rule, ...]:
    try:
        return tuple(Rule(str(f), str(o), str(v)) for f, o, v in json.loads(raw))
    except (ValueError, TypeError):
        return ()


# --- building the query ---------------------------------------------------------------


@dataclass
class _Plan:
    """What a Find compiles to: conditions, the colour distance to sort by, similar candidates."""

    condition: ColumnElement[bool]
    colour_order: Any = None
    similar: dict[str, int] | None = None
    colour_subs: list[Any] = field(default_factory=list)
    # Compiling once (Finder._compiled): the similar ids are bound at each run as a JSON
    # array named similar_ids, instead of being looked up while the statement is built.
    deferred: bool = False


def plan(s: Session, f: Find, now: datetime, *, deferred: bool = False) -> tuple[AnySelect, _Plan]:
    """The select of matching asset ids (unordered) and the plan that orders them."""
    p = _Plan(true(), deferred=deferred)
    parts = [_condition(s, r, now, p) for r in f.rules]
    if f.match == "any":
        conds = [_as_condition(c) for c in parts]
        if conds:
            p.condition = or_(*conds)
    else:
        # All metadata rules in one subquery each way: one index walk of asset_meta, not one
        # per rule (a rating and a label are each common; together they are rare).
        inside = [c.cond for c in parts if isinstance(c, _Meta) and c.inside]
        outside = [c.cond for c in parts if isinstance(c, _Meta) and not c.inside]
        conds = [c for c in parts if not isinstance(c, _Meta)]
        if inside:
            conds.append(_as_condition(_Meta(and_(*inside), True)))
        if outside:
            conds.append(_as_condition(_Meta(or_(*outside), False)))
        if conds:
            p.condition = and_(*conds)
    stmt = select(Asset.id)
    for sub in p.colour_subs:
        # All rules: a plain join, which SQLite drives from the few swatches in reach.
        if f.match == "any":
            stmt = stmt.outerjoin(sub, sub.c.asset_id == Asset.id)
        else:
            stmt = stmt.join(sub, sub.c.asset_id == Asset.id)
    base = repo.filters(f.base)
    if f.base.rules:
        # A base with rules of its own (a smart folder matching any, narrowed by a chip).
        inner = Find(tuple(parse_rule(t) for t in f.base.rules), f.base.match)
        base.append(Asset.id.in_(plan(s, inner, now, deferred=deferred)[0]))
    return stmt.where(*base, p.condition), p


@dataclass(frozen=True)
class _Meta:
    """A condition on asset_meta: the asset's row meets it (inside) or its row does not
    (outside; an asset without a row, imported before 0004_find, counts as outside)."""

    cond: Any
    inside: bool


def _as_condition(c: ColumnElement[bool] | _Meta) -> ColumnElement[bool]:
    if not isinstance(c, _Meta):
        return c
    rows = select(AssetMeta.asset_id).where(c.cond)
    return Asset.id.in_(rows) if c.inside else Asset.id.not_in(rows)


def _condition(s: Session, r: Rule, now: datetime, p: _Plan) -> ColumnElement[bool] | _Meta:
    neg = r.op == "!="
    op = "=" if neg else r.op
    cond = _positive(s, Rule(r.field, op, r.value), now, p)
    if isinstance(cond, _Meta):
        return _Meta(cond.cond, not cond.inside) if neg else cond
    return ~cond if neg else cond


def _positive(s: Session, r: Rule, now: datetime, p: _Plan) -> ColumnElement[bool] | _Meta:
    f, op, v = r.field, r.op, r.value
    if f == "text":
        return _text(s, v, p)
    if f == "name":
        return Asset.name.ilike(_like(v), escape="\\") if op == "~" else Asset.name == v
    if f == "tag":
        pattern = _like(json.dumps(v, ensure_ascii=False)) if op == "=" else _like(v)
        return Asset.tags.ilike(pattern, escape="\\")
    if f == "type":
        return Asset.asset_type == v.lower()
    if f == "format":
        return Asset.format == v.lower().lstrip(".")
    if f in ("client", "campaign"):
        return _filing(f, v)
    if f == "rating":
        n = _int(r)
        if _excludes_zero(op, n):
            return _Meta(_compare(AssetMeta.rating, op, n), True)
        # Unrated assets match: those whose row says otherwise are left out.
        return _Meta(~_compare(AssetMeta.rating, op, n), False)
    if f == "label":
        if v.lower() == "none":
            return _Meta(AssetMeta.label.is_not(None), False)
        return _Meta(AssetMeta.label == v.lower(), True)
    if f == "color":
        return _colour(s, v, p)
    if f == "similar":
        return _similar(s, v, p)
    if f in ("width", "height", "duration", "pages", "size"):
        measure: Any = {"width": Asset.width, "height": Asset.height, "duration": Asset.duration,
                  "pages": Asset.page_count, "size": Asset.size}[f]
        return _compare(measure, op, _size(r) if f == "size" else _int(r))
    if f == "orientation":
        o = v.lower()
        if o == "landscape":
            return Asset.width > Asset.height
        if o == "portrait":
            return Asset.width < Asset.height
        return and_(Asset.width == Asset.height, Asset.width.is_not(None))
    if f == "added":
        return _date_compare(Asset.uploaded_at, op, r)
    if f == "taken":
        return _Meta(_date_compare(AssetMeta.taken_at, op, r), True)
    if f in ("creator", "camera"):
        said: Any = AssetMeta.creator if f == "creator" else AssetMeta.camera
        return _Meta(
            said.ilike(_like(v), escape="\\") if op == "~" else func.lower(said) == v.lower(), True
        )
    if f == "licence":
        licence = func.coalesce(
            select(AssetRights.licence).where(AssetRights.asset_id == Asset.id).scalar_subquery(),
            select(CampaignRights.licence)
            .where(CampaignRights.campaign_id == Asset.campaign_id).scalar_subquery(),
        )
        return licence.ilike(_like(v), escape="\\") if op == "~" else licence == v
    if f == "rights":
        return _rights(v.lower(), now)
    if f == "review":
        return repo.review_condition(v.lower())
    raise InvalidInput(f"Unknown field {f!r}")


def _text(s: Session, v: str, p: _Plan) -> ColumnElement[bool]:
    words = v.strip()
    pattern = _like(words)
    in_name = or_(Asset.name.ilike(pattern, escape="\\"), Asset.tags.ilike(pattern, escape="\\"))
    if s.get_bind().dialect.name == "sqlite" and len(words) >= 3:
        # The trigram index answers any substring of three characters or more.
        phrase = '"' + words.replace('"', '""') + '"'
        hits = select(_FTS.c.asset_id).where(literal_column("asset_text").op("MATCH")(phrase))
        return or_(in_name, Asset.id.in_(hits))
    # PostgreSQL (and short words): a plain ILIKE over the same text, kept simple on purpose.
    in_text = select(AssetMeta.asset_id).where(AssetMeta.text.ilike(pattern, escape="\\"))
    return or_(in_name, Asset.id.in_(in_text))


def colour_target(v: str) -> tuple[tuple[float, float, float], float]:
    """'#ff0000~25' -> (Lab of the colour, ΔE radius)."""
    colour, _, radius = v.partition("~")
    try:
        lab = srgb_to_lab(parse_colour(colour))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    try:
        r = float(radius) if radius else COLOUR_DISTANCE
    except ValueError:
        raise InvalidInput(f"Not a colour distance: {radius!r}") from None
    if not 0 < r <= 100:
        raise InvalidInput("A colour distance is between 0 and 100 (ΔE)")
    return lab, r


@functools.lru_cache(maxsize=256)
def near_cells(lab: tuple[float, float, float], r: float) -> list[int]:
    """The Lab cells any colour within ΔE r of lab can fall in (cube corners out of reach dropped)."""
    ranges = [range(math.floor((c - r) / CELL), math.floor((c + r) / CELL) + 1) for c in lab]
    out = []
    for i in ranges[0]:
        for j in ranges[1]:
            for k in ranges[2]:
                # The nearest point of cell (i, j, k) to the target.
                gap = sum(
                    max(lo - c, 0.0, c - (lo + CELL)) ** 2
                    for c, lo in zip(lab, (i * CELL, j * CELL, k * CELL))
                )
                if gap <= r * r:
                    out.append(cell(i * CELL, j * CELL, k * CELL))
    return out


def colour_sql(lab: tuple[float, float, float], r: float) -> AnySelect:
    """Assets with a swatch within ΔE r of lab, and their nearest swatch's squared distance."""
    d2 = (
        (AssetColour.l - literal(lab[0])) * (AssetColour.l - literal(lab[0]))
        + (AssetColour.a - literal(lab[1])) * (AssetColour.a - literal(lab[1]))
        + (AssetColour.b - literal(lab[2])) * (AssetColour.b - literal(lab[2]))
    )
    return (
        select(AssetColour.asset_id.label("asset_id"), func.min(d2).label("d2"))
        .where(
            AssetColour.cell.in_(list(near_cells(lab, r))),
            AssetColour.share >= MIN_SHARE,
            d2 <= r * r,
        )
        .group_by(AssetColour.asset_id)
    )


def _colour(s: Session, v: str, p: _Plan) -> ColumnElement[bool]:
    lab, r = colour_target(v)
    # Joined, not IN plus a correlated distance: SQLite then reads the few swatches in
    # reach once, drives the query from them, and sorts by the distance it already has.
    sub = colour_sql(lab, r).subquery(f"colour{len(p.colour_subs)}")
    p.colour_subs.append(sub)
    if p.colour_order is None:
        p.colour_order = sub.c.d2  # the first colour rule orders the result: nearest first
    return sub.c.asset_id.is_not(None)


def similar_candidates(
    s: Session, asset_id: str, bits: int = SIMILAR, user_id: int | None = None
) -> dict[str, int]:
    """Assets that look like this one: hash within `bits`, palette close (core.alike): id -> bits."""
    own = s.scalar(select(AssetMeta.phash).where(AssetMeta.asset_id == asset_id))
    if own is None:
        return {}
    return lookalikes(s, own, bits, user_id, exclude={asset_id}, own_palette=palettes(s, [asset_id]).get(asset_id, []))


def lookalikes(
    s: Session, phash: int, bits: int, user_id: int | None, exclude: set[str] = frozenset(),  # type: ignore[assignment]
    own_palette: Palette = (),
) -> dict[str, int]:
    near: dict[str, int] = {}
    for other, value, owner, _name in band_matches(s, phash, bits):
        if other in exclude or (user_id is not None and owner != user_id):
            continue
        d = distance(phash, value)
        if d <= bits:
            near[other] = d
    return keep_alike(near, own_palette, palettes(s, list(near)), bits) if own_palette else near


def probe_sql(band_params: Sequence[str], masks_param: str, prefix: str = "") -> str:
    """SQLite's condition for a hash probe: each band column IN its bound band XOR each mask
    of a JSON array (core.alike.flips). SQLite makes the 4 x 137 values itself, so a probe
    binds five values instead of 548 ((a | m) - (a & m) is XOR, which it lacks)."""
    return " OR ".join(
        f"{prefix}hb{i} IN (SELECT ({band} | value) - ({band} & value) FROM json_each({masks_param}))"
        for i, band in enumerate(band_params)
    )


@functools.cache
def masks_json(bits: int) -> str:
    """core.alike.flips(bits) as the JSON array probe_sql binds (made once per radius)."""
    return json.dumps(flips(bits))


_BAND_MATCHES = (
    "SELECT m.asset_id, m.phash, a.user_id, a.name FROM asset_meta m JOIN assets a ON a.id = m.asset_id WHERE "
    + probe_sql([f":b{i}" for i in range(BANDS)], ":flips", "m.")
)


def band_matches(s: Session, value: int, bits: int) -> list[tuple[str, int, int | None, str]]:
    """Assets whose hash has a band within the probe radius of value's: every one within
    `bits` of it (up to 11) and some further, as (id, hash, owner, name)."""
    if s.get_bind().dialect.name == "sqlite":
        params: dict[str, Any] = {f"b{i}": band for i, band in enumerate(bands(value))}
        params["flips"] = masks_json(bits)
        rows = s.execute(sql_text(_BAND_MATCHES), params)
    else:
        columns = (AssetMeta.hb0, AssetMeta.hb1, AssetMeta.hb2, AssetMeta.hb3)
        rows = s.execute(
            select(AssetMeta.asset_id, AssetMeta.phash, Asset.user_id, Asset.name)
            .join(Asset, Asset.id == AssetMeta.asset_id)
            .where(or_(*(col.in_(v) for col, v in zip(columns, band_probes(value, bits), strict=True))))
        )
    return [(str(a), int(h), u, str(n)) for a, h, u, n in rows if h is not None]


def palettes(s: Session, ids: Sequence[str]) -> dict[str, Palette]:
    """The stored palettes of these assets, as (CIELAB, share) per swatch."""
    out: dict[str, list[tuple[tuple[float, float, float], float]]] = {}
    for start in range(0, len(ids), 5000):  # under every dialect's limit on bound values
        rows = s.execute(
            select(AssetColour.asset_id, AssetColour.l, AssetColour.a, AssetColour.b, AssetColour.share)
            .where(AssetColour.asset_id.in_(ids[start : start + 5000]))
        )
        for asset_id, lab_l, lab_a, lab_b, share in rows:
            out.setdefault(asset_id, []).append(((lab_l, lab_a, lab_b), share))
    return dict(out)


def similar_args(v: str) -> tuple[str, int]:
    """'<asset id>:bits' -> (asset id, bits); bits default to SIMILAR."""
    asset_id, _, raw_bits = v.partition(":")
    try:
        bits = int(raw_bits) if raw_bits else SIMILAR
    except ValueError:
        raise InvalidInput(f"Not a number of bits: {raw_bits!r}") from None
    if not 0 <= bits <= 64:
        raise InvalidInput("Similarity is between 0 and 64 bits")
    return asset_id.strip(), bits


def _similar(s: Session, v: str, p: _Plan) -> ColumnElement[bool]:
    asset_id, bits = similar_args(v)
    if p.deferred:
        p.similar = {}
        listed: AnySelect = select(literal_column("value")).select_from(
            func.json_each(bindparam("similar_ids"))
        )
        return Asset.id.in_(listed)
    found = similar_candidates(s, asset_id, bits)
    p.similar = found if p.similar is None else {**found, **p.similar}
    return Asset.id.in_(list(found)) if found else false()


def _rights(v: str, now: datetime) -> ColumnElement[bool]:
    soon = now + timedelta(days=EXPIRING_DAYS)
    if v in ("expired", "expiring"):
        # Driven by the valid_until indexes of the two (small) rights tables, not a pair of
        # correlated lookups per asset: the window counts its built-in rights folders on every
        # refresh (78 ms on the 100,000-asset bench library that way, 1.8 ms this way).
        def window(column: Any) -> ColumnElement[bool]:
            return column < now if v == "expired" else and_(column >= now, column < soon)

        own = select(AssetRights.asset_id).where(window(AssetRights.valid_until))
        own_set = select(AssetRights.asset_id).where(AssetRights.valid_until.is_not(None))
        inherited = select(CampaignRights.campaign_id).where(window(CampaignRights.valid_until))
        return or_(
            Asset.id.in_(own),
            and_(Asset.campaign_id.in_(inherited), Asset.id.not_in(own_set)),
        )
    until = func.coalesce(
        select(AssetRights.valid_until).where(AssetRights.asset_id == Asset.id).scalar_subquery(),
        select(CampaignRights.valid_until)
        .where(CampaignRights.campaign_id == Asset.campaign_id).scalar_subquery(),
    )
    if v == "valid":
        return or_(until.is_(None), until >= now)
    if v == "none":
        return until.is_(None)
    raise InvalidInput("rights is one of expired, expiring, valid, none")


def _filing(f: str, v: str) -> ColumnElement[bool]:
    if f == "client":
        ids = select(Client.id).where(or_(Client.id == v, func.lower(Client.name) == v.lower()))
        return or_(
            Asset.client_id.in_(ids),
            Asset.campaign_id.in_(select(Campaign.id).where(Campaign.client_id.in_(ids))),
        )
    ids = select(Campaign.id).where(or_(Campaign.id == v, func.lower(Campaign.name) == v.lower()))
    return Asset.campaign_id.in_(ids)


def _compare(column: Any, op: str, value: object) -> ColumnElement[bool]:
    if op == ">=":
        return column >= value  # type: ignore[no-any-return]
    if op == "<=":
        return column <= value  # type: ignore[no-any-return]
    if op == ">":
        return column > value  # type: ignore[no-any-return]
    if op == "<":
        return column < value  # type: ignore[no-any-return]
    return column == value  # type: ignore[no-any-return]


def _excludes_zero(op: str, n: int) -> bool:
    return (op in (">=", "=") and n >= 1) or (op == ">" and n >= 0)


def _date_compare(column: Any, op: str, r: Rule) -> ColumnElement[bool]:
    day = _date(r)
    nxt = day + timedelta(days=1)
    if op in ("=", "~"):
        return and_(column >= day, column < nxt)
    if op == ">":
        return column >= nxt  # type: ignore[no-any-return]
    if op == "<=":
        return column < nxt  # type: ignore[no-any-return]
    return _compare(column, op, day)


def _like(v: str) -> str:
    return "%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _int(r: Rule) -> int:
    try:
        return int(r.value)
    except ValueError:
        raise InvalidInput(f"{r.field} needs a whole number, not {r.value!r}") from None


def _size(r: Rule) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", r.value)
    if m is None:
        raise InvalidInput(f"Not a size: {r.value!r} (use bytes or 200k, 5M, 1G)")
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    return int(float(m.group(1)) * scale)


def _date(r: Rule) -> datetime:
    try:
        day = datetime.strptime(r.value.strip()[:10], "%Y-%m-%d")
    except ValueError:
        raise InvalidInput(f"Not a date: {r.value!r} (use YYYY-MM-DD)") from None
    return day.replace(tzinfo=UTC)


def _check(r: Rule) -> None:
    """Refuse bad values when the rule is written, not when it is run."""
    f, v = r.field, r.value
    if f == "rating":
        n = _int(r)
        if not 0 <= n <= 5:
            raise InvalidInput("A rating is 0 to 5 stars")
    elif f in ("width", "height", "duration", "pages"):
        _int(r)
    elif f == "size":
        _size(r)
    elif f in ("added", "taken"):
        _date(r)
    elif f == "color":
        colour_target(v)
    elif f == "similar":
        similar_args(v)
    elif f == "label" and v.lower() not in (*LABELS, "none"):
        raise InvalidInput(f"A label is one of {', '.join(LABELS)} or none")
    elif f == "orientation" and v.lower() not in ("landscape", "portrait", "square"):
        raise InvalidInput("orientation is landscape, portrait or square")
    elif f == "rights" and v.lower() not in ("expired", "expiring", "valid", "none"):
        raise InvalidInput("rights is one of expired, expiring, valid, none")
    elif f == "review" and v.lower() not in repo.REVIEW_STATUSES:
        raise InvalidInput(f"review is one of {', '.join(repo.REVIEW_STATUSES)}")
    numeric = f in ("rating", "width", "height", "duration", "pages", "size", "added", "taken")
    if r.op == "~" and numeric:
        raise InvalidInput(f"{f} compares with =, !=, <, <=, >, >=")
    if r.op in (">", "<", ">=", "<=") and not numeric:
        raise InvalidInput(f"{f} compares with =, != or ~ (contains)")
