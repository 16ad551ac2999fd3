"""AtelierSettings: the ATELIER_* environment variables, read once by a front end and passed down.

The command line, the window and the server each build one (the lower layers cannot import
this module: they get plain values). Importing pydantic-settings costs ~0.15 s, so front
ends import this module only when a command needs a setting, never for `--help`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.core import paths


class AtelierSettings(BaseSettings):
    """Every variable is optional; an empty one counts as unset (as it always has)."""

    model_config = SettingsConfigDict(env_prefix="ATELIER_", frozen=True)

    data_dir: Path | None = None  # the library folder (else the OS's per-user data folder)
    log_dir: Path | None = None  # where the window logs (else the OS's per-user log folder)
    log_file: Path | None = None  # the command line's and the server's log file
    s3_endpoint: str | None = None  # an S3-compatible store's URL for --storage (else AWS)
    update_url: str | None = None  # where update checks ask (wins over the library setting)
    chromium: str | None = None  # the browser the self-test renders /docs in

    @field_validator("data_dir", "log_dir", "log_file", mode="before")
    @classmethod
    def _path(cls, value: object) -> object:
        if isinstance(value, str):
            return Path(value).expanduser() if value else None
        return value

    @field_validator("s3_endpoint", "update_url", "chromium", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        if isinstance(value, str):
            return value.strip() or None
        return value

    def library_dir(self, given: str | Path | None = None) -> Path:
        """--data-dir when given, else ATELIER_DATA_DIR, else the per-user data folder."""
        if given:
            return Path(given).expanduser()
        return self.data_dir or paths.user_data_dir()

    def logs_dir(self) -> Path:
        return self.log_dir or paths.user_log_dir()

    def log_path(self) -> Path:
        """ATELIER_LOG_FILE, else atelier.log in the per-user log folder."""
        return self.log_file or paths.user_log_dir() / "atelier.log"
