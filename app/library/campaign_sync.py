"""What sync carries of campaigns' usage rights: one state per campaign, matched by client and campaign name."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import hlc
from app.core.names import has_control_characters
from app.library.find_models import CampaignRights
from app.library.find_sync import EMPTY_RIGHTS, RIGHTS_KEYS, rights_tuple
from app.library.models import Campaign, Client

# The columns' sizes: a longer value from the wire is left out, never cut.
MAX_LEN: Final[dict[str, int]] = {"licence": 200, "source": 300, "credit": 300}
WIRE_KEYS: Final[tuple[str, ...]] = ("licence", "source", "credit", "validFrom", "validUntil")


@dataclass(frozen=True, slots=True)
class CampaignState:
    """A campaign's rights as sync sees them: the five fields as text ("" for empty) and when
    they were last edited. Campaigns are matched by names, as sync files assets (casefolded)."""

    client: str
    campaign: str
    edited: str
    rights: tuple[str, ...] = EMPTY_RIGHTS

    @property
    def key(self) -> tuple[str, str]:
        return (_fold(self.client), _fold(self.campaign))

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"client": self.client, "campaign": self.campaign, "editedAt": self.edited}
        out.update({k: (v or None) for k, v in zip(WIRE_KEYS, self.rights, strict=True)})
        return out


def _fold(name: str) -> str:
    # Names compare as the folders are named: whitespace runs as one space, without case.
    return " ".join(name.split()).casefold()


def _owned(user_id: int | None) -> Any:
    return Client.user_id.is_(None) if user_id is None else Client.user_id == user_id


def _rows(s: Session, user_id: int | None) -> list[tuple[CampaignRights, str, str]]:
    stmt = (
        select(CampaignRights, Client.name, Campaign.name)
        .join(Campaign, Campaign.id == CampaignRights.campaign_id)
        .join(Client, Client.id == Campaign.client_id)
        .where(_owned(user_id))
    )
    return [(row, client, campaign) for row, client, campaign in s.execute(stmt)]


def states(s: Session, user_id: int | None, stamp: Callable[[], str]) -> list[CampaignState]:
    """Every campaign of the user that has rights; rights set before they synced get an edit
    time now (stamp()), so they travel once and lose to any later edit elsewhere."""
    out = []
    for row, client, campaign in _rows(s, user_id):
        if row.edited is None:
            row.edited = stamp()
        out.append(CampaignState(client, campaign, row.edited, rights_tuple(row)))
    return out


def latest(s: Session, user_id: int | None) -> str | None:
    """The latest edit of the user's campaign rights (None: none, or none edited since)."""
    stmt = (
        select(func.max(CampaignRights.edited))
        .join(Campaign, Campaign.id == CampaignRights.campaign_id)
        .join(Client, Client.id == Campaign.client_id)
        .where(_owned(user_id))
    )
    return s.scalar(stmt)


def unstamped(s: Session, user_id: int | None) -> bool:
    """Whether any of the user's campaign rights has no edit time yet (set before they synced)."""
    stmt = (
        select(CampaignRights.campaign_id)
        .join(Campaign, Campaign.id == CampaignRights.campaign_id)
        .join(Client, Client.id == Campaign.client_id)
        .where(_owned(user_id), CampaignRights.edited.is_(None))
        .limit(1)
    )
    return s.scalar(stmt) is not None


def edited_since(s: Session, user_id: int | None, since: str | None) -> int:
    """How many campaigns' rights were edited here after since (all that have an edit, for None)."""
    stmt = (
        select(func.count())
        .select_from(CampaignRights)
        .join(Campaign, Campaign.id == CampaignRights.campaign_id)
        .join(Client, Client.id == Campaign.client_id)
        .where(_owned(user_id))
        .where(CampaignRights.edited.is_not(None) if since is None else CampaignRights.edited > since)
    )
    return int(s.scalar(stmt) or 0)


def _day(value: str) -> datetime | None:
    try:
        day = datetime.fromisoformat(value)
        return day.replace(tzinfo=UTC) if day.tzinfo is None else day.astimezone(UTC)
    except (ValueError, TypeError, OverflowError):
        return None


def parse_states(items: Sequence[Mapping[str, Any]]) -> list[CampaignState]:
    """Campaign states from the wire; anything malformed is left out, never half applied."""
    out = []
    for item in items:
        client, campaign, edited = item.get("client"), item.get("campaign"), item.get("editedAt")
        if not (isinstance(client, str) and client.strip() and isinstance(campaign, str) and campaign.strip()):
            continue
        if not hlc.is_stamp(edited):
            continue
        if any(isinstance(v, str) and has_control_characters(v) for v in item.values()):
            continue  # no database keeps a NUL or a lone surrogate in text
        values: list[str] = []
        for wire, key in zip(WIRE_KEYS, RIGHTS_KEYS, strict=True):
            value = item.get(wire)
            if value is None or value == "":
                values.append("")
            elif not isinstance(value, str) or len(value) > MAX_LEN.get(key, 40):
                break
            elif key.startswith("valid"):
                day = _day(value)
                if day is None:
                    break
                values.append(day.isoformat())
            else:
                values.append(value)
        else:
            vf, vu = values[3], values[4]
            if vf and vu and vu < vf:
                continue  # the same rule as setting them here: until is never before from
            out.append(CampaignState(client, campaign, str(edited), tuple(values)))
    return out


def merge(s: Session, user_id: int | None, incoming: Sequence[CampaignState]) -> int:
    """Take every incoming state edited later than this side's rights of the same campaign.
    A campaign this side does not have is left for a later sync (assets bring campaigns).
    Returns how many campaigns changed here."""
    if not incoming:
        return 0
    mine = {(_fold(c), _fold(n)): row for row, c, n in _rows(s, user_id)}
    campaigns = {
        (_fold(client), _fold(name)): cid
        for cid, client, name in s.execute(
            select(Campaign.id, Client.name, Campaign.name)
            .join(Client, Client.id == Campaign.client_id)
            .where(_owned(user_id))
        )
    }
    changed = 0
    for theirs in sorted(incoming, key=lambda c: c.edited):
        row = mine.get(theirs.key)
        if row is not None and row.edited is not None and row.edited >= theirs.edited:
            continue
        if row is None:
            cid = campaigns.get(theirs.key)
            if cid is None:
                continue
            row = CampaignRights(campaign_id=cid)
            s.add(row)
            mine[theirs.key] = row
        for key, value in zip(RIGHTS_KEYS, theirs.rights, strict=True):
            setattr(row, key, (_day(value) if key.startswith("valid") else value) if value else None)
        row.edited = theirs.edited
        changed += 1
    s.flush()
    return changed
