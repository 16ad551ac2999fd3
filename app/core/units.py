"""Human-readable sizes, shared by the CLI, the window and sync's plans."""

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
