"""Changes from another process arrive as rows inserted and removed in place, never a reset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QItemSelectionModel

from app.gui.main_window import MainWindow
from app.library.service import LibraryService
from tests.gui.test_scale import fill

pytestmark = pytest.mark.gui
ROWS = 3_000


@pytest.fixture
def many(tmp_path: Path) -> Iterator[LibraryService]:
    with LibraryService(tmp_path / "library", workers=1) as lib:
        fill(lib, ROWS)
        yield lib


def _pictures(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for n in range(count):
        path = folder / f"new-{n}.png"
        Image.new("RGB", (32, 24), (40 * n % 255, 90, 200)).save(path)
        paths.append(path)
    return paths


class _Signals:
    """Counts the structural signals a model sends."""

    def __init__(self, window: MainWindow) -> None:
        self.resets = self.inserted = self.removed = 0
        model = window.model
        model.modelReset.connect(lambda: self._bump("resets"))
        model.rowsInserted.connect(lambda *_: self._bump("inserted"))
        model.rowsRemoved.connect(lambda *_: self._bump("removed"))

    def _bump(self, name: str) -> None:
        setattr(self, name, getattr(self, name) + 1)


def _select(window: MainWindow, row: int) -> str:
    index = window.model.index(row, 0)
    window.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    asset_id = window.model.asset_id(row)
    assert asset_id is not None
    return asset_id


def _settle(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Wait until the batched layout has placed every row (the scroll range is final)."""
    grid = window.grid
    last = window.model.index(window.model.rowCount() - 1, 0)
    qtbot.waitUntil(lambda: grid.rectForIndex(last).isValid() and grid.rectForIndex(last).y() > 0, timeout=10_000)


