"""Reading a multipart/form-data upload as it arrives: the file part streams out, text fields stay small."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Final, TypeVar

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, MultipartState, parse_options_header

from app.server.v1.jsonbody import BodyError

T = TypeVar("T")

MAX_FIELD_BYTES: Final[int] = 64 * 1024
MAX_PARTS: Final[int] = 50


def boundary_of(content_type: str) -> bytes:
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise BodyError("Invalid multipart body: no boundary in Content-Type")
    return boundary


class _Part:
    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.filename: str | None = None
        self.content_type: str | None = None
        self.data = bytearray()


class FormReader:
    """Parses a multipart body from byte chunks; the `file_field` part goes to a consumer as a stream.

    Text fields end up in `fields`; the streamed part's file name and declared type in
    `filename` and `content_type`. Other file parts are read and dropped.
    """

    def __init__(self, chunks: Iterator[bytes], boundary: bytes, file_field: str = "file") -> None:
        self._chunks = chunks
        self.file_field = file_field
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self.content_type: str | None = None
        self.streamed = False
        self._parts = 0
        self._part: _Part | None = None
        self._field = b""
        self._value = b""
        self._streaming = False  # inside the file part: its data goes to _pending
        self._file_started = False
        self._file_done = False
        self._pending: deque[bytes] = deque()
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
            },
        )

    def parse(self, consume: Callable[[Iterator[bytes]], T]) -> T | None:
        """Read the whole body; returns what consume made of the file part (None if absent)."""
        result: T | None = None
        for chunk in self._chunks:
            self._write(chunk)
            if self._file_started and not self.streamed:
                self.streamed = True
                stream = self._file_data()
                result = consume(stream)
                for _ in stream:
                    pass
        if self._parser.state != MultipartState.END:
            raise BodyError("Invalid multipart body: it ends too early")
        return result

    def _write(self, chunk: bytes) -> None:
        try:
            self._parser.write(chunk)
        except MultipartParseError as exc:
            raise BodyError(f"Invalid multipart body: {exc}") from None

    def _file_data(self) -> Iterator[bytes]:
        while True:
            while self._pending:
                yield self._pending.popleft()
            if self._file_done:
                return
            chunk = next(self._chunks, None)
            if chunk is None:
                raise BodyError("Invalid multipart body: it ends inside the file")
            self._write(chunk)

    # --- parser callbacks ---------------------------------------------------------------

    def _on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise BodyError("Invalid multipart body: too many parts")
        self._part = _Part()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        assert self._part is not None
        self._part.headers[self._field.strip().lower()] = self._value.strip()
        self._field = self._value = b""

    def _on_headers_finished(self) -> None:
        part = self._part
        assert part is not None
        _, params = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = params.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = params.get(b"filename")
        part.filename = raw_filename.decode("utf-8", "replace") if raw_filename is not None else None
        ctype = part.headers.get(b"content-type")
        part.content_type = ctype.decode("latin-1") if ctype else None
        if part.name == self.file_field:
            if self._file_started:
                raise BodyError(f"Only one {self.file_field!r} part is accepted")
            self._file_started = self._streaming = True
            self.filename, self.content_type = part.filename, part.content_type

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        assert part is not None
        if self._streaming:
            self._pending.append(data[start:end])
        elif part.filename is None:
            part.data += data[start:end]
            if len(part.data) > MAX_FIELD_BYTES:
                raise BodyError(f"The form field {part.name!r} is too large")
        # Any other file part is read past and dropped.

    def _on_part_end(self) -> None:
        part = self._part
        assert part is not None
        if self._streaming:
            self._streaming = False
            self._file_done = True
        elif part.filename is None and part.name:
            self.fields[part.name] = part.data.decode("utf-8", "replace")
        self._part = None
