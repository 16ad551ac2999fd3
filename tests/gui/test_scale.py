"""A 100,000-asset library: the first frame comes from a count and one page; deep rows load on demand."""

from __future__ import annotations

import time
from collections.abc import Iterator
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert

from app.gui.asset_model import ID_PAGE, RECORD_CACHE
from app.library.models import Asset
from app.library.service import LibraryService

pytestmark = pytest.mark.gui
COUNT = 100_000


def fill(lib: LibraryService, count: int) -> None:
    """Rows only (no files): the grid must cope with the numbers, thumbnails fall back to icons."""
    uid = lib.local_user_id
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    kinds = [("image", "jpg", "image/jpeg"), ("video", "mp4", "video/mp4"),
             ("audio", "mp3", "audio/mpeg"), ("document", "pdf", "application/pdf")]  # fmt: skip
    rows = []
    for n in range(count):
        kind, fmt, mime = kinds[n % 4]
        asset_id = str(uuid.UUID(int=n + 1))
        rows.append(dict(
            id=asset_id, user_id=uid, name=f"asset-{n:06d}.{fmt}", asset_type=kind,
            url=f"/api/v2/assets/{asset_id}", size=1000 + n, uploaded_at=start + timedelta(seconds=n),
            updated_at=start, format=fmt, mime=mime, sha256=f"{n:064x}", change_seq=n + 1,
            width=640 if kind in ("image", "video") else None,
            height=480 if kind in ("image", "video") else None,
            duration=5 if kind in ("video", "audio") else None,
            page_count=3 if kind == "document" else None,
        ))  # fmt: skip
    with lib.writing() as s:
        s.connection().execute(insert(Asset.__table__), rows)


@pytest.fixture
def big_library(tmp_path: Path) -> Iterator[LibraryService]:
    with LibraryService(tmp_path / "library", workers=1) as lib:
        fill(lib, COUNT)
        yield lib


def test_a_huge_library_opens_fast_and_loads_rows_as_they_come_into_view(qtbot, big_library: LibraryService, make_window) -> None:  # type: ignore[no-untyped-def]
    lib = big_library
    began = time.monotonic()
    window = make_window(lib)
    opened = time.monotonic() - began
    model = window.model
    assert model.rowCount() == COUNT
    assert opened < 5.0, f"first frame after {opened:.1f}s"
    # Only the first page of ids is held, and records only for what was shown.
    assert list(model._pages) == [0]
    assert len(model._records) <= 400
    qtbot.waitUntil(lambda: window.grid.indexAt(window.grid.rect().center()).isValid())

    # Jump to the end once the batched layout has placed the last tile where the grid's
    # arithmetic says it goes: painting the last tiles asks for the last page of ids,
    # then for their records.
    grid, last, last_page = window.grid, model.index(COUNT - 1), (COUNT - 1) // ID_PAGE
    first_row_y = grid.rectForIndex(model.index(0)).y()
    cols = sum(1 for r in range(50) if grid.rectForIndex(model.index(r)).y() == first_row_y)
    step = grid.rectForIndex(model.index(cols)).y() - first_row_y
    expected_y = first_row_y + (COUNT - 1) // cols * step

    def at_bottom() -> bool:
        grid.scrollToBottom()
        placed = grid.rectForIndex(last).y() == expected_y
        return placed and grid.viewport().rect().intersects(grid.visualRect(last))

    qtbot.waitUntil(at_bottom, timeout=20_000)
    qtbot.waitUntil(lambda: last_page in model._pages, timeout=10_000)
    last_id = model._pages[last_page][-1]
    qtbot.waitUntil(lambda: model.cached_record(last_id) is not None, timeout=10_000)
    assert model.cached_record(last_id).name == "asset-000000.jpg"  # newest first: oldest last
    assert len(model._pages) <= 3  # the top page and the bottom one, not everything between
    assert len(model._records) <= RECORD_CACHE

    # A filter over the whole library is a count plus one page, too.
    began = time.monotonic()
    window.filter_bar.type_buttons["document"].click()
    qtbot.waitUntil(lambda: model.rowCount() == COUNT // 4 and model.record(0) is not None, timeout=10_000)
    assert time.monotonic() - began < 5.0
    assert model.record(0).asset_type == "document"
    window.grab()  # painting tiles whose thumbnails are missing must not fail
