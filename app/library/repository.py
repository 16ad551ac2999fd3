"""Every query the library runs: filters, sorting, keyset pages, counts and the change feed."""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, aliased

from app.library.errors import InvalidInput
from app.library.models import Asset, Campaign, Client, Counter, Tombstone
from app.library.records import (
    JOINED_FIELDS,
    RECORD_FIELDS,
    AssetQuery,
    AssetRecord,
    CampaignRecord,
    ChangeSet,
    ClientRecord,
    PageCursor,
)

if TYPE_CHECKING:
    # Any select, whatever its columns (Select is generic over the row's types).
    AnySelect = Select[*tuple[Any, ...]]

_CampaignAlias = aliased(Campaign)


def as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def decode_tags(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return [str(t) for t in value] if isinstance(value, list) else None


def encode_tags(tags: Sequence[str] | None) -> str | None:
    if tags is None:
        return None
    seen: dict[str, None] = {}
    for tag in tags:
        # Control characters and lone surrogates cannot be stored (or typed): drop them.
        spaced = " ".join(str(tag).split())
        cleaned = "".join(c for c in spaced if unicodedata.category(c) not in ("Cc", "Cs"))[:100]
        if cleaned:
            seen.setdefault(cleaned, None)
    return json.dumps(list(seen), ensure_ascii=False)


def stored_urls(asset_id: str, asset_type: str) -> tuple[str, str | None, str | None]:
    """The url, thumbnail_url and waveform_url columns of a new asset (paths from the root).

    Written once, when the row is made; wire.asset_read shows what the row holds, so the
    columns are the one source. Every type has a thumbnail (the server's extension; the
    spec's image has no thumbnailUrl field, so the wire leaves it out); only audio a waveform.
    """
    url = f"/api/v2/assets/{asset_id}"
    return url, f"{url}/thumbnail", f"{url}/waveform" if asset_type == "audio" else None


def client_record(c: Client, count: int = 0) -> ClientRecord:
    return ClientRecord(
        id=c.id,
        user_id=c.user_id,
        name=c.name,
        created_at=as_utc(c.created_at),
        updated_at=as_utc(c.updated_at),
        asset_count=count,
    )


def campaign_record(c: Campaign, count: int = 0) -> CampaignRecord:
    return CampaignRecord(
        id=c.id,
        client_id=c.client_id,
        name=c.name,
        created_at=as_utc(c.created_at),
        updated_at=as_utc(c.updated_at),
        asset_count=count,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filter_values(q: AssetQuery) -> dict[str, object]:
    """The values a query binds, by parameter name (see filters(), which uses these names)."""
    values: dict[str, object] = {}
    if q.user_id is not None:
        values["q_user_id"] = q.user_id
    if q.client_id is not None:
        values["q_client_id"] = q.client_id
    if q.campaign_id is not None:
        values["q_campaign_id"] = q.campaign_id
    if q.asset_type is not None:
        values["q_asset_type"] = q.asset_type
    if q.purpose is not None:
        values["q_purpose"] = q.purpose
    if q.text:
        values["q_pattern"] = f"%{_escape_like(q.text.strip())}%"
    return values


def filters(q: AssetQuery) -> list[ColumnElement[bool]]:
    # Named parameters, so one compiled statement serves every query of the same shape
    # (see pages.py); the names never clash with the anonymous ones SQLAlchemy makes.
    p: dict[str, BindParameter[Any]] = {name: bindparam(name, value) for name, value in filter_values(q).items()}
    conds: list[ColumnElement[bool]] = []
    if "q_user_id" in p:
        conds.append(Asset.user_id == p["q_user_id"])
    if "q_client_id" in p:
        # An asset filed under one of the client's campaigns belongs to the client too.
        conds.append(
            or_(
                Asset.client_id == p["q_client_id"],
                Asset.campaign_id.in_(
                    select(Campaign.id).where(Campaign.client_id == p["q_client_id"])
                ),
            )
        )
    if "q_campaign_id" in p:
        conds.append(Asset.campaign_id == p["q_campaign_id"])
    if q.unassigned:
        conds.append(and_(Asset.client_id.is_(None), Asset.campaign_id.is_(None)))
    if "q_asset_type" in p:
        conds.append(Asset.asset_type == p["q_asset_type"])
    if "q_purpose" in p:
        conds.append(Asset.purpose == p["q_purpose"])
    if q.has_purpose:
        conds.append(Asset.purpose.is_not(None))
    if "q_pattern" in p:
        pattern = p["q_pattern"]
        conds.append(
            or_(Asset.name.ilike(pattern, escape="\\"), Asset.tags.ilike(pattern, escape="\\"))
        )
    if q.review_status:
        conds.append(_review_condition(q.review_status))
    if q.review_after is not None:
        from app.library.share_models import ShareReview

        conds.append(exists().where(ShareReview.asset_id == Asset.id, ShareReview.id > q.review_after))
    return conds


REVIEW_STATUSES = ("approved", "changes_requested", "commented", "unreviewed")


def _review_condition(status: str) -> ColumnElement[bool]:
    """The latest decision wins (as on the badges); 'commented' is comments with no decision."""
    from app.library.share_models import ShareReview  # the share tables load with sharing

    if status not in REVIEW_STATUSES:
        raise InvalidInput(f"Unknown review status {status!r}: use one of {', '.join(REVIEW_STATUSES)}")
    mine = ShareReview.asset_id == Asset.id
    latest = (select(ShareReview.decision).where(mine, ShareReview.decision.is_not(None))
              .order_by(ShareReview.created_at.desc(), ShareReview.id.desc()).limit(1)
              .scalar_subquery())
    decided = exists().where(mine, ShareReview.decision.is_not(None))
    commented = exists().where(mine, func.coalesce(ShareReview.comment, "") != "")
    if status == "unreviewed":
        # Neither a decision nor a comment (a synced review may carry neither), as `show` says.
        return and_(~decided, ~commented)
    if status == "commented":
        return and_(~decided, commented)
    return latest == status


review_condition = _review_condition  # the find rule "review=approved" filters the same way


def _sort_columns(q: AssetQuery) -> tuple[ColumnElement[Any], bool]:
    """The sort column and whether it descends (id breaks ties in the same direction)."""
    if q.sort == "oldest":
        return Asset.uploaded_at.expression, False
    if q.sort == "name":
        return Asset.name.expression, False
    if q.sort == "size":
        # A keyset comparison with NULL is never true, so rows without a size would fall out
        # of paging; they sort as the smallest instead (no index covers size anyway).
        return func.coalesce(Asset.size, literal_column("-1")), True
    if q.sort == "type":
        return Asset.asset_type.expression, False
    return Asset.uploaded_at.expression, True


def ordered(
    stmt: AnySelect, q: AssetQuery, after: PageCursor | None = None
) -> AnySelect:
    col, desc = _sort_columns(q)
    if after is not None:
        key = tuple_(col, Asset.id)
        bound = tuple_(
            bindparam("after_value", after.value, type_=col.type), bindparam("after_id", after.id)
        )
        stmt = stmt.where(key < bound if desc else key > bound)
    if desc:
        return stmt.order_by(col.desc(), Asset.id.desc())
    return stmt.order_by(col.asc(), Asset.id.asc())


def cursor_for(record: AssetRecord, q: AssetQuery) -> PageCursor:
    value: object = {
        "oldest": record.uploaded_at,
        "name": record.name,
        "size": -1 if record.size is None else record.size,
        "type": record.asset_type,
    }.get(q.sort, record.uploaded_at)
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    return PageCursor(value=value, id=record.id)


# The select list of a record: its fields, in order, as columns (see records.RECORD_FIELDS).
# A field that is neither a joined name nor an assets column fails here, at import.
_JOINED = dict(zip(JOINED_FIELDS, (Client.name, _CampaignAlias.name), strict=True))
RECORD_COLUMNS: tuple[Any, ...] = tuple(
    _JOINED[name] if name in _JOINED else getattr(Asset, name) for name in RECORD_FIELDS
)


@functools.cache
def asset_rows() -> AnySelect:
    """The columns of a record, its client's and campaign's names included, as plain rows.

    Built once: a select is immutable, and .where() makes a new one each call.

    Rows unpacked by position, not ORM objects or attribute lookups: pages are only read,
    and the identity map and per-attribute access were most of the Python cost of a page.
    """
    return (
        select(*RECORD_COLUMNS)
        .outerjoin(Client, Client.id == Asset.client_id)
        .outerjoin(_CampaignAlias, _CampaignAlias.id == Asset.campaign_id)
    )


_fromiso = datetime.fromisoformat


def record(row: Sequence[Any]) -> AssetRecord:
    """The record of one asset_rows() row, read through SQLAlchemy or straight from SQLite.

    The row's columns are the record's fields in order, so it is built by position; only the
    two dates and the tags need converting. Raw SQLite hands back the dates as the text
    SQLAlchemy stored (always UTC), SQLAlchemy as datetimes, naive on SQLite.
    """
    r = AssetRecord(*row)
    uploaded: Any = r.uploaded_at
    updated: Any = r.updated_at
    if uploaded.__class__ is str:
        r.uploaded_at = _fromiso(uploaded + "+00:00")
        # Most assets were never edited: one datetime serves both.
        r.updated_at = r.uploaded_at if updated == uploaded else _fromiso(updated + "+00:00")
    else:
        r.uploaded_at = as_utc(uploaded)
        r.updated_at = as_utc(updated)
    raw: Any = r.tags
    if raw is not None:
        tags = _decoded(raw)
        r.tags = None if tags is None else list(tags)
    return r


@functools.lru_cache(maxsize=4096)
def _decoded(raw: str) -> tuple[str, ...] | None:
    # Libraries reuse a few tag sets over and over: parsing each JSON text once pays for
    # the url columns a page also reads. A tuple, so no record can change another's tags.
    tags = decode_tags(raw)
    return None if tags is None else tuple(tags)


def page_statement(
    q: AssetQuery, limit: int, offset: int = 0, after: PageCursor | None = None
) -> AnySelect:
    """One page of records; every value is a named parameter (see filter_values).

    The page's ids are found first, from the index alone, and only those rows are read and
    joined to their client and campaign: skipping `offset` rows then costs index entries, not
    row reads and joins (at offset 5,000 of 100,000 on SQLite, 0.5 ms instead of 4.8 ms).
    """
    ids = ordered(select(Asset.id).where(*filters(q)), q, after)
    ids = ids.limit(bindparam("q_limit", limit)).offset(bindparam("q_offset", offset))
    return ordered(asset_rows().where(Asset.id.in_(ids)), q)


def list_assets(
    s: Session, q: AssetQuery, limit: int, offset: int = 0, after: PageCursor | None = None
) -> list[AssetRecord]:
    return [record(r) for r in s.execute(page_statement(q, limit, offset, after))]


def asset_ids(
    s: Session, q: AssetQuery, limit: int | None = None, offset: int = 0
) -> list[str]:
    stmt = ordered(select(Asset.id).where(*filters(q)), q).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(s.scalars(stmt))


def assets_by_ids(s: Session, ids: Sequence[str]) -> dict[str, AssetRecord]:
    out: dict[str, AssetRecord] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in s.execute(asset_rows().where(Asset.id.in_(chunk))):
            found = record(row)
            out[found.id] = found
    return out


def records_by_hash(
    s: Session, user_id: int | None, sha256s: Sequence[str]
) -> dict[str, AssetRecord]:
    """hash -> an asset of the user with that hash, in one query."""
    found: dict[str, AssetRecord] = {}
    for row in s.execute(
        asset_rows().where(Asset.user_id == user_id, Asset.sha256.in_(set(sha256s)))
    ):
        r = record(row)
        found.setdefault(r.sha256, r)
    return found


def count_assets(s: Session, q: AssetQuery) -> int:
    return int(s.scalar(select(func.count()).select_from(Asset).where(*filters(q))) or 0)


def counts_by_type(s: Session, q: AssetQuery) -> dict[str, int]:
    stmt = select(Asset.asset_type, func.count()).where(*filters(q)).group_by(Asset.asset_type)
    return {t: int(n) for t, n in s.execute(stmt)}


def clients_with_counts(s: Session, user_id: int | None) -> list[ClientRecord]:
    direct = dict(
        s.execute(
            select(Asset.client_id, func.count())
            .where(Asset.user_id == user_id, Asset.client_id.is_not(None))
            .group_by(Asset.client_id)
        ).all()
    )
    # Assets filed only under a campaign still count for the campaign's client.
    via_campaign = dict(
        s.execute(
            select(Campaign.client_id, func.count())
            .join(Asset, Asset.campaign_id == Campaign.id)
            .where(Asset.user_id == user_id, Asset.client_id.is_(None))
            .group_by(Campaign.client_id)
        ).all()
    )
    rows = s.scalars(
        select(Client).where(Client.user_id == user_id).order_by(func.lower(Client.name))
    ).all()
    return [client_record(c, direct.get(c.id, 0) + via_campaign.get(c.id, 0)) for c in rows]


def campaigns_with_counts(
    s: Session, user_id: int | None, client_id: str | None = None
) -> list[CampaignRecord]:
    counts = dict(
        s.execute(
            select(Asset.campaign_id, func.count())
            .where(Asset.user_id == user_id, Asset.campaign_id.is_not(None))
            .group_by(Asset.campaign_id)
        ).all()
    )
    stmt = select(Campaign).join(Client).where(Client.user_id == user_id)
    if client_id is not None:
        stmt = stmt.where(Campaign.client_id == client_id)
    rows = s.scalars(stmt.order_by(func.lower(Campaign.name))).all()
    return [campaign_record(c, counts.get(c.id, 0)) for c in rows]


def next_seq(s: Session, n: int = 1) -> int:
    """Reserve n change numbers; returns the last. The row lock serialises writers on PostgreSQL."""
    value = s.scalar(
        update(Counter)
        .where(Counter.name == "changes")
        .values(value=Counter.value + n)
        .returning(Counter.value)
    )
    if value is None:
        s.add(Counter(name="changes", value=n))
        s.flush()
        return n
    return int(value)


def changes_since(s: Session, user_id: int | None, cursor: int, limit: int) -> ChangeSet:
    assets = [
        record(row)
        for row in s.execute(
            asset_rows()
            .where(Asset.user_id == user_id, Asset.change_seq > cursor)
            .order_by(Asset.change_seq)
            .limit(limit + 1)
        )
    ]
    tombs = s.scalars(
        select(Tombstone)
        .where(Tombstone.user_id == user_id, Tombstone.change_seq > cursor)
        .order_by(Tombstone.change_seq)
        .limit(limit + 1)
    ).all()
    merged: list[tuple[int, Tombstone | AssetRecord]] = sorted(
        [(a.change_seq, a) for a in assets] + [(t.change_seq, t) for t in tombs],
        key=lambda item: item[0],
    )
    has_more = len(merged) > limit
    merged = merged[:limit]
    new_cursor = merged[-1][0] if merged else cursor
    out_assets: list[AssetRecord] = []
    out_deleted: list[tuple[str, datetime]] = []
    last: dict[str, str] = {}
    for _, item in merged:
        if isinstance(item, Tombstone):
            out_deleted.append((item.asset_id, as_utc(item.deleted_at)))
            if item.last_state:
                last[item.asset_id] = item.last_state
        else:
            out_assets.append(item)
    return ChangeSet(
        cursor=new_cursor, has_more=has_more, assets=out_assets, deleted=out_deleted, last=last
    )


def current_seq(s: Session) -> int:
    return int(s.scalar(select(Counter.value).where(Counter.name == "changes")) or 0)


def names_and_changes(s: Session) -> int:
    """The change counter mixed with the clients' and campaigns' count and last edit, so a
    poller without SQLite's data_version still sees a new, renamed or deleted name."""
    seq = current_seq(s)
    clients = s.execute(select(func.count(Client.id), func.max(Client.updated_at))).one()
    campaigns = s.execute(select(func.count(Campaign.id), func.max(Campaign.updated_at))).one()
    return hash((seq, tuple(clients), tuple(campaigns)))
