"""Reading a JSON upload as it arrives: the base64 string streams out decoded, the rest is small."""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable, Iterator
from typing import Final, TypeVar

from app.server.jsondepth import MAX_JSON_DEPTH as MAX_DEPTH

T = TypeVar("T")

WHITESPACE: Final[bytes] = b" \t\r\n"
# Everything in the body except the streamed string: field names, other values, spaces.
MAX_OTHER_BYTES: Final[int] = 1024 * 1024
MAX_DATA_URL_HEADER: Final[int] = 200
_URLSAFE = bytes.maketrans(b"-_", b"+/")


class BodyError(ValueError):
    """The body is not the JSON object or base64 text expected; str() is the reason."""


class Base64Decoder:
    """Decodes base64 fed in arbitrary pieces; ignores whitespace, accepts URL-safe letters."""

    def __init__(self) -> None:
        self._pending = b""
        self._padded = False

    def feed(self, text: bytes) -> bytes:
        text = text.translate(_URLSAFE, WHITESPACE)
        if not text:
            return b""
        if self._padded:
            raise BodyError("Invalid base64 data: characters after the padding")
        data = self._pending + text
        cut = len(data) - len(data) % 4
        self._pending = data[cut:]
        return self._decode(data[:cut])

    def finish(self) -> bytes:
        rest, self._pending = self._pending, b""
        if not rest:
            return b""
        if len(rest) == 1 or self._padded:
            raise BodyError("Invalid base64 data: truncated")
        # Many encoders leave the padding out; the length says how much there would be.
        return self._decode(rest + b"=" * (4 - len(rest)))

    def _decode(self, quads: bytes) -> bytes:
        if not quads:
            return b""
        try:
            out = binascii.a2b_base64(quads, strict_mode=True)
        except binascii.Error:
            raise BodyError("Invalid base64 data") from None
        self._padded = quads.endswith(b"=")
        return out


