"""Running ffprobe and ffmpeg on untrusted files: file protocol only, forced demuxer, timeout."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any, Final

import ffmpeg

from app.core import reasons
from app.core.bundled import tool_path
from app.core.errors import UnreadableFile

# A frozen build runs the copies it carries; from source, whatever PATH finds.
FFPROBE: Final[str] = tool_path("ffprobe")
FFMPEG: Final[str] = tool_path("ffmpeg")

# Forcing the demuxer that matches the libmagic verdict stops ffmpeg from sniffing the
# bytes as something else (an HLS playlist, a concat script) that could reach other files.
DEMUXERS: Final[dict[str, str]] = {"mp4": "mov", "mov": "mov", "mp3": "mp3", "wav": "wav"}

# Formats whose duration is counted from the packets that exist (see run_ffprobe).
COUNTED_FORMATS: Final[frozenset[str]] = frozenset({"mp3"})

_LOG_PREFIX: Final[re.Pattern[str]] = re.compile(r"^\[[^\]]* @ 0x[0-9a-fA-F]+\]\s*")
_MAX_REASON: Final[int] = 200


def input_url(path: Path) -> str:
    """An explicit file: URL, so a name with a colon is never read as another protocol."""
    return "file:" + str(path.resolve())


def input_stream(path: Path, format: str, **options: Any) -> Any:
    """An ffmpeg-python input node for path with the safety options applied."""
    demuxer = DEMUXERS.get(format)
    if demuxer is None:
        raise UnreadableFile(f"Unsupported media format: {format}")
    return ffmpeg.input(input_url(path), f=demuxer, protocol_whitelist="file", **options)


def run_ffprobe(path: Path, format: str, timeout: float) -> dict[str, Any]:
    """ffprobe's JSON for path's format and streams; UnreadableFile on any failure."""
    demuxer = DEMUXERS.get(format)
    if demuxer is None:
        raise UnreadableFile(f"Unsupported media format: {format}")
    url = input_url(path)
    # An MP3's header (Xing/Info, or the bitrate times the size) estimates its length; a
    # cut-off download keeps the header, so its packets are counted to learn what plays.
    # Demuxing without decoding costs a few ms per minute of audio.
    count = ["-count_packets"] if format in COUNTED_FORMATS else []
    # ffmpeg.probe has no timeout, so the command is run here with the same arguments.
    args = [
        FFPROBE, "-v", "error", "-hide_banner", "-protocol_whitelist", "file",
        "-f", demuxer, *count, "-show_format", "-show_streams", "-of", "json", url,
    ]  # fmt: skip
    result = _run(args, timeout, url)
    try:
        data = json.loads(result.stdout.decode("utf-8", errors="replace"))
    except ValueError:
        raise UnreadableFile("ffprobe returned unreadable output") from None
    if not isinstance(data, dict):
        raise UnreadableFile("ffprobe returned unreadable output")
    return data


def run_ffmpeg(stream: Any, timeout: float, path: Path) -> bytes:
    """Run an ffmpeg-python output node whose output is pipe:, returning its stdout."""
    args: list[str] = (
        stream.global_args("-nostdin", "-hide_banner", "-loglevel", "error").compile(cmd=FFMPEG)
    )
    return _run(args, timeout, input_url(path)).stdout


def _run(args: list[str], timeout: float, url: str) -> subprocess.CompletedProcess[bytes]:
    try:
        result = subprocess.run(
            args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has already killed the child; the file is treated as hostile.
        raise UnreadableFile(f"Timed out after {timeout:g} s while reading the media") from None
    except OSError as exc:
        raise UnreadableFile(f"Cannot run {args[0]}: {exc.strerror or exc}") from None
    if result.returncode != 0:
        raise UnreadableFile(reasons.explain(last_error_line(result.stderr, url), "ffmpeg"))
    return result


def last_error_line(stderr: bytes, url: str) -> str:
    """The most telling line of ffmpeg's stderr, without log prefixes or the temp path."""
    lines: list[str] = []
    summary = ""
    for raw in stderr.decode("utf-8", errors="replace").splitlines():
        line = _LOG_PREFIX.sub("", raw.strip())
        if line.startswith(url + ":"):
            # "<url>: Invalid data found..." repeats a generic verdict; the line before it
            # usually says why, so it is kept only as a fallback.
            summary = line[len(url) + 1 :].strip()
            continue
        line = line.replace(url, "input")
        if line:
            lines.append(line)
    reason = lines[-1] if lines else summary
    return reason[:_MAX_REASON]
