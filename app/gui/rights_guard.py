"""A warning before an asset whose usage rights have expired leaves Atelier (copy, open, drag, share).

Expiry is the library's (Finder.tile_states, on its injectable clock): the same "expired"
the tiles' badges and the built-in smart folder show.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from app.library.records import AssetQuery

SHOWN = 5  # names listed in the warning; the rest are counted


def _day(moment: datetime | None) -> str:
    return f"{moment.day} {moment.strftime('%b %Y')}" if moment is not None else "an earlier date"


def expired(lib: Any, ids: Sequence[str]) -> list[tuple[str, str, datetime | None]]:
    """(id, name, rights end) of the assets among ids whose rights have expired, in ids' order."""
    states = lib.find.tile_states(list(ids))
    gone = [i for i in ids if i in states and states[i].rights == "expired"]
    if not gone:
        return []
    records = lib.get_assets(gone)
    return [(i, records[i].name, states[i].valid_until) for i in gone if i in records]


def warning_text(found: list[tuple[str, str, datetime | None]], doing: str) -> str:
    if len(found) == 1:
        _id, name, until = found[0]
        return (f"The usage rights of “{name}” expired on {_day(until)}. "
                f"{doing} it anyway? Check the licence before it is used again.")
    lines = [f"• {name} (expired {_day(until)})" for _id, name, until in found[:SHOWN]]
    if len(found) > SHOWN:
        lines.append(f"• and {len(found) - SHOWN} more")
    return (f"The usage rights of {len(found)} assets have expired:\n" + "\n".join(lines)
            + f"\n\n{doing} them anyway? Check the licences before they are used again.")


def allow(window: Any, ids: Sequence[str], title: str, doing: str, action: str) -> bool:
    """True to go ahead: nothing expired among ids, or the person confirmed."""
    try:
        found = expired(window.library, ids)
    except Exception:  # a busy or closing library: the warning must not block the work
        return True
    if not found:
        return True
    return bool(window.prompts.confirm(window, title, warning_text(found, doing), action))


def expired_in_scope(lib: Any, uid: int, kind: str, scope_id: str) -> list[str]:
    """Ids of the expired assets a client's or campaign's share link would carry."""
    query = AssetQuery(
        user_id=uid,
        client_id=scope_id if kind == "client" else None,
        campaign_id=scope_id if kind == "campaign" else None,
        rules=("rights=expired",),
    )
    return list(lib.asset_ids(query, limit=500))
