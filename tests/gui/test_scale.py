"""A 100,000-asset library: the first frame comes from a count and one page; deep rows load on demand."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.gui.asset_model import ID_PAGE, RECORD_CACHE
from app.library.models import Asset
from app.library.service import LibraryService

pytestmark = pytest.mark.gui
COUNT = 100_000


def fill(lib: LibraryService, count: int) -> None:
    """Rows only (no files): the grid must cope with the numbers, thumbnails fall back to icons.

    Straight SQL, in the format the library's SQLite columns use, because building 100,000
    ORM parameter sets takes longer than the test itself.
    """
    uid = lib.local_user_id
    start = datetime(2024, 1, 1)
    kinds = [("image", "jpg", "image/jpeg"), ("video", "mp4", "video/mp4"),
             ("audio", "mp3", "audio/mpeg"), ("document", "pdf", "application/pdf")]  # fmt: skip
    rows = []
    for n in range(count):
        kind, fmt, mime = kinds[n % 4]
        asset_id = str(uuid.UUID(int=n + 1))
        when = (start + timedelta(seconds=n)).strftime("%Y-%m-%d %H:%M:%S.%f")
        visual = kind in ("image", "video")
        rows.append((
            asset_id, uid, f"asset-{n:06d}.{fmt}", kind, f"/api/v2/assets/{asset_id}", 1000 + n, when,
            when, fmt, mime, f"{n:064x}", n + 1, 640 if visual else None, 480 if visual else None,
            5 if kind in ("video", "audio") else None, 3 if kind == "document" else None,
        ))  # fmt: skip
    columns = ("id, user_id, name, asset_type, url, size, uploaded_at, updated_at, format, mime, "
               "sha256, change_seq, width, height, duration, page_count")  # fmt: skip
    with lib.writing() as s:
        s.connection().exec_driver_sql(
            f"INSERT INTO {Asset.__tablename__} ({columns}) VALUES ({', '.join('?' * 16)})", rows
        )


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
    grid, last, last_page = window.grid, model.index(COUNT - 1, 0), (COUNT - 1) // ID_PAGE
    first_row_y = grid.rectForIndex(model.index(0, 0)).y()
    cols = sum(1 for r in range(50) if grid.rectForIndex(model.index(r, 0)).y() == first_row_y)
    step = grid.rectForIndex(model.index(cols, 0)).y() - first_row_y
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
    assert window.grid.verticalScrollBar().value() == 0  # a new filter starts at the top
    window.grab()  # painting tiles whose thumbnails are missing must not fail
