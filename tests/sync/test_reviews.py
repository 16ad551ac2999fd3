"""A client's review on a share link reaches the desktop library by sync."""

from __future__ import annotations

from pathlib import Path

import requests

from app.library.shares import ShareService
from tests.server.sharing import Visitor
from tests.sync.conftest import Account, connect, jpegs, open_library, sync


def test_reviews_arrive_on_the_desktop_by_sync(server: Account, tmp_path: Path) -> None:
    lib = open_library(tmp_path / "desk")
    try:
        client = lib.create_client("Northwind")
        spring = lib.create_campaign(client.id, "Spring launch")
        report = lib.import_paths(jpegs(tmp_path / "src", 3), lib.default_target(client_id=client.id, campaign_id=spring.id))
        local = {r.name: r.id for r in report.imported}
        connect(lib, server.base_url, server.token)
        sync(lib)
        auth = {"Authorization": f"Bearer {server.token}"}
        campaigns = requests.get(f"{server.base_url}/api/v2/campaigns", headers=auth, timeout=30).json()
        [remote_spring] = [c for c in campaigns if c["name"] == "Spring launch"]
        remote = {a["name"]: a["id"] for a in requests.get(
            f"{server.base_url}/api/v2/assets?campaignId={remote_spring['id']}", headers=auth, timeout=30).json()}
        made = requests.post(f"{server.base_url}/api/v2/share-links", headers=auth, timeout=30,
                             json={"campaignId": remote_spring["id"]}).json()
        v = Visitor(server.base_url, made["url"].rsplit("/", 1)[1])
        assert v.review(remote["pic0.jpg"], "Dana", "approved").status_code == 303
        assert v.review(remote["pic1.jpg"], "Dana", comment="Warmer, please").status_code == 303

        first = sync(lib)
        assert first.new_reviews == 2 and first.summary()["reviews"] == 2
        shares = ShareService(lib)
        summary = shares.review_summary(list(local.values()))
        assert summary[local["pic0.jpg"]].decision == "approved"
        assert (summary[local["pic1.jpg"]].decision, summary[local["pic1.jpg"]].comments) == (None, 1)
        assert [r.comment for r in shares.reviews_for_asset(local["pic1.jpg"])] == ["Warmer, please"]
        assert local["pic2.jpg"] not in summary
        assert shares.reviewed_asset_ids(lib.local_user_id, "approved") == {local["pic0.jpg"]}
        assert shares.list_links(lib.local_user_id) == []  # the server's link is not one of ours

        assert v.review(remote["pic2.jpg"], "Dana", "changes_requested").status_code == 303
        second = sync(lib)
        assert second.new_reviews == 1 and sync(lib).new_reviews == 0  # each arrives once
        assert shares.review_summary([local["pic2.jpg"]])[local["pic2.jpg"]].decision == "changes_requested"
    finally:
        lib.close()
