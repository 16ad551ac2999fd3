"""Large previews (images, a PDF's first page) made on demand and cached beside the library."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

from app.core.tempfiles import new_temp
from app.core.thumbnails import make_preview
from app.library import preview_cache
from app.library.records import AssetRecord
from app.library.service import LibraryService
from app.library.storage import validate_uuid

PREVIEW_MAX = 1600
# One render of a given preview at a time: a page of viewers asking at once waits for it.
_RENDERING = threading.Lock()


def preview_path(lib: LibraryService, record: AssetRecord, max_side: int = PREVIEW_MAX) -> Path | None:
    """The cached preview JPEG (made now if missing); None for types without one (video, audio).

    The name carries the file's hash, so a replaced file gets a new preview, and making it
    removes the stale ones; deleting the asset removes them all (Storage.remove).
    """
    if record.asset_type not in ("image", "document"):
        return None
    folder = lib.storage.previews_dir
    folder.mkdir(exist_ok=True)
    asset_id = validate_uuid(record.id)
    dest = folder / preview_cache.preview_name(asset_id, record.sha256, max_side)
    if dest.exists():
        return dest
    with _RENDERING:
        if dest.exists():
            return dest
        stored = lib.stored_file(record)
        if stored is None:
            return None
        if stored.path is not None:
            make_preview(stored.path, record.asset_type, record.format, dest, max_side)
        else:
            # An object store: the decoders need a seekable local file.
            fd, tmp = new_temp(lib.storage.staging_dir, "preview-", f".{record.format}")
            try:
                with open(fd, "wb") as out, stored.open() as src:
                    shutil.copyfileobj(src, out, 1024 * 1024)
                make_preview(tmp, record.asset_type, record.format, dest, max_side)
            finally:
                tmp.unlink(missing_ok=True)
        preview_cache.remove_stale(folder, asset_id, record.sha256)
    return dest
