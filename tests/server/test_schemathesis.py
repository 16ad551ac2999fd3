"""Schemathesis against the server's own OpenAPI document: no server errors, no schema violations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import media
from tests.server.conftest import cluster_server
from tests.server.live import live_server

HERE = Path(__file__).resolve().parent
# Seconds of generated requests per database; the whole test stays within about two minutes.
BUDGET = {"sqlite": 50, "postgres": 25, "cluster": 20}
# Examples per operation: fewer through the cluster (its every request crosses HAProxy and S3).
EXAMPLES = {"sqlite": 25, "postgres": 25, "cluster": 8}


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite", "postgres", "cluster"])
def test_schemathesis_finds_nothing(database: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    db_url = request.getfixturevalue("pg_url") if database == "postgres" else None
    start = (
        cluster_server(tmp_path / "cluster")
        if database == "cluster"
        else live_server(tmp_path / "library", db_url)
    )
    samples = tmp_path / "samples"
    samples.mkdir()
    media.make_png(samples)
    media.make_jpeg(samples)
    media.make_gif(samples)
    media.make_mp3(samples, 1.0)
    media.make_pdf(samples, 1)
    with start as live:
        token = live.user("fuzzer")
        # Someone else's data the fuzzer must never reach (the stateful checks try).
        live.user("bystander")
        env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
            "ATELIER_ST_SAMPLES": str(samples),
        }
        command = [
            sys.executable, "-m", "schemathesis.cli",
            "--config-file", str(HERE / "schemathesis.toml"),
            "run", f"{live.base_url}/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--include-path-regex", "^/api/v2/",
            "--checks", "all",
            "--max-examples", str(EXAMPLES[database]),
            "--max-time", str(BUDGET[database]),
            "--workers", "1",  # CPython 3.11 can trip over its own AST in threads
            "--seed", "20251116",
            "--generation-database", "none",
            "--request-timeout", "30",
            "--output-truncate", "true",
        ]  # fmt: skip
        result = subprocess.run(
            command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=BUDGET[database] + 120
        )
        report = result.stdout[-12000:] + result.stderr[-3000:]
        assert result.returncode == 0, report
        for sign in ("Traceback", "Unexpected error", "Exception in ASGI application"):
            assert sign not in live.output(), live.output()[-4000:]
