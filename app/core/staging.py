"""Streaming an incoming file into a temp file while checking its type, size and hash."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

import magic

from app.core import id3
from app.core.errors import EmptyFile, FileTooLarge, UnreadableFile
from app.core.formats import DEFAULT_MAX_BYTES, AssetType, classify
from app.core.tempfiles import new_temp

CHUNK_SIZE: Final[int] = 1024 * 1024
# libmagic needs more than the first few bytes for some formats (text vs HTML, MP3
# frames after a long ID3 tag); always judging exactly this much keeps the verdict the
# same however the caller happens to chunk the stream.
SNIFF_BYTES: Final[int] = 64 * 1024
_O_NONBLOCK: Final[int] = getattr(os, "O_NONBLOCK", 0)
_O_BINARY: Final[int] = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


@dataclass(frozen=True)
class StagedFile:
    """A fully received, synced temp file whose bytes are an allowed format."""

    path: Path
    size: int
    sha256: str
    mime: str
    asset_type: AssetType
    format: str


def stage_stream(
    chunks: Iterable[bytes] | BinaryIO, dest_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> StagedFile:
    """Receive chunks (or a binary file object) into a temp file in dest_dir.

    Raises InvalidFileType, FileTooLarge or EmptyFile as soon as the bytes seen so far
    decide it; the temp file never outlives an exception.
    """
    return _stage(_iter_chunks(chunks), dest_dir, max_bytes, declared_size=None)


def stage_file(
    src: Path, dest_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES, *, sync: bool = True
) -> StagedFile:
    """Copy a local file into a temp file in dest_dir, with the same checks as stage_stream.

    A source that cannot be opened or read is an UnreadableFile; errors writing dest_dir
    (a full disk) are not the file's fault and propagate as they are. sync=False leaves
    the fsync to a caller that syncs the copy itself before relying on it (see fsync_file).
    """
    try:
        # Non-blocking, so that opening a FIFO returns at once instead of waiting for a writer.
        fd = os.open(src, os.O_RDONLY | _O_NONBLOCK | _O_BINARY)
    except OSError as exc:
        raise UnreadableFile(f"Cannot open file: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    # A folder, FIFO or device would fail, block or never end; only plain files are imported.
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise UnreadableFile("Not a regular file")
    with os.fdopen(fd, "rb") as f:
        return _stage(_read_source(f), dest_dir, max_bytes, declared_size=info.st_size, sync=sync)


def _read_source(f: BinaryIO) -> Iterator[bytes]:
    while True:
        try:
            chunk = f.read(CHUNK_SIZE)
        except OSError as exc:
            raise UnreadableFile(f"Cannot read file: {exc.strerror or exc}") from None
        if not chunk:
            return
        yield chunk


def _iter_chunks(source: Iterable[bytes] | BinaryIO) -> Iterator[bytes]:
    # A file object is also iterable, but line by line; read it in fixed chunks instead.
    read = getattr(source, "read", None)
    if callable(read):
        while chunk := read(CHUNK_SIZE):
            yield bytes(chunk)
    else:
        for chunk in source:
            if chunk:
                yield bytes(chunk)


class _Sink:
    """Counts, hashes and (once the type is accepted) writes the bytes it is fed."""

    def __init__(
        self, dest_dir: Path, max_bytes: int, declared_size: int | None, sync: bool = True
    ) -> None:
        self.dest_dir = dest_dir
        self.sync = sync
        self.max_bytes = max_bytes
        self.declared_size = declared_size
        self.size = 0
        self.digest = hashlib.sha256()
        self.head = bytearray()
        self.sniff = SNIFF_BYTES  # grows while an ID3 tag hides what follows it
        self.kind: tuple[str, AssetType, str] | None = None
        self.out: BinaryIO | None = None
        self.path: Path | None = None

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.kind is None:
            self.head += chunk
            # The type verdict comes before the size verdict, so a too-large HTML page
            # is "Invalid file type" whichever way it arrives.
            if len(self.head) >= self.sniff or self.size > self.max_bytes:
                self._decide(final=self.size > self.max_bytes)
        elif self.size <= self.max_bytes:
            assert self.out is not None
            self.out.write(chunk)
        if self.size > self.max_bytes:
            raise FileTooLarge(self.max_bytes)
        self.digest.update(chunk)

    def finish(self) -> StagedFile:
        if self.size == 0:
            raise EmptyFile()
        if self.kind is None:
            self._decide(final=True)
        assert self.kind is not None and self.out is not None and self.path is not None
        self.out.flush()
        # The caller renames this file into the library next; it must be on disk first
        # (unless the caller syncs it itself, off the path of the CPU work).
        if self.sync:
            os.fsync(self.out.fileno())
        self.close()
        mime, asset_type, fmt = self.kind
        return StagedFile(self.path, self.size, self.digest.hexdigest(), mime, asset_type, fmt)

    def close(self) -> None:
        if self.out is not None:
            self.out.close()
            self.out = None

    def _decide(self, final: bool = False) -> None:
        head = bytes(self.head)
        mime = _mime(head[:SNIFF_BYTES])
        if mime == _UNNAMED and head.startswith(b"ID3"):
            needed = id3.bytes_needed(head)
            if needed > len(head) and not final:
                self.sniff = needed  # read on to the audio behind the tag, then decide
                return
            if id3.audio_after_tags(head, _mime):
                mime = "audio/mpeg"
        asset_type, fmt = classify(mime)
        self.kind = (mime, asset_type, fmt)
        # A local file's size is known up front: refuse it before copying anything.
        if max(self.size, self.declared_size or 0) > self.max_bytes:
            raise FileTooLarge(self.max_bytes)
        fd, self.path = new_temp(self.dest_dir)
        self.out = os.fdopen(fd, "wb")
        self.out.write(self.head)
        self.head = bytearray()


_UNNAMED: Final[str] = "application/octet-stream"


def _mime(data: bytes) -> str:
    return str(magic.from_buffer(data, mime=True))


def _stage(
    chunks: Iterator[bytes],
    dest_dir: Path,
    max_bytes: int,
    declared_size: int | None,
    sync: bool = True,
) -> StagedFile:
    dest_dir.mkdir(parents=True, exist_ok=True)
    sink = _Sink(dest_dir, max_bytes, declared_size, sync)
    try:
        for chunk in chunks:
            sink.feed(chunk)
        return sink.finish()
    except BaseException:
        sink.close()
        if sink.path is not None:
            sink.path.unlink(missing_ok=True)
        raise
