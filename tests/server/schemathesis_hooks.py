"""Loaded by the schemathesis CLI (SCHEMATHESIS_HOOKS): real files for the upload's `file` part.

The server judges a file by its bytes, so random bytes are always refused; with these,
generated uploads also succeed and later operations get real assets to work on.
"""

from __future__ import annotations

import os
from pathlib import Path

import schemathesis
from hypothesis import strategies as st

SAMPLES_ENV = "ATELIER_ST_SAMPLES"
_MIME_BY_SUFFIX = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".pdf": "application/pdf",
}

_folder = Path(os.environ[SAMPLES_ENV])
for _path in sorted(_folder.iterdir()):
    _mime = _MIME_BY_SUFFIX.get(_path.suffix)
    if _mime is not None:
        schemathesis.openapi.media_type(_mime, st.just(_path.read_bytes()))
