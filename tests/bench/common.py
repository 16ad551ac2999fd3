"""What every benchmark job shares: sizes, the corpus cache, timing, result rows and the machine."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class Skipped(Exception):
    """A job whose parts (a front end, a system tool) are not there: reported, not failed."""


@dataclass(frozen=True)
class Sizes:
    """How big each job is; `full` is what the README's table comes from, `smoke` what CI runs."""

    name: str
    runs: int
    jpegs: int
    jpeg_size: tuple[int, int]
    videos: int
    audios: int
    video_size: tuple[int, int]
    video_seconds: int
    audio_seconds: int
    query_rows: int
    query_page: int  # the deep page asked for (pages of 50)
    grid_rows: tuple[int, ...]  # the first is the small library the largest is compared with
    server_file_mb: int
    server_list_rows: int
    server_clients: int
    server_requests: int  # per client
    sync_assets: int
    sync_noop_rows: int


FULL = Sizes(
    name="full",
    runs=3,
    jpegs=200,
    jpeg_size=(4000, 3000),
    videos=20,
    audios=20,
    video_size=(1280, 720),
    video_seconds=10,
    audio_seconds=30,
    query_rows=1_000_000,
    query_page=5_000,
    grid_rows=(10_000, 100_000, 1_000_000),
    server_file_mb=50,
    server_list_rows=100_000,
    server_clients=20,
    server_requests=25,
    sync_assets=500,
    sync_noop_rows=100_000,
)

SMOKE = Sizes(
    name="smoke",
    runs=1,
    jpegs=4,
    jpeg_size=(1152, 864),
    videos=2,
    audios=2,
    video_size=(320, 240),
    video_seconds=3,
    audio_seconds=3,
    query_rows=1_000,
    query_page=5,
    grid_rows=(500, 1_000),
    server_file_mb=2,
    server_list_rows=1_000,
    server_clients=4,
    server_requests=5,
    sync_assets=6,
    sync_noop_rows=1_000,
)


@dataclass
class Row:
    """One line of the table. Figures are already formatted; `met` is None when there is no target."""

    job: str
    atelier: str = ""
    reference: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""  # replaces the verdict: "skipped: ..." or "error: ..."

    @property
    def verdict(self) -> str:
        if self.note:
            return self.note
        if self.met is None:
            return "-"
        return "yes" if self.met else "NO"


@dataclass
class Context:
    """Passed to every job: sizes, where to cache and where to scribble."""

    sizes: Sizes
    cache: Path
    work: Path
    cores: int
    log: Callable[[str], None]
    details: list[str] = field(default_factory=list)  # printed under the table

    def scratch(self, name: str) -> Path:
        path = self.work / name
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path


def cache_root() -> Path:
    """~/.cache/atelier-bench (or ATELIER_BENCH_CACHE): generated corpora survive between runs."""
    env = os.environ.get("ATELIER_BENCH_CACHE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "atelier-bench"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(args: Sequence[str | Path], **kw: object) -> subprocess.CompletedProcess[bytes]:
    """Run a command quietly; raise with its last stderr line if it fails."""
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, check=False, **kw  # type: ignore[call-overload]
    )
    if result.returncode != 0:
        tail = result.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"{Path(str(args[0])).name} failed: {' | '.join(tail)}")
    return result


def atelier_cmd(*args: str | Path) -> list[str]:
    """The `atelier` command as this interpreter runs it (`python -m app`)."""
    return [sys.executable, "-m", "app", *map(str, args)]


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Skipped(f"{name} is not installed")
    return path


def need_module(name: str, what: str) -> None:
    import importlib

    try:
        importlib.import_module(name)
    except ImportError as exc:
        raise Skipped(f"{what} not there yet ({exc.name or name})") from None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process (this one by default) in MB, from /proc."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.001:
        return f"{value * 1000:.2f} ms"
    return f"{value * 1e6:.0f} µs"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b > 0 else "-"


def machine() -> str:
    """CPU model, cores, RAM and OS, for the line above the table."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    os_name = platform.platform(terse=True)
    try:
        release = dict(
            line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line
        )
        os_name = release.get("PRETTY_NAME", os_name).strip('"')
    except OSError:
        pass
    py = platform.python_version()
    return f"{cpu}, {os.cpu_count()} cores, {ram}, {os_name}, Python {py}"


def render(rows: Sequence[Row]) -> str:
    """A Markdown table, so the README can carry it as printed."""
    head = ["job", "Atelier", "reference", "ratio", "target", "met"]
    body = [[r.job, r.atelier, r.reference, r.ratio, r.target, r.verdict] for r in rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(cells) for cells in body]
    return "\n".join(out)
