"""The streaming JSON/base64 reader: fields, data URLs, escapes, any chunking, and no buffering."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import FileTooLarge
from app.core.staging import stage_stream
from app.server.v1.jsonbody import Base64Decoder, BodyError, JsonObjectReader
from tests.media import make_jpeg

PAYLOAD = os.urandom(5000)


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def read(body: bytes, size: int = 7) -> tuple[dict[str, object], bytes | None]:
    reader = JsonObjectReader(pieces(body, size))
    decoded = reader.parse(lambda it: b"".join(it))
    return reader.fields, decoded


@pytest.mark.parametrize("size", [1, 2, 3, 5, 64, 100_000])
def test_fields_and_payload_survive_any_chunking(size: int) -> None:
    body = json.dumps(
        {
            "type": "face",
            "base64": "data:image/jpeg;base64," + base64.b64encode(PAYLOAD).decode(),
            "filename": "ça va.jpg",
            "description": 'quote " and \\ and \u00e9',
            "extra": {"nested": [1, 2, {"x": "}"}]},
            "n": 12.5,
            "flag": True,
            "none": None,
        }
    ).encode()
    fields, decoded = read(body, size)
    assert decoded == PAYLOAD
    assert fields == {
        "type": "face",
        "filename": "ça va.jpg",
        "description": 'quote " and \\ and \u00e9',
        "extra": {"nested": [1, 2, {"x": "}"}]},
        "n": 12.5,
        "flag": True,
        "none": None,
    }


def test_plain_base64_after_the_other_fields() -> None:
    body = b'{ "type" : "template" ,\n "base64":"' + base64.b64encode(PAYLOAD) + b'" }  \n'
    fields, decoded = read(body)
    assert decoded == PAYLOAD and fields == {"type": "template"}


def test_escaped_slashes_line_breaks_missing_padding_and_urlsafe_letters() -> None:
    text = base64.b64encode(PAYLOAD).decode()
    wrapped = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    escaped = json.dumps(wrapped).replace("/", "\\/")  # as PHP's json_encode writes it
    assert read(b'{"base64": ' + escaped.encode() + b"}")[1] == PAYLOAD
    unpadded = base64.b64encode(PAYLOAD[:-1]).rstrip(b"=")
    assert read(b'{"base64": "' + unpadded + b'"}')[1] == PAYLOAD[:-1]
    urlsafe = base64.urlsafe_b64encode(PAYLOAD)
    assert read(b'{"base64": "' + urlsafe + b'"}')[1] == PAYLOAD


def test_unicode_escape_inside_base64() -> None:
    assert read(b'{"base64": "\\u0041\\u0041\\u003d\\u003d"}')[1] == b"\x00"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "ends too early"),
        (b"[]", "expected '{'"),
        (b'{"base64": "AAAA"', "ends too early"),
        (b'{"base64": "AAAA', "ends inside a string"),
        (b'{"base64": "AA!A"}', "Invalid base64"),
        (b'{"base64": "AAA=AAAA"}', "Invalid base64"),
        (b'{"base64": "A"}', "truncated"),
        (b'{"base64": "data:image/png,abc"}', "only ';base64'"),
        (b'{"base64": "data:image/png;base64"}', "no ','"),
        (b'{"base64": "AAAA", "base64": "AAAA"}', "appears twice"),
        (b'{"base64": "AAAA"} {}', "extra data"),
        (b'{"type": face}', "Invalid JSON"),
        (b'{"type": "face" "x": 1}', "expected ',' or '}'"),
        (b'{1: 2}', "keys must be strings"),
    ],
)
def test_malformed_bodies_get_a_reason(body: bytes, message: str) -> None:
    with pytest.raises(BodyError, match=message):
        read(body)


def test_non_string_base64_is_left_to_validation() -> None:
    fields, decoded = read(b'{"base64": 42, "type": "face"}')
    assert decoded is None and fields == {"base64": 42, "type": "face"}


def test_other_fields_are_bounded() -> None:
    body = b'{"description": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    with pytest.raises(BodyError, match="too large"):
        read(body, 65536)


def test_decoder_rejects_data_after_padding_across_pieces() -> None:
    decoder = Base64Decoder()
    assert decoder.feed(b"AA==") == b"\x00"
    with pytest.raises(BodyError):
        decoder.feed(b"AAAA")


def test_a_huge_body_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    """A 2 GB base64 body: decoding stops at the size limit, having read only that far."""
    pulled = 0
    head = make_jpeg(tmp_path).path.read_bytes()
    head += bytes(-len(head) % 3)
    line = base64.b64encode(bytes(3 * 21845))  # 64 KB of zeros, no padding

    def body() -> Iterator[bytes]:
        nonlocal pulled
        yield b'{"type": "face", "base64": "' + base64.b64encode(head)
        for _ in range(2 * 1024 * 1024 * 1024 // len(line)):
            pulled += len(line)
            yield line
        yield b'"}'

    limit = 1024 * 1024
    staging = tmp_path / "staging"
    reader = JsonObjectReader(body())
    with pytest.raises(FileTooLarge):
        reader.parse(lambda it: stage_stream(it, staging, limit))
    assert pulled < limit * 2  # the rest of the 2 GB was never pulled, let alone held
    assert list(staging.iterdir()) == []
