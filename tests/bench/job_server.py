"""Job 5: the asset server's downloads against nginx, its memory while uploading, and a listing under load."""

from __future__ import annotations

import json
import random
import time
import urllib.request
from pathlib import Path

from tests.bench import biglib, corpus
from tests.bench.common import Context, Row, Skipped, median, need_module, rss_mb, seconds
from tests.bench.http import curl_download, curl_upload, load, nginx, percentile
from tests.bench.job_abuse import listing_under_attack

PAGE = 50


def _peak_rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak(pid: int) -> bool:
    """Start the process's peak-memory count afresh (Linux); False where that is not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def server(ctx: Context) -> list[Row]:
    need_module("app.server.app", "the server (app.server)")
    need_module("tests.server.live", "the live-server test helper (tests/server/live.py)")
    from tests.server.live import live_server

    s = ctx.sizes
    big = corpus.big_wav(ctx.cache, s.server_file_mb, ctx.log)
    corpus.warm([big])
    size_mb = big.stat().st_size / 1e6
    rows: list[Row] = []
    with live_server(ctx.scratch("server-files")) as srv:
        token = srv.user("bench")
        pid = srv.process.pid
        answer = ctx.work / "upload.json"
        grew, took = [], []
        for index in range(s.runs):
            # Settle what the first requests load (imports, caches) before measuring growth.
            if index == 0:
                curl_upload(srv.base_url, token, big)
            before = rss_mb(pid)
            exact = _reset_peak(pid)
            start = time.perf_counter()
            status = curl_upload(srv.base_url, token, big, answer)
            took.append(time.perf_counter() - start)
            if status != 201:
                raise RuntimeError(f"upload answered HTTP {status}: {answer.read_text()[:200]}")
            asset_id = json.loads(answer.read_text())["id"]
            peak = _peak_rss(pid) if exact else rss_mb(pid)
            grew.append(max(0.0, peak - before))
        record = srv.library.get_asset(asset_id)
        path = srv.library.file_path(record)
        rows.append(
            Row(
                f"5. upload {size_mb:.0f} MB: server memory growth",
                f"{median(grew):.1f} MB ({size_mb / median(took):.0f} MB/s)",
                "-",
                "-",
                "≤ 16 MB",
                median(grew) <= 16,
            )
        )
        with nginx(path.parent, ctx.scratch("nginx")) as ref_url:
            ours, theirs = [], []
            for _ in range(max(3, s.runs * 2)):
                ours.append(curl_download(f"{srv.base_url}/api/v2/assets/{asset_id}", token))
                theirs.append(curl_download(f"{ref_url}/{path.name}"))
            a, r = median(ours), median(theirs)
            rows.append(
                Row(
                    f"5. download {size_mb:.0f} MB",
                    f"{a / 1e6:.0f} MB/s",
                    f"{r / 1e6:.0f} MB/s nginx",
                    f"{a / r:.2f}",
                    "≥ 0.25",
                    a >= 0.25 * r,
                )
            )
    rows.append(_listing(ctx))
    rows.append(listing_under_attack(ctx))
    from tests.bench.job_cluster import listing_cluster, s3_files

    for part in (s3_files, listing_cluster):
        try:
            rows.extend(part(ctx))
        except Skipped as exc:
            rows.append(Row(f"5. {part.__name__.replace('_', ' ')}", note=f"skipped: {exc}"))
    return rows


def _listing(ctx: Context) -> Row:
    from tests.server.live import live_server

    s = ctx.sizes
    source = biglib.library(ctx.cache, s.server_list_rows, ctx.log)
    folder = biglib.copy(source, ctx.work / "server-list")
    rng = random.Random(5)
    pages = min(100, s.server_list_rows // PAGE)
    paths = [f"/api/v2/assets?limit={PAGE}&offset={rng.randrange(pages) * PAGE}" for _ in range(50)]
    with live_server(folder) as srv:
        token = srv.library.create_token("local")
        request = urllib.request.Request(
            srv.base_url + paths[0], headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request) as response:
            body = response.read()
        if len(json.loads(body)) != PAGE:
            raise RuntimeError("the listing did not return a full page")
        static = ctx.scratch("static")
        (static / "page.json").write_bytes(body)
        load(srv.base_url, paths[:5], 2, 5, token)  # warm up
        ours, theirs = [], []
        with nginx(static, ctx.scratch("nginx-list")) as ref_url:
            for _ in range(s.runs):
                began = time.perf_counter()
                lat = load(srv.base_url, paths, s.server_clients, s.server_requests, token)
                ours.append((lat, time.perf_counter() - began))
                began = time.perf_counter()
                lat = load(ref_url, ["/page.json"], s.server_clients, s.server_requests, None)
                theirs.append((lat, time.perf_counter() - began))
    a_lat = [x for lat, _ in ours for x in lat]
    r_lat = [x for lat, _ in theirs for x in lat]
    a_rate = len(a_lat) / sum(t for _, t in ours)
    r_rate = len(r_lat) / sum(t for _, t in theirs)
    return Row(
        f"5. list a page of {s.server_list_rows:,} assets, {s.server_clients} concurrent clients",
        f"p50 {seconds(percentile(a_lat, 50))}, p99 {seconds(percentile(a_lat, 99))}, {a_rate:.0f} req/s",
        f"p99 {seconds(percentile(r_lat, 99))}, {r_rate:.0f} req/s nginx (same JSON, static)",
        f"{percentile(a_lat, 99) / percentile(r_lat, 99):.1f}",
        "p99 ≤ 5× nginx",
        percentile(a_lat, 99) <= 5 * percentile(r_lat, 99),
    )
