"""What sync carries of an asset, as plain values: its filing by names and its editable facts."""

from __future__ import annotations

from dataclasses import dataclass


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
