"""Share for review from the desktop: the library syncs, then the server makes the link."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.client.errors import ServerUnreachable
from app.library.errors import InvalidInput
from app.sync import SyncStore
from app.sync.share import ShareOptions, share_scope
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
