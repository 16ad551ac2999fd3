"""An asset deleted on one side and edited on the other comes back with every synced edit.

README "Sync": an edit beats a delete, and each field holds its latest edit. The library
that resurrects the asset must take the fields the deleting side edited (and synced)
since it last synced, instead of re-uploading its own stale values.
"""

from __future__ import annotations

from pathlib import Path

from app.library.records import AssetChanges
from app.library.service import LibraryService
from tests.sync.conftest import Account, connect, jpegs, local_state, server_state, sync


def _setup(tmp_path: Path, server: Account, libs: tuple[LibraryService, LibraryService]) -> str:
    a, b = libs
    connect(a, server.base_url, server.token)
    connect(b, server.base_url, server.token)
    a.import_paths(jpegs(tmp_path / "media", 1))
    sync(a, force=True)
    sync(b, force=True)
    [asset] = list(b.iter_assets())
    return asset.sha256


def _only(lib: LibraryService) -> str:
    [asset] = list(lib.iter_assets())
    return asset.id


def test_resurrected_asset_keeps_the_deleting_sides_rename(
    tmp_path: Path, server: Account, libs: tuple[LibraryService, LibraryService]
) -> None:
    a, b = libs
    sha = _setup(tmp_path, server, libs)
    b.update_asset(_only(b), AssetChanges(tags=["from-b"]))  # an edit B has not synced yet
    a.update_asset(_only(a), AssetChanges(name="renamed by a"))
    sync(a, force=True)
    a.delete_asset(_only(a))
    sync(a, force=True)
    sync(b, force=True)  # B's edit beats A's delete: the asset comes back, with A's later rename
    sync(a, force=True)
    expected = [(sha, "renamed by a", ("from-b",), None, None)]
    assert server_state(server) == expected
    assert local_state(b) == expected
    assert local_state(a) == expected
    # The rename that replaced B's name is in B's sync history, so it can be restored.
    rows = [r for r in b.sync_history() if r.field == "name" and r.side == "here"]
    assert [(r.old_value, r.new_value) for r in rows] == [("pic0.jpg", "renamed by a")]


def test_edit_made_after_the_delete_also_brings_it_back_merged(
    tmp_path: Path, server: Account, libs: tuple[LibraryService, LibraryService]
) -> None:
    a, b = libs
    sha = _setup(tmp_path, server, libs)
    a.update_asset(_only(a), AssetChanges(name="renamed by a", tags=["from-a"]))
    sync(a, force=True)
    a.delete_asset(_only(a))
    sync(a, force=True)
    b.update_asset(_only(b), AssetChanges(tags=["from-b"]))  # later than A's tags: it wins
    sync(b, force=True)
    sync(a, force=True)
    expected = [(sha, "renamed by a", ("from-b",), None, None)]
    assert server_state(server) == expected
    assert local_state(b) == expected
    assert local_state(a) == expected
