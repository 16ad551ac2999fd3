"""Share for review from the desktop: the library syncs, then the server makes the link."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.client.errors import ServerUnreachable
from app.library.errors import InvalidInput
from app.sync import SyncStore
from app.sync.share import ShareOptions, share_assets, share_scope
from tests.server.sharing import Visitor
from tests.sync.conftest import FAST, Account, connect, jpegs, open_library


def test_a_campaign_shared_from_the_desktop(server: Account, tmp_path: Path) -> None:
    lib = open_library(tmp_path / "desk")
    try:
        client = lib.create_client("Northwind")
        spring = lib.create_campaign(client.id, "Spring launch")
        target = lib.default_target(client_id=client.id, campaign_id=spring.id)
        names = {r.name for r in lib.import_paths(jpegs(tmp_path / "src", 2), target).imported}
        with pytest.raises(InvalidInput, match="connect this library"):
            share_scope(lib, "campaign", spring.id, ShareOptions())
        connect(lib, server.base_url, server.token)
        url = share_scope(lib, "campaign", spring.id, ShareOptions(
            expires_at=datetime(2099, 1, 31, tzinfo=UTC), password="blue whale 42", allow_download=False),
            client_options=FAST)
        assert url.startswith(f"{server.base_url}/s/")
        v = Visitor(server.base_url, url.rsplit("/", 1)[1])
        assert v.unlock("blue whale 42").status_code == 303
        page = v.get().text
        assert "Spring launch" in page and all(n in page for n in names)  # uploaded by the sync
        assert "Download all" not in page
        SyncStore(lib).add_remote("gone", "http://127.0.0.1:9", "v2", "studio", "x")
        with pytest.raises(ServerUnreachable):
            share_scope(lib, "client", client.id, ShareOptions(), remote="gone", client_options=FAST)
    finally:
        lib.close()


def test_an_upload_link_and_a_selection_shared_from_the_desktop(server: Account, tmp_path: Path) -> None:
    lib = open_library(tmp_path / "desk")
    try:
        client = lib.create_client("Northwind")
        spring = lib.create_campaign(client.id, "Spring launch")
        target = lib.default_target(client_id=client.id, campaign_id=spring.id)
        records = sorted(lib.import_paths(jpegs(tmp_path / "src", 3), target).imported, key=lambda r: r.name)
        connect(lib, server.base_url, server.token)
        with pytest.raises(InvalidInput, match="one campaign"):
            share_scope(lib, "client", client.id, ShareOptions(kind="upload"), client_options=FAST)
        url = share_scope(lib, "campaign", spring.id, ShareOptions(kind="upload", quota_files=1),
                          client_options=FAST)
        v = Visitor(server.base_url, url.rsplit("/", 1)[1])
        first, second = jpegs(tmp_path / "sent", 2, start=10)
        assert v.upload(first).status_code == 201
        refused = v.upload(second)
        assert refused.status_code >= 400 and "at most 1 files" in refused.text  # the quota arrived
        with pytest.raises(InvalidInput, match="at least one"):
            share_assets(lib, [], ShareOptions(), client_options=FAST)
        chosen = [r.id for r in records[:2]]
        url = share_assets(lib, chosen, ShareOptions(), client_options=FAST)
        page = Visitor(server.base_url, url.rsplit("/", 1)[1]).get().text
        assert records[0].name in page and records[1].name in page and records[2].name not in page
    finally:
        lib.close()
