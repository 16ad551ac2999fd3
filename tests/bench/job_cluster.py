"""Job 5, past one machine: the listing on three instances behind HAProxy, and files in S3 storage."""

from __future__ import annotations

import json
import os
import random
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.bench import biglib, corpus
from tests.bench.common import Context, Row, Skipped, median, rss_mb, seconds
from tests.bench.http import curl_download, curl_upload, load, nginx, percentile

PAGE = 50
PG_ENV = "ATELIER_TEST_PG_URL"


def _need_cluster_parts() -> str:
    import shutil

    url = os.environ.get(PG_ENV)
    if not url:
        raise Skipped(f"{PG_ENV} is not set (PostgreSQL, as `.ci/setup test` starts it)")
    if not (shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists()):
        raise Skipped("HAProxy is not installed (apt-get install haproxy)")
    try:
        from tests.cluster.cluster import weed_binary

        weed_binary()
    except RuntimeError as exc:
        raise Skipped(str(exc)) from None
    return url


@contextmanager
def _schema(url: str) -> Iterator[str]:
    """A schema of its own on the test PostgreSQL, dropped afterwards."""
    import secrets

    from sqlalchemy import create_engine, text

    schema = f"atelier_bench_{os.getpid()}_{secrets.token_hex(4)}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _fill_postgres(url: str, folder: Path, count: int) -> None:
    """The same rows as biglib's SQLite library, copied into PostgreSQL with COPY."""
    import psycopg

    from app.library.service import LibraryService

    rng = random.Random(-count)
    with LibraryService(folder, url) as lib:
        user_id = lib.local_user_id
        clients, campaigns = [], []
        for c in range(biglib.CLIENTS):
            client = lib.create_client(f"Client {c:02d}", client_id=biglib._uuid(rng))
            clients.append(client.id)
            for k in range(biglib.CAMPAIGNS_PER_CLIENT):
                campaign = lib.create_campaign(client.id, f"Campaign {k}", campaign_id=biglib._uuid(rng))
                campaigns.append((client.id, campaign.id))
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("SET TIME ZONE 'UTC'")  # the stamps are UTC without a zone
        with conn.cursor() as cur, cur.copy(f"COPY assets ({','.join(biglib.COLUMNS)}) FROM STDIN") as copy:
            for row in biglib._rows(count, user_id, campaigns, clients):
                copy.write_row(row)
        conn.execute("UPDATE counters SET value = %s WHERE name = 'changes'", (count,))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE assets")  # as autovacuum would: index-only scans need it


def _latencies(ctx: Context, url: str, paths: list[str], token: str | None) -> tuple[list[float], float]:
    s = ctx.sizes
    lat, took = [], 0.0
    for _ in range(s.runs):
        began = time.perf_counter()
        lat += load(url, paths, s.server_clients, s.server_requests, token)
        took += time.perf_counter() - began
    return lat, len(lat) / took


def _figures(lat: list[float], rate: float) -> str:
    return f"p50 {seconds(percentile(lat, 50))}, p99 {seconds(percentile(lat, 99))}, {rate:.0f} req/s"


