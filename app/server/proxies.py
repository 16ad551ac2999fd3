"""Which peers may tell the server a client's address (X-Forwarded-For) and scheme: none by default.

Only a reverse proxy named here is believed; from any other peer the headers are ignored,
so a client cannot pick the address its password attempts are counted against.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

ENV_VAR = "ATELIER_TRUSTED_PROXIES"


def parse_trusted_proxies(values: Iterable[str]) -> tuple[str, ...]:
    """Addresses and networks (10.0.0.0/8) from comma-separated values; ValueError names a bad one."""
    found: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            try:
                parsed = ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)
            except ValueError:
                raise ValueError(
                    f"--trusted-proxy takes IP addresses or networks (10.0.0.0/8), not {item!r}"
                ) from None
            if str(parsed) not in found:
                found.append(str(parsed))
    return tuple(found)