class JsonObjectReader:
    """Parses one JSON object from byte chunks, holding no more than a chunk and the small fields.

    The string value of `stream_key` is handed to a consumer as an iterator of decoded bytes
    (a `data:...;base64,` prefix removed) while the body is still arriving; every other field
    ends up in `fields`, parsed by the json module.
    """

    def __init__(self, chunks: Iterator[bytes], stream_key: str = "base64") -> None:
        self._chunks = chunks
        self._buf = b""
        self._pos = 0
        self._other = 0
        self.stream_key = stream_key
        self.fields: dict[str, object] = {}
        self.streamed = False

    def parse(self, consume: Callable[[Iterator[bytes]], T]) -> T | None:
        """Read the whole object; returns what consume made of the streamed value (or None)."""
        result: T | None = None
        self._skip_ws()
        self._expect(b"{")
        self._skip_ws()
        if self._peek() == b"}":
            self._take()
        else:
            while True:
                self._skip_ws()
                key = self._small_value()
                if not isinstance(key, str):
                    raise BodyError("Invalid JSON: object keys must be strings")
                self._skip_ws()
                self._expect(b":")
                self._skip_ws()
                if key == self.stream_key and self._peek() == b'"':
                    if self.streamed:
                        raise BodyError(f"Invalid JSON: {key!r} appears twice")
                    self.streamed = True
                    self._take()
                    pieces = self._decoded_string()
                    result = consume(pieces)
                    # A consumer that stopped early leaves the rest of the string to skip.
                    for _ in pieces:
                        pass
                else:
                    self.fields[key] = self._small_value()
                self._skip_ws()
                sep = self._take()
                if sep == b"}":
                    break
                if sep != b",":
                    raise BodyError("Invalid JSON: expected ',' or '}'")
        self._skip_ws()
        if self._peek():
            raise BodyError("Invalid JSON: extra data after the object")
        return result

    # --- bytes in ---------------------------------------------------------------------

    def _fill(self) -> bool:
        """Make at least one unread byte available; False at the end of the body."""
        while self._pos >= len(self._buf):
            chunk = next(self._chunks, None)
            if chunk is None:
                return False
            self._buf, self._pos = bytes(chunk), 0
        return True

    def _peek(self) -> bytes:
        return self._buf[self._pos : self._pos + 1] if self._fill() else b""

    def _take(self) -> bytes:
        if not self._fill():
            raise BodyError("Invalid JSON: the body ends too early")
        byte = self._buf[self._pos : self._pos + 1]
        self._pos += 1
        self._count(1)
        return byte

    def _count(self, n: int) -> None:
        self._other += n
        if self._other > MAX_OTHER_BYTES:
            raise BodyError("The JSON fields besides the file are too large")

    def _expect(self, byte: bytes) -> None:
        if self._take() != byte:
            raise BodyError(f"Invalid JSON: expected {byte.decode()!r}")

    def _skip_ws(self) -> None:
        while self._fill():
            rest = self._buf[self._pos :]
            stripped = rest.lstrip(WHITESPACE)
            self._count(len(rest) - len(stripped))
            self._pos += len(rest) - len(stripped)
            if stripped:
                return

    # --- small values: captured raw, then parsed by the json module ---------------------

    def _small_value(self) -> object:
        raw = bytearray()
        depth = 0
        in_string = escaped = False
        done = False
        while not done and self._fill():
            buf, start = self._buf, self._pos
            i = start
            while i < len(buf):
                byte = buf[i]
                if in_string:
                    if escaped:
                        escaped = False
                    elif byte == 0x5C:  # backslash
                        escaped = True
                    elif byte == 0x22:  # the closing quote
                        in_string = False
                        if depth == 0:
                            i += 1
                            done = True
                            break
                    else:
                        # Plain characters: jump to the next quote or backslash at once.
                        stops = [j for j in (buf.find(b'"', i), buf.find(b"\\", i)) if j >= 0]
                        i = min(stops) if stops else len(buf)
                        continue
                elif byte == 0x22:
                    in_string = True
                elif byte in b"[{":
                    depth += 1
                    if depth > MAX_DEPTH:
                        # json.loads recurses once per level: refuse before it runs out of stack.
                        raise BodyError(f"Invalid JSON: nested more than {MAX_DEPTH} levels deep")
                elif byte in b"]}":
                    if depth == 0:
                        done = True
                        break
                    depth -= 1
                elif byte in b",:" and depth == 0:
                    done = True
                    break
                i += 1
            raw += buf[start:i]
            self._count(i - start)
            self._pos = i
        try:
            return json.loads(bytes(raw))
        except ValueError:
            raise BodyError("Invalid JSON") from None

    # --- the streamed string ------------------------------------------------------------

    def _raw_string(self) -> Iterator[bytes]:
        """The string's characters with JSON escapes resolved, up to its closing quote."""
        while True:
            if not self._fill():
                raise BodyError("Invalid JSON: the body ends inside a string")
            buf, start = self._buf, self._pos
            quote = buf.find(b'"', start)
            backslash = buf.find(b"\\", start)
            stops = [i for i in (quote, backslash) if i >= 0]
            stop = min(stops) if stops else len(buf)
            if stop > start:
                yield buf[start:stop]
            self._pos = stop
            if stop == quote:
                self._pos += 1
                return
            if stop == backslash:
                yield self._escape()

    def _escape(self) -> bytes:
        self._pos += 1  # the backslash
        kind = self._take()
        seq = b"\\" + kind
        if kind == b"u":
            seq += b"".join(self._take() for _ in range(4))
        try:
            return json.loads(b'"' + seq + b'"').encode("utf-8", "surrogatepass")
        except ValueError:
            raise BodyError("Invalid JSON: bad escape in a string") from None

    def _decoded_string(self) -> Iterator[bytes]:
        text = self._raw_string()
        decoder = Base64Decoder()
        head = b""
        # A data URL carries its header before the first comma; the bytes decide the type anyway.
        for piece in text:
            head += piece
            if len(head) >= 5 or not head.startswith(b"data:"[: len(head)]):
                break
        if head.startswith(b"data:"):
            while b"," not in head:
                if len(head) > MAX_DATA_URL_HEADER:
                    break
                piece = next(text, None)
                if piece is None:
                    break
                head += piece
            header, comma, head = head.partition(b",")
            if not comma or len(header) > MAX_DATA_URL_HEADER:
                raise BodyError("Invalid data URL: no ',' after its header")
            if not header.lower().endswith(b";base64"):
                raise BodyError("Invalid data URL: only ';base64' data URLs are accepted")
        if head:
            out = decoder.feed(head)
            if out:
                yield out
        for piece in text:
            out = decoder.feed(piece)
            if out:
                yield out
        out = decoder.finish()
        if out:
            yield out
