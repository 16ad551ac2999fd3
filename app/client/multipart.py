"""A multipart/form-data body read from disk in chunks, with a known length (never whole in memory)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

CHUNK = 256 * 1024


def _quote(value: str) -> str:
    # Header parameter values: no quotes, backslashes or line breaks may break out of them.
    return (
        value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    )


class MultipartFile:
    """Form fields then one file part; requests sees __len__ and read() and streams it.

    Make a new one for every attempt: it is read once, front to back.
    """

    def __init__(
        self,
        fields: Sequence[tuple[str, str]],
        file_field: str,
        path: Path,
        filename: str,
        content_type: str = "application/octet-stream",
        progress: Callable[[int, int], None] | None = None,
        boundary: str | None = None,
    ) -> None:
        self.boundary = boundary or f"atelier-{uuid.uuid4().hex}"
        head = bytearray()
        for key, value in fields:
            head += f"--{self.boundary}\r\n".encode()
            head += f'Content-Disposition: form-data; name="{_quote(key)}"\r\n\r\n'.encode()
            head += value.encode("utf-8") + b"\r\n"
        head += f"--{self.boundary}\r\n".encode()
        head += (
            f'Content-Disposition: form-data; name="{_quote(file_field)}"; '
            f'filename="{_quote(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._head = bytes(head)
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._path = path
        self._file_size = os.stat(path).st_size
        self._file: BinaryIO | None = None
        self._stage = 0  # 0 head, 1 file, 2 tail, 3 done
        self._pos = 0
        self._sent = 0
        self._progress = progress
        self.length = len(self._head) + self._file_size + len(self._tail)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(CHUNK):
            yield chunk

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = CHUNK
        out = bytearray()
        while len(out) < size and self._stage < 3:
            want = size - len(out)
            if self._stage == 0:
                piece = self._head[self._pos : self._pos + want]
                self._pos += len(piece)
                if self._pos >= len(self._head):
                    self._stage, self._pos = 1, 0
                    self._file = self._path.open("rb")
            elif self._stage == 1:
                assert self._file is not None
                piece = self._file.read(want)
                if not piece:
                    self._file.close()
                    self._file = None
                    self._stage = 2
            else:
                piece = self._tail[self._pos : self._pos + want]
                self._pos += len(piece)
                if self._pos >= len(self._tail):
                    self._stage = 3
            out += piece
        self._sent += len(out)
        if self._progress is not None and out:
            self._progress(self._sent, self.length)
        return bytes(out)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
