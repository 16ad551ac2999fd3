"""HTTP helpers for the server and sync jobs: nginx as a reference, curl timings, a concurrent load."""

from __future__ import annotations

import http.client
import os
import random
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from tests.bench.common import free_port, need_tool, run


@contextmanager
def nginx(root: Path, work: Path) -> Iterator[str]:
    """nginx (one worker, sendfile, no logs) serving root on a free 127.0.0.1 port; yields its URL."""
    binary = need_tool("nginx")
    port = free_port()
    work.mkdir(parents=True, exist_ok=True)
    temp = work / "temp"
    temp.mkdir(exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = work / "nginx.conf"
    conf.write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""
    )
    process = subprocess.Popen(
        [binary, "-p", str(work), "-c", str(conf)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # 403/404 for the bare root: it is answering
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    err = process.stderr.read().decode(errors="replace") if process.stderr else ""
                    raise RuntimeError(f"nginx did not start: {err.strip()[:200]}") from None
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def curl_download(url: str, token: str | None = None) -> float:
    """Bytes per second for one GET of url by curl, body discarded."""
    args = [need_tool("curl"), "-sS", "-f", "-o", "/dev/null", "-w", "%{size_download} %{time_total}"]
    if token:
        args += ["-H", f"Authorization: Bearer {token}"]
    size, total = run([*args, url]).stdout.decode().split()
    return int(size) / float(total)


def curl_upload(base_url: str, token: str, path: Path, out: Path | str = "/dev/null") -> int:
    """POST one file to the v2 upload endpoint with curl, as a shell loop would; its HTTP status."""
    args = [
        need_tool("curl"), "-sS", "-o", str(out), "-w", "%{http_code}",
        "-H", f"Authorization: Bearer {token}", "-F", f"file=@{path}",
        f"{base_url}/api/v2/upload-asset",
    ]  # fmt: skip
    return int(run(args).stdout.decode().strip() or 0)


def load(url: str, paths: list[str], clients: int, per_client: int, token: str | None) -> list[float]:
    """Latencies (s) of clients x per_client GETs, each client on its own keep-alive connection."""
    parts = urlsplit(url)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(clients)

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        mine: list[float] = []
        try:
            start_line.wait()
            for _ in range(per_client):
                path = rng.choice(paths)
                began = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - began)
                if response.status != 200:
                    raise RuntimeError(f"GET {path}: HTTP {response.status}")
        except Exception as exc:  # reported once the others are done
            with lock:
                errors.append(str(exc))
            start_line.abort()
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(errors[0])
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
