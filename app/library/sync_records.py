"""What sync carries of an asset, as plain values: its filing by names and its editable facts."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Filing:
    """Where an asset is filed, by names (ids differ between sides).

    client is the owning client (the asset's own, or its campaign's); direct says whether the
    asset names the client itself (clientId set) or only through its campaign.
    """

    client: str | None = None
    campaign: str | None = None
    direct: bool = False

    def key(self) -> tuple[str | None, str | None, bool]:
        # Names are matched case-insensitively on both sides, so compare them that way too.
        return (
            self.client.casefold() if self.client else None,
            self.campaign.casefold() if self.campaign else None,
            self.direct if self.client else False,
        )

    def same(self, other: Filing | None) -> bool:
        return other is not None and self.key() == other.key()

    def describe(self) -> str:
        if not self.client:
            return "(unfiled)"
        return f"{self.client} / {self.campaign}" if self.campaign else self.client

    def to_list(self) -> list[object]:
        return [self.client, self.campaign, self.direct]

    @classmethod
    def from_list(cls, value: object) -> Filing | None:
        if not isinstance(value, list) or len(value) != 3:
            return None
        client, campaign, direct = value
        return cls(client or None, campaign or None, bool(direct))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The editable facts sync carries: compared against the state agreed at the last sync."""

    name: str
    tags: tuple[str, ...] = ()
    filing: Filing | None = None  # None: this side cannot tell (a spec-only server)
    # Finding facts; None: this side cannot tell (a server without "find-sync").
    rating: int | None = None  # 0-5 stars
    label: str | None = None  # "" for no label
    rights: tuple[str, ...] | None = None  # the asset's own five rights fields, "" for empty

    def find_json(self) -> str:
        return json.dumps(
            {
                "rating": self.rating,
                "label": self.label,
                "rights": list(self.rights) if self.rights is not None else None,
            },
            ensure_ascii=False,
        )

    def with_find_json(self, text: str | None) -> Snapshot:
        """This snapshot with the finding facts a link stored; a link made before they synced
        holds none, and then what both sides agreed on is the defaults (nothing set)."""
        if text is None:
            return replace(self, rating=0, label="", rights=("",) * 5)
        try:
            value = json.loads(text)
        except ValueError:
            value = {}
        if not isinstance(value, dict):
            value = {}
        rating, label, rights = value.get("rating"), value.get("label"), value.get("rights")
        # A value one side could not tell (a server without them) is agreed as the default:
        # once both sides know, whatever was set since counts as an edit.
        return replace(
            self,
            rating=rating if isinstance(rating, int) and not isinstance(rating, bool) else 0,
            label=label if isinstance(label, str) else "",
            rights=tuple(str(v) for v in rights) if isinstance(rights, list) and len(rights) == 5 else ("",) * 5,
        )
