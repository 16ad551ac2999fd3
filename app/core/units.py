"""Human-readable sizes and durations, shared by the CLI, the window and sync's plans."""

from __future__ import annotations


def human_size(size: int | None, unknown: str = "—") -> str:
    """512 bytes, 56.6 KB, 1.2 GB; `unknown` when the size is not known."""
    if size is None:
        return unknown
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def human_duration(seconds: int | None, unknown: str = "—") -> str:
    """1:05 or 1:02:03 (whole seconds); `unknown` when the duration is not known."""
    if seconds is None:
        return unknown
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
