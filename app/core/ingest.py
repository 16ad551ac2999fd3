"""The whole check of one incoming file: stage, probe, thumbnail; nothing kept on failure."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from app.core import logs
from app.core.formats import DEFAULT_MAX_BYTES
from app.core.looks import Looks, looks
from app.core.probe import MediaInfo, probe
from app.core.staging import StagedFile, stage_file
from app.core.tempfiles import THUMB_PREFIX, THUMB_SUFFIX, fsync_file, new_temp
from app.core.thumbnails import make_thumbnail

# Image formats that cannot carry transparency, whose thumbnail has every colour they have.
_OPAQUE_FORMATS = frozenset({"jpg"})


@dataclass(frozen=True)
class Ingested:
    """A file that passed every check, waiting in the work dir to be moved into place."""

    staged: StagedFile
    info: MediaInfo
    thumb_path: Path
    looks: Looks = field(default_factory=Looks)  # palette and hash of the thumbnail

    def fsync(self) -> None:
        """Flush both files to disk: for an ingest run with sync=False, before placing them."""
        fsync_file(self.staged.path)
        fsync_file(self.thumb_path)

    def discard(self) -> None:
        """Remove both temp files, e.g. when the caller decides not to keep the asset."""
        self.staged.path.unlink(missing_ok=True)
        self.thumb_path.unlink(missing_ok=True)


def analyze(staged: StagedFile, timeout: float = 30.0, *, sync: bool = True) -> Ingested:
    """Probe a staged file and make its thumbnail beside it.

    On any failure both temp files are removed and the error (a RejectedFile for
    anything wrong with the file) propagates. sync=False leaves the thumbnail unsynced,
    for a caller that calls Ingested.fsync() before placing it.
    """
    thumb: Path | None = None
    try:
        info = probe(staged.path, staged.asset_type, staged.format, staged.mime, timeout)
        # Reserve a unique name now; make_thumbnail replaces it atomically.
        fd, thumb = new_temp(staged.path.parent, THUMB_PREFIX, THUMB_SUFFIX)
        os.close(fd)
        picture = make_thumbnail(staged.path, info, thumb, timeout, sync=sync)
        return Ingested(staged, info, thumb, looks(picture, info.asset_type))
    except BaseException:
        staged.path.unlink(missing_ok=True)
        if thumb is not None:
            thumb.unlink(missing_ok=True)
        raise


def ingest_path(
    src: Path,
    work_dir: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 30.0,
    sync: bool = True,
) -> Ingested:
    """stage_file then analyze; a plain function of picklable values, for process pools.

    sync=False skips both fsyncs, so that a worker's core never waits for the disk; the
    caller must then call Ingested.fsync() before moving the files into place.
    """
    logs.follow_parent()  # a spawned worker logs where its parent does, not on the terminal
    return analyze(stage_file(src, work_dir, max_bytes, sync=sync), timeout, sync=sync)


def warm_up() -> None:
    """Nothing; a new worker process that runs it has loaded this module and its decoders."""


def read_looks(
    path: Path, format: str, thumb: Path, asset_type: str, timeout: float = 30.0
) -> tuple[dict[str, object], Looks]:
    """Metadata of a file already in the library and the looks of its stored thumbnail.

    For libraries made before metadata was read at import (the backfill); the thumbnail
    is reused where it holds every colour, so a photo is not decoded again. An image
    that can be transparent is read from its original instead: its thumbnail is flattened
    on white, and white is no colour of a logo on a transparent ground.
    """
    from PIL import Image

    from app.core.formats import FORMAT_MIME
    from app.core.thumbnails import image_picture

    mime = FORMAT_MIME.get(format, "application/octet-stream")
    info = probe(path, asset_type, format, mime, timeout)  # type: ignore[arg-type]
    if asset_type == "image" and format not in _OPAQUE_FORMATS:
        return dict(info.extra), looks(image_picture(path, format), asset_type)
    try:
        with Image.open(thumb) as im:
            im.load()
            look = looks(im, asset_type)
    except OSError:
        look = Looks()
    return dict(info.extra), look
