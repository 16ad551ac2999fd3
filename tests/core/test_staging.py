"""stage_stream / stage_file: type from bytes, size limit while streaming, cleanup."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import EmptyFile, FileTooLarge, InvalidFileType, UnreadableFile
from app.core.hashing import sha256_file
from app.core.staging import SNIFF_BYTES, StagedFile, stage_file, stage_stream
from tests.media import Sample, make_jpeg

MiB = 1024 * 1024
HTML = b"<!DOCTYPE html>\n<html><body>" + b"<p>hello</p>\n" * 100


def _jpeg_bytes(tmp_path: Path) -> bytes:
    return make_jpeg(tmp_path, 32, 32, name="seed.jpg").path.read_bytes()


def _assert_staged(staged: StagedFile, data: bytes, dest: Path, sample: Sample) -> None:
    assert staged.path.parent == dest
    assert staged.path.name.startswith(".incoming-") and staged.path.name.endswith(".part")
    assert staged.path.read_bytes() == data
    assert staged.size == len(data)
    assert staged.sha256 == hashlib.sha256(data).hexdigest()
    assert (staged.mime, staged.asset_type, staged.format) == (
        sample.mime,
        sample.asset_type,
        sample.format,
    )


@pytest.mark.parametrize(
    "label", ["jpg", "png", "gif", "webp", "mp4", "mov", "mp3", "wav", "pdf"]
)
def test_stage_file_detects_every_format(
    samples: dict[str, Sample], label: str, work_dir: Path
) -> None:
    sample = samples[label]
    staged = stage_file(sample.path, work_dir)
    _assert_staged(staged, sample.path.read_bytes(), work_dir, sample)
    assert sha256_file(staged.path) == staged.sha256


@pytest.mark.parametrize("chunk", [1, 1000, 64 * 1024 - 1, 3 * MiB])
def test_stage_stream_verdict_does_not_depend_on_chunking(
    samples: dict[str, Sample], chunk: int, work_dir: Path
) -> None:
    sample = samples["mp3"]
    data = sample.path.read_bytes()
    # A first chunk of one byte, then the given size, to shake out buffering bugs.
    pieces = [data[:1]] + [data[i : i + chunk] for i in range(1, len(data), chunk)]
    staged = stage_stream(iter(pieces), work_dir)
    _assert_staged(staged, data, work_dir, sample)


def test_stage_stream_reads_a_binary_file_object(
    samples: dict[str, Sample], work_dir: Path
) -> None:
    sample = samples["pdf"]
    data = sample.path.read_bytes()
    staged = stage_stream(io.BytesIO(data), work_dir)
    _assert_staged(staged, data, work_dir, sample)


def test_dest_dir_is_created(samples: dict[str, Sample], tmp_path: Path) -> None:
    dest = tmp_path / "not" / "yet" / "there"
    staged = stage_file(samples["png"].path, dest)
    assert staged.path.parent == dest and staged.path.exists()


def test_endless_stream_stops_soon_after_the_limit(tmp_path: Path, work_dir: Path) -> None:
    head = _jpeg_bytes(tmp_path)
    consumed = 0

    def forever() -> Iterator[bytes]:
        nonlocal consumed
        first = head + bytes(MiB - len(head))
        consumed += len(first)
        yield first
        while True:
            consumed += MiB
            yield bytes(MiB)

    limit = 5 * MiB
    with pytest.raises(FileTooLarge, match=r"^File too large. Maximum size is 5.0MB$"):
        stage_stream(forever(), work_dir, max_bytes=limit)
    assert limit < consumed <= limit + 2 * MiB
    assert list(work_dir.iterdir()) == []


def test_wrong_type_is_rejected_before_the_rest_is_read(work_dir: Path) -> None:
    chunk = 8 * 1024
    consumed = 0

    def html_forever() -> Iterator[bytes]:
        nonlocal consumed
        while True:
            consumed += chunk
            yield (HTML * 100)[:chunk]

    with pytest.raises(InvalidFileType, match=r"^Invalid file type: text/html\. Allowed: "):
        stage_stream(html_forever(), work_dir)
    assert consumed <= SNIFF_BYTES + chunk
    # Nothing was ever written: the temp file is only created once the type is accepted.
    assert list(work_dir.iterdir()) == []


def test_limit_is_inclusive(tmp_path: Path, work_dir: Path) -> None:
    head = _jpeg_bytes(tmp_path)
    limit = 200 * 1024
    exact = head + bytes(limit - len(head))
    assert stage_stream([exact], work_dir, max_bytes=limit).size == limit
    src = tmp_path / "exact.jpg"
    src.write_bytes(exact)
    assert stage_file(src, work_dir, max_bytes=limit).size == limit

    src.write_bytes(exact + b"\0")
    with pytest.raises(FileTooLarge):
        stage_file(src, work_dir, max_bytes=limit)
    with pytest.raises(FileTooLarge):
        stage_stream(io.BytesIO(exact + b"\0"), work_dir, max_bytes=limit)
    assert len(list(work_dir.iterdir())) == 2  # only the two accepted files


def test_type_verdict_comes_before_size_whichever_way_the_file_arrives(
    tmp_path: Path, work_dir: Path
) -> None:
    big_html = HTML * (2 * MiB // len(HTML))
    src = tmp_path / "big.html.jpg"
    src.write_bytes(big_html)
    with pytest.raises(InvalidFileType):
        stage_file(src, work_dir, max_bytes=MiB)
    with pytest.raises(InvalidFileType):
        stage_stream([big_html], work_dir, max_bytes=MiB)
    assert list(work_dir.iterdir()) == []


@pytest.mark.parametrize("chunks", [[], [b""], [b"", b""]])
def test_empty_stream(chunks: list[bytes], work_dir: Path) -> None:
    with pytest.raises(EmptyFile, match="^File is empty$"):
        stage_stream(iter(chunks), work_dir)
    assert list(work_dir.iterdir()) == []


def test_empty_file(tmp_path: Path, work_dir: Path) -> None:
    src = tmp_path / "nothing.png"
    src.touch()
    with pytest.raises(EmptyFile):
        stage_file(src, work_dir)


def test_temp_file_removed_when_the_source_fails(tmp_path: Path, work_dir: Path) -> None:
    head = _jpeg_bytes(tmp_path)

    def dropped_connection() -> Iterator[bytes]:
        yield head + bytes(MiB)
        yield bytes(MiB)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        stage_stream(dropped_connection(), work_dir)
    assert list(work_dir.iterdir()) == []


def test_small_file_below_sniff_size_is_judged_at_the_end(tmp_path: Path, work_dir: Path) -> None:
    data = _jpeg_bytes(tmp_path)
    assert len(data) < SNIFF_BYTES
    staged = stage_stream([data[:10], data[10:]], work_dir)
    assert staged.format == "jpg" and staged.path.read_bytes() == data


def test_unopenable_sources_are_unreadable(tmp_path: Path, work_dir: Path) -> None:
    with pytest.raises(UnreadableFile, match="^Cannot open file: "):
        stage_file(tmp_path / "missing.jpg", work_dir)
    with pytest.raises(UnreadableFile):
        stage_file(tmp_path, work_dir)  # a folder dropped by mistake
    assert list(work_dir.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
def test_fifo_is_refused_without_blocking(tmp_path: Path, work_dir: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFile, match="^Not a regular file$"):
        stage_file(fifo, work_dir)
