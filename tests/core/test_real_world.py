"""Real-world media: tagged and cut-off MP3s, and decoder messages told in Atelier's words."""

from __future__ import annotations

import io
import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import magic
import pypdf
import pytest

from app.core.errors import InvalidFileType, UnreadableFile
from app.core.ingest import analyze
from app.core.probe import _pdfium_page_count, probe
from app.core.staging import stage_file, stage_stream
from app.core.thumbnails import _pdf_page, make_thumbnail
from tests.media import ffmpeg, id3v24_tag, make_mp4, make_pdf, make_tagged_mp3

TAGS = {
    "extended header and footer": id3v24_tag(extended=True, footer=True),
    "extended header left out of the size": id3v24_tag(size_counts_extended=False),
    "extended header and 200 KB of cover art": id3v24_tag(padding=200 * 1024),
    "extended header, padding after the tag": id3v24_tag() + bytes(700),
}


@pytest.mark.parametrize("label", list(TAGS))
def test_mp3_behind_an_id3v24_extended_header_is_accepted(
    tmp_path: Path, work_dir: Path, label: str
) -> None:
    sample = make_tagged_mp3(tmp_path, TAGS[label])
    data = sample.path.read_bytes()
    # The ground truth: libmagic describes the tag but names no type; ffprobe plays it.
    assert magic.from_buffer(data[: 64 * 1024], mime=True) == "application/octet-stream"
    assert "ID3 version 2.4.0" in magic.from_buffer(data[: 64 * 1024])
    staged = stage_file(sample.path, work_dir)
    assert (staged.mime, staged.asset_type, staged.format) == ("audio/mpeg", "audio", "mp3")
    # The same verdict however the bytes arrive.
    chunks = [data[i : i + 1000] for i in range(0, len(data), 1000)]
    streamed = stage_stream(iter(chunks), work_dir)
    assert streamed.format == "mp3" and streamed.sha256 == staged.sha256
    streamed.path.unlink()
    done = analyze(staged)
    assert done.info.duration == sample.duration
    done.discard()


def test_id3_tag_in_front_of_something_else_is_still_refused(work_dir: Path, tmp_path: Path) -> None:
    fake = tmp_path / "page.mp3"
    fake.write_bytes(id3v24_tag(footer=True) + b"<!DOCTYPE html><html><body>hi</body></html>\n" * 50)
    with pytest.raises(InvalidFileType, match="application/octet-stream"):
        stage_file(fake, work_dir)
    assert list(work_dir.iterdir()) == []


def test_cut_off_mp3_reports_what_plays_not_its_header(tmp_path: Path) -> None:
    full = tmp_path / "full.mp3"
    ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=440:duration=40:sample_rate=44100",
        "-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3", str(full),
    )  # fmt: skip
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 4])
    header = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(cut)],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    # The ground truth: the Xing header still claims the whole 40 s.
    assert float(json.loads(header.stdout)["format"]["duration"]) > 39
    assert probe(cut, "audio", "mp3", "audio/mpeg").duration == 10
    assert probe(full, "audio", "mp3", "audio/mpeg").duration == 40


def _no_internals(message: str) -> None:
    for word in ("seek", "frame size", "filters", "PDFium", "pypdf", "bomb", "DOS", "0x"):
        assert word.lower() not in message.lower(), message


def test_mp3_cut_inside_its_first_frame(tmp_path: Path) -> None:
    whole = make_tagged_mp3(tmp_path, id3v24_tag(extended=False))
    broken = tmp_path / "stub.mp3"
    broken.write_bytes(whole.path.read_bytes()[:300])  # ffmpeg: "Could not seek to ..."
    with pytest.raises(UnreadableFile) as caught:
        probe(broken, "audio", "mp3", "audio/mpeg")
    assert str(caught.value) == "Cannot read audio: the file is damaged or incomplete"
    _no_internals(str(caught.value))


def test_video_whose_frames_are_noise(tmp_path: Path) -> None:
    sample = make_mp4(tmp_path, 160, 120, seconds=2.0)
    data = bytearray(sample.path.read_bytes())
    box = data.find(b"mdat") - 4
    (size,) = struct.unpack(">I", data[box : box + 4])
    start, end = box + 16, box + size  # the frames, not the index that may follow them
    data[start:end] = os.urandom(end - start)  # ffmpeg: "Error marking filters as finished"
    sample.path.write_bytes(bytes(data))
    info = probe(sample.path, "video", "mp4", "video/mp4")  # the header is intact
    with pytest.raises(UnreadableFile) as caught:
        make_thumbnail(sample.path, info, tmp_path / "thumb.jpg", 30.0)
    assert str(caught.value) == "Cannot decode video: the file is damaged or incomplete"


def test_pillow_bomb_sentence_is_not_shown(tmp_path: Path) -> None:
    # A 10x10 GIF whose first frame claims 40000x40000 pixels: Pillow raises its
    # "could be decompression bomb DOS attack" error while opening it.
    gif = (
        b"GIF89a" + struct.pack("<HHBBB", 10, 10, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
        + b"," + struct.pack("<HHHHB", 0, 0, 40000, 40000, 0) + b"\x02\x02\x44\x01\x00;"
    )  # fmt: skip
    path = tmp_path / "bomb.gif"
    path.write_bytes(gif)
    with pytest.raises(UnreadableFile) as caught:
        probe(path, "image", "gif", "image/gif")
    assert str(caught.value) == "Cannot read image: it is too large to process safely"


@pytest.mark.parametrize("algorithm", ["RC4-40", "RC4-128"])
def test_one_password_message_for_every_encryption(tmp_path: Path, algorithm: str) -> None:
    plain = make_pdf(tmp_path, pages=1)
    writer = pypdf.PdfWriter(clone_from=plain.path)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm=algorithm)
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as f:
        writer.write(f)
    expected = "Cannot read PDF: it is protected by a password"
    with pytest.raises(UnreadableFile, match=f"^{expected}$"):
        probe(locked, "document", "pdf", "application/pdf")
    # PDFium reads AES files pypdf cannot; its "Incorrect password error" says the same.
    with pytest.raises(UnreadableFile, match=f"^{expected}$"):
        _pdfium_page_count(locked)
    with pytest.raises(UnreadableFile, match="^Cannot render PDF: it is protected by a password$"):
        _pdf_page(locked)


def test_library_log_lines_go_to_the_log_file_not_the_terminal(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path, pages=2)
    data = plain.path.read_bytes()
    broken = tmp_path / "badxref.pdf"
    broken.write_bytes(
        re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n%d" % (int(m.group(1)) + 7), data)
    )
    log = tmp_path / "logs" / "atelier.log"
    env = {**os.environ, "ATELIER_DATA_DIR": str(tmp_path / "lib"), "ATELIER_LOG_FILE": str(log)}
    out = subprocess.run(
        [sys.executable, "-m", "app", "import", str(broken)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "Imported 1" in out.stdout
    assert out.stderr == ""
    assert "incorrect startxref pointer" in log.read_text(encoding="utf-8")


def test_decoder_messages_are_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(40)).getvalue())
    with caplog.at_level("INFO", logger="atelier.media"), pytest.raises(UnreadableFile):
        probe(path, "image", "png", "image/png")
    assert any("said:" in r.getMessage() for r in caplog.records)
