"""Job 5, under attack: a normal client's listing while slow uploaders and slowloris clients hang on."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from tests.bench import biglib
from tests.bench.common import Context, Row, seconds
from tests.bench.http import load, percentile

PAGE = 50
BOUNDARY = "benchslow"


async def _slow_uploader(host: str, port: int, token: str, stop: asyncio.Event, attached: list[int]) -> None:
    """An upload sending 4 KB a second (above the server's floor), reconnecting when closed."""
    head = (
        f"POST /api/v2/upload-asset HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 50000000\r\n\r\n"
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF"
    ).encode()
    await _hang_on(host, port, head, b"\0" * 4096, stop, attached)


async def _slowloris(host: str, port: int, stop: asyncio.Event, attached: list[int]) -> None:
    """A request whose headers come one byte a second, reconnecting when closed."""
    await _hang_on(host, port, f"GET /api/v2/assets HTTP/1.1\r\nHost: {host}\r\nX-A: ".encode(), b"a", stop, attached)


async def _hang_on(host: str, port: int, head: bytes, drip: bytes, stop: asyncio.Event, attached: list[int]) -> None:
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(0.5)
            continue
        attached[0] += 1
        try:
            writer.write(head)
            while not stop.is_set() and not reader.at_eof():
                await writer.drain()
                try:
                    await asyncio.wait_for(reader.read(4096), timeout=1.0)
                except TimeoutError:
                    writer.write(drip)
        except OSError:
            pass
        finally:
            attached[0] -= 1
            writer.close()


@contextmanager
def _attackers(base_url: str, tokens: list[str], uploaders: int, slowloris: int) -> Iterator[list[int]]:
    """Run the attackers in a thread of their own; yields [connections attached now]."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    attached = [0]
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def main() -> None:
        tasks = [_slow_uploader(host, port, tokens[i % len(tokens)], stop, attached) for i in range(uploaders)]
        tasks += [_slowloris(host, port, stop, attached) for _ in range(slowloris)]
        await asyncio.gather(*tasks)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while attached[0] < uploaders + slowloris and time.monotonic() < deadline:
            time.sleep(0.1)
        yield attached
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)


def listing_under_attack(ctx: Context) -> Row:
    from tests.server.live import live_server

    s = ctx.sizes
    uploaders, slowloris = (10, 20) if s.name == "smoke" else (100, 200)
    source = biglib.library(ctx.cache, s.server_list_rows, ctx.log)
    folder = biglib.copy(source, ctx.work / "server-abuse")
    rng = random.Random(7)
    pages = min(100, s.server_list_rows // PAGE)
    paths = [f"/api/v2/assets?limit={PAGE}&offset={rng.randrange(pages) * PAGE}" for _ in range(50)]
    count = s.server_requests * 4
    # Room for every slow uploader at once: the harder case than refusing most of them.
    extra = ("--max-uploads", str(uploaders + 10))
    with live_server(folder, extra_args=extra) as srv:
        token = srv.library.create_token("local")
        tokens = []
        for i in range((uploaders + 7) // 8):  # 8 uploads at once per user (the default)
            tokens.append(srv.user(f"slow{i}"))
        load(srv.base_url, paths[:5], 1, 5, token)  # warm up
        calm = load(srv.base_url, paths, 1, count, token)
        with _attackers(srv.base_url, tokens, uploaders, slowloris) as attached:
            held = attached[0]
            stormy = load(srv.base_url, paths, 1, count, token)  # raises if any request fails
    ratio = percentile(stormy, 99) / percentile(calm, 99)
    return Row(
        f"5. list a page of {s.server_list_rows:,} assets with {uploaders} slow uploads "
        f"and {slowloris} slowloris attached ({held} held)",
        f"p50 {seconds(percentile(stormy, 50))}, p99 {seconds(percentile(stormy, 99))}, {len(stormy)} of {count} answered",
        f"p50 {seconds(percentile(calm, 50))}, p99 {seconds(percentile(calm, 99))} without them",
        f"{ratio:.2f}",
        "p99 ≤ 3×, all answered",
        ratio <= 3 and len(stormy) == count,
    )
