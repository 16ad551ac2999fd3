"""An upload link's quota holds when two servers reserve at once (PostgreSQL, row locks)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import create_engine, text

from app.library.errors import InvalidInput
from app.library.service import LibraryService
from app.library.shares import ShareService


def test_a_reservation_waits_for_one_in_flight_elsewhere(tmp_path: Path) -> None:
    """Another instance holds the link's row mid-reservation and takes the last file; this one
    must wait for it and then refuse, not count from the stale row and go past the quota."""
    from tests.server.conftest import fresh_schema

    with fresh_schema("atelier_quota") as url, LibraryService(tmp_path / "lib", url) as lib:
        uid = lib.local_user_id
        client = lib.create_client("Acme", user_id=uid)
        spring = lib.create_campaign(client.id, "Spring", user_id=uid)
        shares = ShareService(lib)
        link, _ = shares.create_link(uid, kind="upload", campaign_id=spring.id, quota_files=1)
        other = create_engine(url)
        outcome: list[object] = []
        try:
            with other.connect() as conn:
                tx = conn.begin()
                conn.execute(text("SELECT used_files FROM share_links WHERE id = :id FOR UPDATE"), {"id": link.id})

                def reserve() -> None:
                    try:
                        shares.reserve_upload(link.id, 10)
                        outcome.append("accepted")
                    except InvalidInput as exc:
                        outcome.append(exc)

                worker = threading.Thread(target=reserve)
                worker.start()
                worker.join(1.0)  # it must be waiting on the row, not done already
                waited = worker.is_alive()
                conn.execute(text("UPDATE share_links SET used_files = 1, used_bytes = 10 WHERE id = :id"),
                             {"id": link.id})
                tx.commit()
                worker.join(30)
        finally:
            other.dispose()
        assert waited, f"reserved without waiting: {outcome}"
        assert len(outcome) == 1 and isinstance(outcome[0], InvalidInput), outcome
        assert "at most 1 files" in str(outcome[0])
        assert shares.get_link(uid, link.id).used_files == 1
