"""The one settings object: every ATELIER_* variable, its default, and who pays for reading it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import paths
from app.settings import AtelierSettings

REPO = Path(__file__).resolve().parents[2]
VARIABLES = ("DATA_DIR", "LOG_DIR", "LOG_FILE", "S3_ENDPOINT", "UPDATE_URL", "CHROMIUM")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(f"ATELIER_{name}", raising=False)
    return monkeypatch


def test_defaults_are_the_per_user_folders(clean_env: pytest.MonkeyPatch) -> None:
    s = AtelierSettings()
    assert s.library_dir() == paths.user_data_dir()
    assert s.logs_dir() == paths.user_log_dir()
    assert s.log_path() == paths.user_log_dir() / "atelier.log"
    assert (s.s3_endpoint, s.update_url, s.chromium) == (None, None, None)


def test_every_documented_variable_is_read(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("ATELIER_DATA_DIR", str(tmp_path / "lib"))
    clean_env.setenv("ATELIER_LOG_DIR", "~/atelier-logs")
    clean_env.setenv("ATELIER_LOG_FILE", str(tmp_path / "a.log"))
    clean_env.setenv("ATELIER_S3_ENDPOINT", "http://127.0.0.1:8333")
    clean_env.setenv("ATELIER_UPDATE_URL", " https://u.test/latest.json ")
    clean_env.setenv("ATELIER_CHROMIUM", "/opt/chromium")
    s = AtelierSettings()
    assert s.library_dir() == tmp_path / "lib"
    assert s.library_dir("~/given") == Path("~/given").expanduser()  # --data-dir wins
    assert s.logs_dir() == Path("~/atelier-logs").expanduser()
    assert s.log_path() == tmp_path / "a.log"
    assert s.s3_endpoint == "http://127.0.0.1:8333"
    assert s.update_url == "https://u.test/latest.json"
    assert s.chromium == "/opt/chromium"


def test_an_empty_variable_counts_as_unset(clean_env: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        clean_env.setenv(f"ATELIER_{name}", "")
    s = AtelierSettings()
    assert s.library_dir() == paths.user_data_dir()
    assert s.log_path() == paths.user_log_dir() / "atelier.log"
    assert (s.s3_endpoint, s.update_url, s.chromium) == (None, None, None)


def _modules_after(argv: list[str]) -> str:
    code = (
        "import sys\nfrom app.cli.main import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print('pydantic_settings' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["list", "--help"], ["no-such-command"]])
def test_the_fast_paths_do_not_read_the_settings(argv: list[str]) -> None:
    assert _modules_after(argv) == "False"


def test_a_command_reads_the_data_dir_from_the_settings(tmp_path: Path) -> None:
    env_lib = tmp_path / "from-env"
    out = subprocess.run(
        [sys.executable, "-m", "app.cli.main", "clients"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
        env={**_env(), "ATELIER_DATA_DIR": str(env_lib), "ATELIER_LOG_FILE": str(tmp_path / "cli.log")},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert (env_lib / "library.db").exists()


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ATELIER_") or k == "ATELIER_TEST_PG_URL"}
