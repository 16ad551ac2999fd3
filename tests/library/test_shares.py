"""Share links in the library: scope, expiry, revocation, password throttling, reviews, upload quota."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.library.errors import InvalidInput, NotFound
from app.library.service import LibraryService
from app.library.shares import MAX_ATTEMPTS, LinkGone, ShareService, TooManyAttempts
from tests.media import make_png


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _setup(library: LibraryService, tmp_path: Path):  # type: ignore[no-untyped-def]
    uid = library.local_user_id
    client = library.create_client("Acme", user_id=uid)
    spring = library.create_campaign(client.id, "Spring", user_id=uid)
    autumn = library.create_campaign(client.id, "Autumn", user_id=uid)
    ids = {}
    for width, (name, camp) in enumerate((("a", spring), ("b", spring), ("c", autumn)), 40):
        path = make_png(tmp_path, width=width, name=f"{name}.png").path
        report = library.import_paths([path], library.default_target(
            user_id=uid, client_id=client.id, campaign_id=camp.id))
        ids[name] = report.imported[0].id
    return uid, spring, autumn, ids


def test_a_link_reaches_only_its_own_assets(library: LibraryService, tmp_path: Path) -> None:
    uid, spring, autumn, ids = _setup(library, tmp_path)
    shares = ShareService(library)
    link, token = shares.create_link(uid, campaign_id=spring.id)
    assert len(token) >= 22  # at least 128 bits, url-safe base64
    assert shares.open(token).id == link.id
    assert set(shares.asset_ids(link.id)) == {ids["a"], ids["b"]}
    with pytest.raises(NotFound):
        shares.asset_in_link(link.id, ids["c"])
    with pytest.raises(NotFound):
        shares.open(token + "x")


def test_expiry_and_revocation(library: LibraryService, tmp_path: Path) -> None:
    uid, spring, _, _ = _setup(library, tmp_path)
    clock = Clock()
    shares = ShareService(library, clock=clock)
    link, token = shares.create_link(uid, campaign_id=spring.id, expires_at=clock.now + timedelta(days=1))
    shares.open(token)
    clock.now += timedelta(days=2)
    with pytest.raises(LinkGone, match="expired"):
        shares.open(token)
    other, token2 = shares.create_link(uid, campaign_id=spring.id)
    shares.revoke(uid, other.id)
    with pytest.raises(LinkGone, match="revoked"):
        shares.open(token2)
    with pytest.raises(NotFound):
        shares.revoke(uid + 1, link.id)  # another user's link does not exist for them


def test_wrong_passwords_are_throttled_per_link(library: LibraryService, tmp_path: Path) -> None:
    uid, spring, _, _ = _setup(library, tmp_path)
    clock = Clock()
    shares = ShareService(library, clock=clock)
    link, _ = shares.create_link(uid, campaign_id=spring.id, password="s3cret")
    assert not shares.check_password(link.id, "nope", "10.0.0.1")
    assert shares.check_password(link.id, "s3cret", "10.0.0.1")
    for i in range(MAX_ATTEMPTS - 1):
        assert not shares.check_password(link.id, "nope", f"10.0.0.{i + 2}")
    with pytest.raises(TooManyAttempts):
        shares.check_password(link.id, "s3cret", "10.0.0.99")
    clock.now += timedelta(minutes=16)
    assert shares.check_password(link.id, "s3cret", "10.0.0.99")


def test_reviews_and_upload_quota(library: LibraryService, tmp_path: Path) -> None:
    uid, spring, _, ids = _setup(library, tmp_path)
    shares = ShareService(library)
    link, _ = shares.create_link(uid, campaign_id=spring.id)
    shares.add_review(link.id, ids["a"], "  Dana  ", "approved", None)
    shares.add_review(link.id, ids["b"], "Dana", None, "<b>crop</b> tighter")
    with pytest.raises(InvalidInput):
        shares.add_review(link.id, ids["a"], "Dana", "maybe", None)
    with pytest.raises(NotFound):
        shares.add_review(link.id, ids["c"], "Dana", "approved", None)
    reviews = shares.feedback(uid, link.id)
    assert [(r.reviewer, r.decision, r.comment) for r in reviews] == [
        ("Dana", "approved", None), ("Dana", None, "<b>crop</b> tighter")]
    up, _ = shares.create_link(uid, kind="upload", campaign_id=spring.id, quota_files=2, quota_bytes=100)
    shares.reserve_upload(up.id, 60)
    with pytest.raises(InvalidInput, match="quota"):
        shares.reserve_upload(up.id, 50)
    shares.reserve_upload(up.id, 40)
    with pytest.raises(InvalidInput, match="at most 2 files"):
        shares.reserve_upload(up.id, 1)


def test_review_summary_and_status_sets(library: LibraryService, tmp_path: Path) -> None:
    uid, spring, _, ids = _setup(library, tmp_path)
    shares = ShareService(library)
    link, _ = shares.create_link(uid, campaign_id=spring.id)
    shares.add_review(link.id, ids["a"], "Dana", "changes_requested", "Bigger logo")
    shares.add_review(link.id, ids["a"], "Dana", "approved", None)  # the latest decision wins
    shares.add_review(link.id, ids["b"], "Sam", None, "Nice")
    summary = shares.review_summary([ids["a"], ids["b"], ids["c"]])
    assert (summary[ids["a"]].decision, summary[ids["a"]].comments) == ("approved", 1)
    assert (summary[ids["b"]].decision, summary[ids["b"]].comments) == (None, 1)
    assert ids["c"] not in summary
    assert shares.reviewed_asset_ids(uid, "approved") == {ids["a"]}
    assert shares.reviewed_asset_ids(uid, "commented") == {ids["b"]}
    assert shares.reviewed_asset_ids(uid + 1, "approved") == set()  # another user's view


def test_upload_reservations_are_given_back(library: LibraryService, tmp_path: Path) -> None:
    uid, spring, _, _ = _setup(library, tmp_path)
    shares = ShareService(library)
    up, _ = shares.create_link(uid, kind="upload", campaign_id=spring.id, quota_files=1, quota_bytes=100)
    assert shares.remaining_bytes(up.id) == 100
    shares.reserve_upload(up.id, 70)
    assert shares.remaining_bytes(up.id) == 30
    shares.release_upload(up.id, 70)  # the file was refused after all
    assert shares.remaining_bytes(up.id) == 100
    shares.reserve_upload(up.id, 100)


def test_large_previews_are_made_once_and_cached(library: LibraryService, tmp_path: Path) -> None:
    from PIL import Image

    from app.library.previews import preview_path

    path = make_png(tmp_path, width=2400, height=1200, name="wide.png").path
    record = library.import_paths([path], library.default_target()).imported[0]
    first = preview_path(library, record)
    assert first is not None and Image.open(first).size == (1600, 800)
    stamp = first.stat().st_mtime_ns
    assert preview_path(library, record) == first and first.stat().st_mtime_ns == stamp


def test_assets_filtered_by_review_status(library: LibraryService, tmp_path: Path) -> None:
    from app.library.records import AssetQuery

    uid, spring, autumn, ids = _setup(library, tmp_path)
    ids["d"] = library.import_paths([make_png(tmp_path, width=70, name="d.png").path],
                                    library.default_target(user_id=uid)).imported[0].id
    clock = Clock()
    shares = ShareService(library, clock=clock)
    link, _ = shares.create_link(uid, client_id=library.get_campaign(spring.id).client_id)
    for asset, decision, comment in (("a", "approved", None), ("a", "changes_requested", "Bigger logo"),
                                     ("b", "approved", "Lovely"), ("c", None, "Which font?")):
        clock.now += timedelta(minutes=1)
        shares.add_review(link.id, ids[asset], "Dana", decision, comment)

    def names(status: str) -> set[str]:
        q = AssetQuery(user_id=uid, review_status=status)
        listed = {r.name for r in library.list_assets(q, limit=50)}
        assert library.count_assets(q) == len(listed)
        return {n.removesuffix(".png") for n in listed}

    assert names("changes_requested") == {"a"}  # the latest decision wins
    assert names("approved") == {"b"}
    assert names("commented") == {"c"}
    assert names("unreviewed") == {"d"}
    with pytest.raises(InvalidInput, match="Unknown review status"):
        names("maybe")
