"""The folder of cached large previews: each file named for its asset, so it can go with it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

CACHE_DIR = "previews"
# <asset uuid>-<16 hex of the file's sha256>-<max side>.jpg, as previews.preview_path names them.
_NAME = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-[0-9a-f]{16}-\d{1,5}\.jpg$")


def preview_name(asset_id: str, sha256: str, max_side: int) -> str:
    return f"{asset_id}-{sha256[:16]}-{int(max_side)}.jpg"


def _cached(folder: Path) -> Iterable[tuple[str, Path]]:
    """(asset id, path) of every preview in folder; other names (temp files, strays) are skipped."""
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    return [(m.group(1), p) for p in entries if (m := _NAME.match(p.name))]


def remove(folder: Path, asset_ids: Iterable[str], keep: str | None = None) -> None:
    """Remove every cached preview of these assets (but the one named keep)."""
    wanted = set(asset_ids)
    if not wanted:
        return
    for asset_id, path in _cached(folder):
        if asset_id in wanted and path.name != keep:
            path.unlink(missing_ok=True)


def remove_stale(folder: Path, asset_id: str, sha256: str) -> None:
    """Remove the asset's previews of earlier files (other hashes); the current ones stay."""
    current = f"{asset_id}-{sha256[:16]}-"
    for owner, path in _cached(folder):
        if owner == asset_id and not path.name.startswith(current):
            path.unlink(missing_ok=True)


def remove_orphans(folder: Path, known: Callable[[list[str]], set[str]]) -> int:
    """Remove previews whose asset known() does not report (deleted by any means); returns how many."""
    by_asset: dict[str, list[Path]] = {}
    for asset_id, path in _cached(folder):
        by_asset.setdefault(asset_id, []).append(path)
    ids = list(by_asset)
    removed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        present = known(chunk)
        for asset_id in chunk:
            if asset_id not in present:
                for path in by_asset[asset_id]:
                    path.unlink(missing_ok=True)
                    removed += 1
    return removed
