"""A streaming multipart/form-data reader: the file part flows to a consumer chunk by chunk.

Nothing here holds the file in memory or spools it before its size is checked: the
consumer (LibraryService.receive_stream) sees each piece as it arrives and refuses the
upload the moment it is too large or of the wrong type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from app.server.errors import BadUpload

T = TypeVar("T")

FILE_FIELD = "file"
MAX_FIELDS = 128
MAX_FIELD_BYTES = 64 * 1024
# Everything in the body that is not the file's own bytes: boundaries, part headers, fields.
MAX_FORM_OVERHEAD = 1024 * 1024


@dataclass
class UploadForm(Generic[T]):
    """The text fields, the file part's file name and what the consumer made of its bytes.

    fields holds each field's last value; values every value of a field sent several times.
    """

    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)
    filename: str | None = None
    file: T | None = None
    has_file: bool = False


def boundary_of(content_type: str | None) -> bytes:
    """The boundary of a multipart/form-data Content-Type, or BadUpload."""
    kind, params = parse_options_header(content_type or "")
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadUpload(
            "Send the upload as multipart/form-data with the file in the field 'file'"
        )
    return boundary


class MultipartReader(Generic[T]):
    """Feeds body chunks to python-multipart and hands the file part to a consumer as a stream."""

    def __init__(self, boundary: bytes, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        try:
            self._parser = MultipartParser(
                boundary,
                {
                    "on_part_begin": self._part_begin,
                    "on_header_field": self._header_field,
                    "on_header_value": self._header_value,
                    "on_header_end": self._header_end,
                    "on_headers_finished": self._headers_finished,
                    "on_part_data": self._part_data,
                    "on_part_end": self._part_end,
                    "on_end": self._end,
                },
            )
        except FormParserError as exc:
            raise BadUpload(f"Malformed multipart body: {exc}") from None
        self.form: UploadForm[T] = UploadForm()
        self.received = 0
        self._file_bytes = 0
        self._ended = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[str, bytes] = {}
        self._part: str | None = None  # the field name of the part being read
        self._is_file = False
        self._value = bytearray()
        self._file_started = False
        self._field_parts = 0
        self._consumed = False
        self._file_done = False
        self._file_pending: list[bytes] = []

    # --- parser callbacks ----------------------------------------------------------------

    def _part_begin(self) -> None:
        self._headers = {}
        self._part = None
        self._is_file = False
        self._value = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[bytes(self._header_name).decode("latin-1").lower()] = bytes(self._header_value)
        self._header_name = bytearray()
        self._header_value = bytearray()

    def _headers_finished(self) -> None:
        disposition, params = parse_options_header(self._headers.get("content-disposition"))
        name = params.get(b"name")
        if disposition != b"form-data" or name is None:
            raise BadUpload("Malformed multipart body: a part without a form-data name")
        self._part = name.decode("utf-8", "replace")
        if self._part == FILE_FIELD:
            if self._file_started:
                raise BadUpload("Only one file can be uploaded at a time")
            self._is_file = True
            self._file_started = True
            self.form.has_file = True
            raw_name = params.get(b"filename")
            self.form.filename = raw_name.decode("utf-8", "replace") if raw_name else None
        else:
            self._field_parts += 1
            if self._field_parts > MAX_FIELDS:
                raise BadUpload(f"Too many form fields (at most {MAX_FIELDS})")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            self._file_pending.append(bytes(data[start:end]))
            self._file_bytes += end - start
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise BadUpload(f"The form field {self._part!r} is too long")

    def _part_end(self) -> None:
        if self._is_file:
            self._file_done = True
        elif self._part is not None:
            value = bytes(self._value).decode("utf-8", "replace")
            self.form.fields[self._part] = value
            self.form.values.setdefault(self._part, []).append(value)

    def _end(self) -> None:
        self._ended = True

    # --- driving -------------------------------------------------------------------------

    def _pump(self) -> bool:
        """Parse the next body chunk; False at the end of the body."""
        for chunk in self._chunks:
            if not chunk:
                continue
            self.received += len(chunk)
            try:
                self._parser.write(chunk)
            except FormParserError as exc:
                raise BadUpload(f"Malformed multipart body: {exc}") from None
            if self.received - self._file_bytes > MAX_FORM_OVERHEAD:
                raise BadUpload("The form fields of the upload are too large")
            return True
        return False

    def _file_chunks(self) -> Iterator[bytes]:
        while True:
            if self._file_pending:
                data = b"".join(self._file_pending)
                self._file_pending.clear()
                yield data
            if self._file_done:
                return
            if not self._pump():
                raise BadUpload("The upload ended before the file was complete")

    def read(
        self, consume: Callable[[Iterator[bytes]], T], discard: Callable[[T], None]
    ) -> UploadForm[T]:
        """Read the whole body; the file part's bytes go to consume() as they arrive.

        If anything fails after consume() returned, discard() gets its result, so an
        accepted file never outlives a refused upload.
        """
        try:
            while True:
                if self._file_started and self.form.file is None and not self._consumed:
                    self._consumed = True
                    self.form.file = consume(self._file_chunks())
                if self._ended or not self._pump():
                    break
            if not self._ended:
                raise BadUpload("The upload ended early: the multipart body is incomplete")
            if not self.form.has_file:
                raise BadUpload("No file in the upload: send it in the form field 'file'")
            return self.form
        except BaseException:
            if self.form.file is not None:
                discard(self.form.file)
                self.form.file = None
            raise
