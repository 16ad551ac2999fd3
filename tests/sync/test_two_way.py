"""Two real servers and two desktop libraries converge: creations, edits and deletions on every side."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.api.schemas import AssetUpdate
from app.client import ApiClient
from app.library.records import AssetChanges
from app.library.service import LibraryService
from app.sync import SyncEngine
from tests.server.live import live_server
from tests.sync.conftest import (
    FAST,
    PASSWORD,
    connect,
    copy,
    files_intact,
    jpegs,
    local_state,
    open_library,
    server_state,
    sync,
)


def _round(order: str, a: LibraryService, b: LibraryService) -> int:
    """One sync of every link, in the given order; returns how many actions ran."""
    steps = {"a": [(a, "s1"), (a, "s2")], "b": [(b, "s1")]}
    done = 0
    for side in order:
        for lib, remote in steps[side]:
            done += sum(sync(lib, remote).outcome.done.values())
    return done


def _converge(order: str, a: LibraryService, b: LibraryService) -> int:
    for rounds in range(1, 5):
        if _round(order, a, b) == 0:
            return rounds
    raise AssertionError("no convergence after 4 rounds")


@pytest.mark.parametrize("order", ["ab", "ba"])
def test_two_servers_two_libraries_converge(
    order: str, tmp_path: Path, samples: dict[str, Path]
) -> None:
    with live_server(tmp_path / "s1") as s1, live_server(tmp_path / "s2") as s2:
        t1, t2 = s1.user("studio", PASSWORD), s2.user("studio", PASSWORD)
        a, b = open_library(tmp_path / "a"), open_library(tmp_path / "b")
        try:
            connect(a, s1.base_url, t1, "s1")
            connect(a, s2.base_url, t2, "s2")
            connect(b, s1.base_url, t1, "s1")

            acme = a.create_client("Acme")
            spring = a.create_campaign(acme.id, "Spring")
            a.import_paths(
                [samples["jpg"], samples["mp4"]],
                a.default_target(client_id=acme.id, campaign_id=spring.id, tags=("hero",)),
            )
            a.import_paths([samples["pdf"]])
            beta = b.create_client("Beta")
            b.import_paths([samples["png"]], b.default_target(client_id=beta.id))
            b.import_paths([samples["wav"], samples["gif"]])

            _converge(order, a, b)
            want = local_state(a)
            assert len(want) == 6
            assert local_state(b) == want == server_state(s1) == server_state(s2)

            # Edits and deletions on all four sides.
            by_name = {r.name: r for r in a.iter_assets()}
            a.update_asset(by_name["photo.jpg"].id, AssetChanges(name="Hero shot"))
            a.delete_asset(by_name["brief.pdf"].id)
            b_by_name = {r.name: r for r in b.iter_assets()}
            b.update_asset(
                b_by_name["clip.mp4"].id, AssetChanges(tags=["hero", "motion"], client_id=beta.id)
            )
            b.delete_asset(b_by_name["anim.gif"].id)
            with ApiClient(s1.base_url, t1) as api:
                wav = next(x for x in api.iter_assets() if x.name == "tone.wav")
                api.update_asset(wav.id, AssetUpdate(name="Voice over", tags=["audio"]))
            with ApiClient(s2.base_url, t2) as api:
                png = next(x for x in api.iter_assets() if x.name == "logo.png")
                api.delete_asset(png.id)
            b.import_paths([copy(samples["webp"], tmp_path / "new", "fresh.webp")])

            _converge(order, a, b)
            want = local_state(a)
            assert local_state(b) == want == server_state(s1) == server_state(s2)
            names = sorted(row[1] for row in want)
            assert names == ["Hero shot", "Voice over", "clip.mp4", "fresh.webp"]
            clip = next(row for row in want if row[1] == "clip.mp4")
            assert clip[2] == ("hero", "motion") and clip[3] == "Beta" and clip[4] is None
            voice = next(row for row in want if row[1] == "Voice over")
            assert voice[2] == ("audio",)

            # Deleted assets never come back; a further sync has nothing to do.
            assert _round(order, a, b) == 0
            assert len(local_state(a)) == 4
            for lib in (a, b):
                files_intact(lib)
        finally:
            a.close()
            b.close()


def test_nothing_to_do_costs_a_few_requests(server, libs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Against the change feed, a sync with nothing to do is server-info plus one feed page."""
    import requests

    from app.sync.v2 import V2Remote

    a, _ = libs
    connect(a, server.base_url, server.token)
    records = a.import_paths(jpegs(tmp_path / "m", 30)).imported
    client = a.create_client("Acme", a.local_user_id)
    campaign = a.create_campaign(client.id, "Spring", a.local_user_id)
    a.update_asset(records[0].id, AssetChanges(campaign_id=campaign.id))
    a.find.set_rights(campaign_id=campaign.id, licence="Editorial")  # a marker that is not null
    sync(a)
    sync(a)  # reads its own uploads back from the feed once
    calls: list[str] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *args, **kw: calls.append(r.request.path_url))
    engine = SyncEngine(
        a,
        remote_factory=lambda cfg: V2Remote(ApiClient(cfg.url, cfg.token, session=session)),
        options=FAST,
    )
    report = engine.run()
    assert not report.plan.visible()
    assert report.plan.mode == "feed"
    # server-info, one feed page and reviews: the feed's markers say smart folders and
    # campaign rights have not moved on either side.
    assert len(calls) <= 3, calls
    assert not any("campaign-rights-sync" in c or "smart-folder-sync" in c for c in calls), calls
    assert all("/api/v2/assets" not in c for c in calls)
