"""What the sidebar selects (all, unassigned, a client, a campaign) and what that means for queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.library.records import AssetQuery, SortKey
from app.library.service import Target

ScopeKind = Literal["all", "unassigned", "client", "campaign", "smart"]


@dataclass(frozen=True, slots=True)
class Scope:
    kind: ScopeKind = "all"
    id: str | None = None
    client_id: str | None = None  # for a campaign: its client
    name: str = "All assets"
    # A smart folder: its saved rules, matched all or any (id is "builtin:..." or the folder's id).
    rules: tuple[str, ...] = ()
    match: str = "all"

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.kind, self.id)

    def target(self, user_id: int) -> Target:
        """Where files dropped while this scope is selected are filed."""
        if self.kind == "client":
            return Target(user_id=user_id, client_id=self.id)
        if self.kind == "campaign":
            return Target(user_id=user_id, client_id=self.client_id, campaign_id=self.id)
        return Target(user_id=user_id)


@dataclass(frozen=True, slots=True)
class Filters:
    """Everything above the grid that narrows or orders it."""

    scope: Scope = field(default_factory=Scope)
    asset_type: str | None = None
    purpose: str | None = None
    text: str = ""
    review_status: str | None = None
    review_after: int | None = None  # the new-feedback notice: reviews a sync just brought
    sort: SortKey = "newest"
    colour: str | None = None  # "#rrggbb": assets containing it, nearest first
    similar: tuple[str, str] | None = None  # (asset id, name): assets that look like it
    rating: int | None = None  # at least this many stars
    label: str | None = None  # this colour label ("none": no label)

    def chip_rules(self) -> tuple[str, ...]:
        """The find rules of the chips above the grid (colour, similar): always all required."""
        rules = []
        if self.colour:
            rules.append(f"color={self.colour}")
        if self.similar:
            rules.append(f"similar={self.similar[0]}")
        if self.rating:
            rules.append(f"rating>={self.rating}")
        if self.label:
            rules.append(f"label={self.label}")
        return tuple(rules)

    def query(self, user_id: int, *, with_type: bool = True) -> AssetQuery:
        s = self.scope
        return AssetQuery(
            user_id=user_id,
            client_id=s.id if s.kind == "client" else None,
            campaign_id=s.id if s.kind == "campaign" else None,
            unassigned=s.kind == "unassigned",
            asset_type=self.asset_type if with_type else None,
            purpose=self.purpose,
            review_status=self.review_status,
            review_after=self.review_after,
            text=self.text.strip() or None,
            sort=self.sort,
            rules=s.rules,
            match=s.match,
            required=self.chip_rules(),
        )

    @property
    def narrowed(self) -> bool:
        """True when something besides the scope hides assets (for the empty-state text)."""
        return bool(self.asset_type or self.purpose or self.review_status or self.review_after is not None
                    or self.text.strip() or self.colour or self.similar or self.rating or self.label)
