"""Small pure pieces of the server: Range judging, Content-Disposition, the streaming form reader."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from app.server.errors import BadUpload
from app.server.files import content_disposition, download_name, judge_range
from app.server.multipart import MultipartReader


@pytest.mark.parametrize(
    "header,expected",
    [
        (None, (None, False)),
        ("bytes=0-99", ("bytes=0-99", False)),
        ("bytes=0-", ("bytes=0-99", False)),
        ("bytes=-10", ("bytes=90-99", False)),
        ("bytes=-500", ("bytes=0-99", False)),
        ("bytes=90-200", ("bytes=90-99", False)),
        ("bytes=0-1, 4-5", ("bytes=0-1,4-5", False)),
        ("bytes=0-1,200-300", ("bytes=0-1", False)),  # the unsatisfiable part is dropped
        ("bytes=100-", (None, True)),
        ("bytes=-0", (None, True)),
        ("bytes=5-3", (None, False)),  # malformed: ignored, the whole file is sent
        ("bytes=abc", (None, False)),
        ("bytes=", (None, False)),
        ("pages=0-1", (None, False)),
        ("bytes=" + ",".join(["0-0"] * 17), (None, False)),
    ],
)
def test_judge_range(header: str | None, expected: tuple[str | None, bool]) -> None:
    assert judge_range(header, 100) == expected


@pytest.mark.parametrize(
    "name,expected",
    [
        ("logo.png", "inline; filename=\"logo.png\"; filename*=UTF-8''logo.png"),
        ("Café menu.pdf", "inline; filename=\"Cafe menu.pdf\"; filename*=UTF-8''Caf%C3%A9%20menu.pdf"),
        ("日本.jpg", "inline; filename=\"file.jpg\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.jpg"),
        ('a"b\\c.mp4', "inline; filename=\"a_b_c.mp4\"; filename*=UTF-8''a%22b%5Cc.mp4"),
    ],
)
def test_content_disposition(name: str, expected: str) -> None:
    assert content_disposition(name) == expected
    assert content_disposition(name).isascii()


def test_download_name_adds_a_missing_extension() -> None:
    assert download_name("Company Logo", "png") == "Company Logo.png"
    assert download_name("photo.JPEG", "jpg") == "photo.JPEG"
    assert download_name("clip.mov", "mov") == "clip.mov"


BOUNDARY = b"XyZ"


def _body(file_data: bytes) -> bytes:
    return (
        b"--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nHello\r\n"
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n"
        b"Content-Type: application/octet-stream\r\n\r\n" + file_data + b"\r\n"
        b"--XyZ\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\n[\"a\"]\r\n"
        b"--XyZ\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nb\r\n"
        b"--XyZ--\r\n"
    )


def _chunks(data: bytes, rng: random.Random) -> Iterator[bytes]:
    position = 0
    while position < len(data):
        size = rng.choice([1, 2, 7, 64, 1000, 65536])
        yield data[position : position + size]
        position += size


@pytest.mark.parametrize("seed", range(5))
def test_reader_streams_the_file_whatever_the_chunking(seed: int) -> None:
    rng = random.Random(seed)
    # Bytes that look like boundaries and CRLFs inside the file must come through untouched.
    file_data = b"\r\n--XyZ" + rng.randbytes(200_000) + b"\r\n--Xy\r\n"
    seen: list[int] = []

    def consume(chunks: Iterator[bytes]) -> bytes:
        parts = []
        for chunk in chunks:
            seen.append(len(chunk))
            parts.append(chunk)
        return b"".join(parts)

    form = MultipartReader(BOUNDARY, _chunks(_body(file_data), rng)).read(consume, lambda _: None)
    assert form.file == file_data
    assert form.filename == "f.bin"
    assert form.fields["name"] == "Hello"
    assert form.values["tags"] == ['["a"]', "b"]
    assert max(seen) <= 65536 + 1000  # handed on as it arrives, never gathered whole


def test_reader_discards_an_accepted_file_when_the_rest_is_bad() -> None:
    discarded: list[bytes] = []
    second = b'--XyZ\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--XyZ--\r\n'
    body = _body(b"data").replace(b"--XyZ--\r\n", second)
    # The second file part arrives after the first was taken whole.
    split = body.index(b'name="file"\r\n\r\nx')
    with pytest.raises(BadUpload, match="Only one file can be uploaded at a time"):
        MultipartReader(BOUNDARY, iter([body[:split], body[split:]])).read(
            lambda chunks: b"".join(chunks), discarded.append
        )
    assert discarded == [b"data"]


def test_reader_refuses_an_incomplete_body() -> None:
    body = _body(b"data")[:-10]
    with pytest.raises(BadUpload, match="ended early"):
        MultipartReader(BOUNDARY, iter([body])).read(lambda chunks: b"".join(chunks), lambda _: None)


def test_a_second_opener_leaves_the_first_ones_work_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The window has the library open and is importing; a server starting on it must not
    sweep the window's files in assets/.incoming as crash debris."""
    from app.library.service import LibraryService

    first = LibraryService(tmp_path / "lib")
    in_flight = first.storage.staging_dir / ".incoming-abc.part"
    in_flight.write_bytes(b"half a file")
    second = LibraryService(tmp_path / "lib")
    assert in_flight.exists()
    second.close()
    first.close()
    # Alone again (as after a crash): now it is debris.
    LibraryService(tmp_path / "lib").close()
    assert not in_flight.exists()
