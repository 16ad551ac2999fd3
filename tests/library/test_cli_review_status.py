"""`atelier list --review-status`: the database's filter, paged like any list, over many pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli.main import main
from app.library.service import LibraryService
from app.library.shares import ReviewRecord, ShareService
from tests.media import make_png

# (asset number, decision, comment) in time order; the latest decision wins.
REVIEWS = (
    *[(n, "approved", None) for n in range(0, 14)],
    (3, "changes_requested", "Bigger logo"),  # approved, then changes: changes_requested
    (20, "changes_requested", None),
    (21, "changes_requested", None),
    (21, "approved", "Fine now"),  # changes, then approved: approved
    *[(n, None, f"Note {n}") for n in range(22, 27)],
)
APPROVED = {*range(0, 14), 21} - {3}
CHANGES = {3, 20}
COMMENTED = set(range(22, 27))
UNREVIEWED = set(range(27, 31)) | {14, 15, 16, 17, 18, 19, 31}  # 31: a synced review with nothing in it
ASSETS = 32


def _run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A library of 32 assets with decisions and comments; returns it and asset name -> number."""
    data = tmp_path_factory.mktemp("reviewed")
    media = tmp_path_factory.mktemp("media")
    with LibraryService(data / "lib") as lib:
        client = lib.create_client("Northwind")
        spring = lib.create_campaign(client.id, "Spring")
        ids = []
        for n in range(ASSETS):
            path = make_png(media, width=40 + n, name=f"a{n:02}.png").path
            target = lib.default_target(client_id=client.id, campaign_id=spring.id if n % 2 else None)
            ids.append(lib.import_paths([path], target).imported[0].id)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        shares = ShareService(lib, clock=lambda: now)
        link, _ = shares.create_link(lib.local_user_id, client_id=client.id)
        for n, decision, comment in REVIEWS:
            now += timedelta(minutes=1)
            shares.add_review(link.id, ids[n], "Dana", decision, comment)
        shares.store_synced([ReviewRecord(1, "3e1c2a6b-8d1f-4a39-9a34-4c0b8e6f1d20", ids[31], "Eve",
                                          None, "", now)])
    return data / "lib", {f"a{n:02}": n for n in range(ASSETS)}


def _page(capsys: pytest.CaptureFixture[str], data: Path, names: dict[str, int], *args: str) -> list[int]:
    code, out, err = _run(capsys, data, "list", "--json", "--sort", "name", *args)
    assert code == 0, err
    return [names[a["name"].removesuffix(".png")] for a in json.loads(out)]


@pytest.mark.parametrize(("status", "expected"), [
    ("approved", APPROVED), ("changes_requested", CHANGES), ("commented", COMMENTED), ("unreviewed", UNREVIEWED),
])
def test_each_status_paged_three_at_a_time(reviewed: tuple[Path, dict[str, int]], status: str,
                                           expected: set[int], capsys: pytest.CaptureFixture[str]) -> None:
    data, names = reviewed
    seen: list[int] = []
    offset = 0
    while page := _page(capsys, data, names, "--review-status", status, "--limit", "3", "--offset", str(offset)):
        assert len(page) <= 3
        seen += page
        offset += 3
    assert seen == sorted(expected)  # every match once, in the sort's order, across the pages
    code, out, _ = _run(capsys, data, "list", "--review-status", status, "--limit", "3")
    assert code == 0 and out.strip().endswith(f"{min(3, len(expected))} of {len(expected)} asset(s)")


def test_the_status_combines_with_the_other_filters(reviewed: tuple[Path, dict[str, int]],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data, names = reviewed
    in_spring = _page(capsys, data, names, "--review-status", "approved", "--campaign", "Spring")
    assert in_spring == sorted(n for n in APPROVED if n % 2)
    found = _page(capsys, data, names, "--review-status", "commented", "--search", "a2")
    assert found == sorted(n for n in COMMENTED if n < 30)


def test_the_status_agrees_with_show(reviewed: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]) -> None:
    """The list's filter and `show`'s reviewStatus say the same for the asset whose only review is empty."""
    data, names = reviewed
    code, out, _ = _run(capsys, data, "list", "--json", "--search", "a31")
    (empty,) = json.loads(out)
    code, out, _ = _run(capsys, data, "show", empty["id"], "--json")
    assert code == 0 and json.loads(out)["reviewStatus"] == "unreviewed"
