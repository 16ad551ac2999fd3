"""Clients' reviews (share links) pulled from an Atelier server onto the local assets they concern."""

from __future__ import annotations

import logging

from app.client.errors import RemoteNotFound
from app.library.service import LibraryService
from app.library.shares import ReviewRecord, ShareService
from app.library.sync_store import SyncStore

log = logging.getLogger("atelier.sync")
PAGE = 500
# Pages per sync at most: a server whose cursor never ends cannot keep a sync busy forever.
MAX_PAGES = 200


def cursor_key(remote_id: int) -> str:
    return f"sync.{remote_id}.reviews_after"


def pull_reviews(lib: LibraryService, store: SyncStore, remote: object, remote_id: int) -> int:
    """Fetch reviews newer than the last pull and keep those on linked assets; returns how many
    were new. A server without the review feed (404), or a remote that is not an Atelier v2
    server, has none to give."""
    client = getattr(remote, "client", None)
    if client is None or not hasattr(client, "reviews"):
        return 0
    # Read every link only when the feed has reviews: a sync with nothing new stays on the
    # quick path, which never reads all links (tests/sync/test_quick_plan.py).
    local_of: dict[str, str] | None = None
    shares = ShareService(lib)
    after = int(lib.get_setting(cursor_key(remote_id)) or 0)
    added = 0
    for _ in range(MAX_PAGES):
        try:
            feed = client.reviews(after, PAGE)
        except RemoteNotFound:
            return added
        if feed.reviews and local_of is None:
            local_of = {l.remote_asset_id: l.asset_id for l in store.links(remote_id)
                        if l.remote_asset_id and l.asset_id and l.state == "linked"}
        linked = local_of or {}
        rows = [
            ReviewRecord(id=0, link_id=r.linkId, asset_id=linked[r.assetId], reviewer=r.reviewer,
                         decision=r.decision, comment=r.comment[:5000] if r.comment else None,
                         created_at=r.createdAt)
            for r in feed.reviews if r.assetId in linked
        ]
        added += shares.store_synced(rows)
        # Reviews of assets not linked yet come round again when the cursor is reset; the
        # cursor only moves past what was stored or cannot concern this library.
        if feed.cursor <= after:
            break
        after = feed.cursor
        lib.set_setting(cursor_key(remote_id), str(after))
        if not feed.hasMore:
            break
    if added:
        log.info("%d new review(s) from the server", added)
    return added