def test_an_outside_import_inserts_rows_and_keeps_selection_and_what_is_in_view(qtbot, many, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(many)
    model, grid = window.model, window.grid
    _settle(qtbot, window)
    chosen = _select(window, 700)
    grid.scrollTo(model.index(700, 0))
    qtbot.waitUntil(lambda: grid.viewport().rect().intersects(grid.visualRect(model.index(700, 0))))
    top_before = grid.visualRect(model.index(700, 0)).top()
    signals = _Signals(window)

    with LibraryService(many.data_dir, workers=1) as other:  # another connection: as another process
        report = other.import_paths(_pictures(tmp_path / "in", 5))
    assert len(report.imported) == 5
    qtbot.waitUntil(lambda: model.rowCount() == ROWS + 5, timeout=2_000)
    _settle(qtbot, window)

    assert signals.resets == 0 and signals.inserted >= 1
    assert grid.selected_ids() == [chosen] and grid.current_id() == chosen
    row = model.row_of(chosen)
    assert row == 705  # newest first: the five new ones came in above it
    # The tile being looked at stays where it was on screen (same row of tiles, same height).
    qtbot.waitUntil(lambda: abs(grid.visualRect(model.index(705, 0)).top() - top_before) <= grid.visualRect(model.index(0, 0)).height(), timeout=2_000)
    qtbot.waitUntil(lambda: model.record(0) is not None and model.record(0).name.startswith("new-"), timeout=2_000)


def test_at_the_top_new_rows_show_at_the_top(qtbot, many, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(many)
    model, grid = window.model, window.grid
    _settle(qtbot, window)
    signals = _Signals(window)
    with LibraryService(many.data_dir, workers=1) as other:
        other.import_paths(_pictures(tmp_path / "in", 2))
    qtbot.waitUntil(lambda: model.rowCount() == ROWS + 2, timeout=2_000)
    assert signals.resets == 0
    assert grid.verticalScrollBar().value() == 0
    qtbot.waitUntil(lambda: model.record(1) is not None and model.record(1).name.startswith("new-"), timeout=2_000)


def test_an_outside_delete_removes_rows_and_keeps_the_selection(qtbot, many, make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window(many)
    model, grid = window.model, window.grid
    _settle(qtbot, window)
    chosen = _select(window, 300)
    gone = [model.asset_id(r) for r in (10, 11, 1_500)]
    signals = _Signals(window)
    with LibraryService(many.data_dir, workers=1) as other:
        assert other.delete_assets([i for i in gone if i]) == 3
    qtbot.waitUntil(lambda: model.rowCount() == ROWS - 3, timeout=2_000)
    assert signals.resets == 0 and signals.removed >= 1
    assert grid.selected_ids() == [chosen]
    assert model.row_of(chosen) == 298
    assert all(model.row_of(i) is None for i in gone if i)


def test_a_sidebar_reload_repaints_only_the_entries_whose_counts_changed(qtbot, showcase) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from app.gui.sidebar import SidebarData, SidebarModel
    from app.library.records import AssetQuery

    lib, _ = showcase
    uid = lib.local_user_id
    clients, campaigns = lib.list_clients(uid), lib.list_campaigns(None, uid)
    total = lib.count_assets(AssetQuery(user_id=uid))
    model = SidebarModel()
    assert model.populate(SidebarData(total, 1, clients, campaigns))
    repainted: list[str] = []
    model.dataChanged.connect(lambda top, _bottom, *_: repainted.append(model.entry(top).name))  # type: ignore[union-attr]
    bumped = [replace(clients[0], asset_count=clients[0].asset_count + 1), *clients[1:]]
    assert not model.populate(SidebarData(total + 1, 1, bumped, campaigns))
    assert sorted(repainted) == sorted(["All assets", clients[0].name])


def _apply(old: list[str], ops: list[tuple[str, int, int]], new: list[str]) -> list[str | None]:
    """Rows after the operations, with inserted rows filled from `new` (None past the window)."""
    rows: list[str | None] = list(old)
    for what, row, n in ops:
        if what == "insert":
            rows[row:row] = [None] * n
        else:
            del rows[row : row + n]
    return [new[i] if i < len(new) else r for i, r in enumerate(rows)]


@pytest.mark.parametrize(
    ("old", "new", "old_open", "new_open", "ops"),
    [
        # New rows at the top of a long list: the last ones of the window shift past its end.
        (list("abcdef"), list("XYabcd"), True, True, [("insert", 0, 2)]),
        # A row deleted in the middle: one shifts in from past the end, it is not an insertion.
        (list("abcdef"), list("abdefg"), True, True, [("remove", 2, 1)]),
        # The whole list is in the window: its end is real.
        (list("abcd"), list("aXbd"), False, False, [("insert", 1, 1), ("remove", 3, 1)]),
        (list("abcd"), list("abcdXY"), False, False, [("insert", 4, 2)]),
        (list("abcd"), list("abcd"), False, False, []),
    ],
)
def test_window_ops_turn_the_old_window_into_the_new(old, new, old_open, new_open, ops) -> None:  # type: ignore[no-untyped-def]
    from app.gui.row_diff import window_ops

    got = window_ops(old, new, old_open=old_open, new_open=new_open)
    assert got == ops
    past_the_end: list[str] = ["?"] * len(new) if old_open else []
    assert _apply(old + past_the_end, got, new)[: len(new)] == new


def test_a_move_is_left_to_a_reload() -> None:
    from app.gui.row_diff import window_ops

    assert window_ops(list("abcd"), list("acbd"), old_open=False, new_open=False) is None


@pytest.fixture
def deep(tmp_path: Path) -> Iterator[LibraryService]:
    with LibraryService(tmp_path / "library", workers=1) as lib:
        fill(lib, 40_000)  # more rows than one pass of the batched layout
        yield lib


def test_far_down_a_big_grid_the_tile_in_view_stays_while_rows_come_in_above(qtbot, deep, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(deep)
    model, grid = window.model, window.grid
    _settle(qtbot, window)
    row = 36_000
    grid.scrollTo(model.index(row, 0))
    qtbot.waitUntil(lambda: model.asset_id(row) is not None, timeout=5_000)
    chosen = _select(window, row)
    qtbot.waitUntil(lambda: grid.viewport().rect().intersects(grid.visualRect(model.index(row, 0))))
    top_before = grid.visualRect(model.index(row, 0)).top()
    with LibraryService(deep.data_dir, workers=1) as other:
        other.import_paths(_pictures(tmp_path / "in", 3))
    qtbot.waitUntil(lambda: model.rowCount() == 40_003, timeout=3_000)
    _settle(qtbot, window)
    assert model.row_of(chosen) == row + 3 and grid.current_id() == chosen
    tile = grid.visualRect(model.index(0, 0)).height()
    qtbot.waitUntil(lambda: abs(grid.visualRect(model.index(row + 3, 0)).top() - top_before) <= tile, timeout=2_000)