def listing_cluster(ctx: Context) -> list[Row]:
    """The 100k listing on PostgreSQL: one instance directly and three behind HAProxy, same run."""
    from tests.cluster.cluster import start_cluster

    db_url = _need_cluster_parts()
    s = ctx.sizes
    folder = ctx.scratch("cluster-list")
    rng = random.Random(5)
    pages = min(100, s.server_list_rows // PAGE)
    paths = [f"/api/v2/assets?limit={PAGE}&offset={rng.randrange(pages) * PAGE}" for _ in range(50)]
    with _schema(db_url) as url:
        ctx.log(f"copying {s.server_list_rows:,} assets into PostgreSQL")
        _fill_postgres(url, folder / "fill", s.server_list_rows)
        with start_cluster(folder / "cluster", url) as cluster:
            token = cluster.library.create_token("local")
            request = urllib.request.Request(
                cluster.base_url + paths[0], headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request) as response:
                body = response.read()
            if len(json.loads(body)) != PAGE:
                raise RuntimeError("the listing did not return a full page")
            static = ctx.scratch("cluster-static")
            (static / "page.json").write_bytes(body)
            one_url = cluster.instances[0].url
            for warm in (one_url, cluster.base_url):
                load(warm, paths[:5], 3, 5, token)
            with nginx(static, ctx.scratch("cluster-nginx")) as ref_url:
                one, one_rate = _latencies(ctx, one_url, paths, token)
                three, three_rate = _latencies(ctx, cluster.base_url, paths, token)
                ref, ref_rate = _latencies(ctx, ref_url, ["/page.json"], None)
    ref_p99 = percentile(ref, 99)
    what = f"5. list a page of {s.server_list_rows:,} assets, {s.server_clients} clients, PostgreSQL"
    reference = f"p99 {seconds(ref_p99)}, {ref_rate:.0f} req/s nginx (same JSON, static)"
    return [
        Row(f"{what}, 1 instance", _figures(one, one_rate), reference, f"{percentile(one, 99) / ref_p99:.1f}", "p99 reported"),
        Row(
            f"{what}, 3 instances behind HAProxy",
            _figures(three, three_rate),
            f"{one_rate:.0f} req/s at 1 instance",
            f"{three_rate / one_rate:.2f}× req/s",
            "req/s reported (2 cores)",
        ),
    ]


def _peak_growth(pid: int, action: object) -> float:
    from tests.bench.job_server import _peak_rss, _reset_peak

    before = rss_mb(pid)
    exact = _reset_peak(pid)
    action()  # type: ignore[operator]
    return max(0.0, (_peak_rss(pid) if exact else rss_mb(pid)) - before)


def s3_files(ctx: Context) -> list[Row]:
    """A 50 MB upload into S3 storage (server memory) and its download, against local storage."""
    from tests.cluster.cluster import BUCKET, S3_ENV, ObjectStore, free_ports, weed_binary
    from tests.server.live import live_server

    try:
        weed_binary()
    except RuntimeError as exc:
        raise Skipped(str(exc)) from None
    s = ctx.sizes
    big = corpus.big_wav(ctx.cache, s.server_file_mb, ctx.log)
    corpus.warm([big])
    size_mb = big.stat().st_size / 1e6
    os.environ.update({k: os.environ.get(k, v) for k, v in S3_ENV.items()})
    store = ObjectStore(ctx.scratch("seaweedfs"), free_ports(9))
    store.start()
    answer = ctx.work / "s3-upload.json"
    try:
        extra = ("--storage", f"s3://{BUCKET}/bench", "--s3-endpoint", store.endpoint)
        with live_server(ctx.scratch("server-s3"), extra_args=extra) as s3, live_server(
            ctx.scratch("server-local")
        ) as local:
            s3_token, local_token = s3.user("bench"), local.user("bench")
            curl_upload(s3.base_url, s3_token, big)  # settle imports and caches first
            grew, took = [], []
            for _ in range(s.runs):
                began = time.perf_counter()
                grew.append(
                    _peak_growth(s3.process.pid, lambda: curl_upload(s3.base_url, s3_token, big, answer))
                )
                took.append(time.perf_counter() - began)
            s3_id = json.loads(answer.read_text())["id"]
            if curl_upload(local.base_url, local_token, big, answer) != 201:
                raise RuntimeError(f"local upload failed: {answer.read_text()[:200]}")
            local_id = json.loads(answer.read_text())["id"]
            from app.library.blobs import s3_client
            from app.library.storage import asset_name

            # The store's own speed, for scale: curl straight from SeaweedFS, no server between.
            record = s3.library.get_asset(s3_id)
            direct = s3_client(store.endpoint).generate_presigned_url(
                "get_object", Params={"Bucket": BUCKET, "Key": f"bench/assets/{asset_name(record.id, record.format)}"}
            )
            ours, theirs, raw = [], [], []
            for _ in range(max(3, s.runs * 2)):
                ours.append(curl_download(f"{s3.base_url}/api/v2/assets/{s3_id}", s3_token))
                theirs.append(curl_download(f"{local.base_url}/api/v2/assets/{local_id}", local_token))
                raw.append(curl_download(direct))
    finally:
        store.stop()
    a, r = median(ours), median(theirs)
    return [
        Row(
            f"5. upload {size_mb:.0f} MB to S3 storage: server memory growth",
            f"{median(grew):.1f} MB ({size_mb / median(took):.0f} MB/s)",
            "-",
            "-",
            "≤ 16 MB",
            median(grew) <= 16,
        ),
        Row(
            f"5. download {size_mb:.0f} MB from S3 storage",
            f"{a / 1e6:.0f} MB/s",
            f"{r / 1e6:.0f} MB/s local storage ({median(raw) / 1e6:.0f} MB/s curl from the store itself)",
            f"{a / r:.2f}",
            "≥ 0.5",
            a >= 0.5 * r,
        ),
    ]
