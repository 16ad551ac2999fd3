"""A depth limit on JSON text, checked by scanning the bytes before any parser recurses into them."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException

MAX_JSON_DEPTH = 32
_TOKENS = re.compile(rb'[\[\]{}"\\]')


class JsonTooDeep(HTTPException):
    """JSON nested deeper than the limit: a 400 in the caller's dialect, before json.loads sees it.

    An HTTPException, so that FastAPI's body parsing lets it through to the handlers.
    """

    def __init__(self, limit: int = MAX_JSON_DEPTH) -> None:
        super().__init__(400, f"Invalid JSON: nested more than {limit} levels deep")


class DepthScanner:
    """Fed a JSON text in pieces; raises JsonTooDeep as soon as arrays/objects nest too deep."""

    def __init__(self, limit: int = MAX_JSON_DEPTH) -> None:
        self.limit = limit
        self.depth = 0
        self._in_string = False
        self._escaped = False

    def feed(self, data: bytes) -> None:
        skip = 0
        if self._escaped and data:
            skip, self._escaped = 1, False
        for match in _TOKENS.finditer(data, skip):
            i = match.start()
            if i < skip:
                continue  # the character after a backslash
            byte = data[i]
            if self._in_string:
                if byte == 0x5C:  # backslash: the next character is escaped
                    skip = i + 2
                    self._escaped = skip > len(data)
                elif byte == 0x22:
                    self._in_string = False
            elif byte == 0x22:
                self._in_string = True
            elif byte in b"[{":
                self.depth += 1
                if self.depth > self.limit:
                    raise JsonTooDeep(self.limit)
            elif byte in b"]}":
                self.depth = max(0, self.depth - 1)


def check_depth(data: bytes, limit: int = MAX_JSON_DEPTH) -> None:
    """JsonTooDeep if data nests deeper than limit (cheap: most texts are skipped by a count)."""
    if data.count(b"[") + data.count(b"{") > limit:
        DepthScanner(limit).feed(data)
