"""ServerSettings: everything create_app needs, also passed to worker processes through the environment."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.core.formats import DEFAULT_MAX_BYTES
from app.library.throttle import LoginPolicy

ENV_VAR = "ATELIER_SERVER_SETTINGS"


@dataclass(frozen=True)
class ServerSettings:
    """How one server runs. public_base_url None: absolute URLs follow each request's own base URL."""

    data_dir: Path
    db_url: str | None = None
    public_base_url: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    probe_timeout: float = 60.0
    bucket_ttl: float = 24 * 3600.0  # seconds a v1 "bucket" upload stays reachable
    storage_url: str | None = None  # s3://bucket/prefix, or None for the library's assets/ folder
    s3_endpoint: str | None = None  # an S3-compatible store's URL (None: AWS itself)
    # Limits on every client (README, "Limits"); per worker process unless said otherwise.
    max_uploads: int = 32  # uploads in progress at once (503 beyond)
    max_uploads_per_user: int = 8  # uploads in progress at once per user (429 beyond)
    min_upload_rate: int = 1024  # bytes/s an upload must average over each window (408 below)
    upload_rate_window: float = 10.0  # seconds over which that rate is measured
    header_timeout: float = 10.0  # seconds to send a request's headers (408 after)
    max_connections: int = 1000  # open connections (503 and closed beyond)
    login_user_attempts: int = 5  # failed logins per user name before lockouts (all workers)
    login_address_attempts: int = 20  # failed logins per address before lockouts (all workers)
    login_lockout: float = 2.0  # seconds of the first lockout; each further failure doubles it
    login_max_lockout: float = 900.0
    login_window: float = 900.0  # failures are forgotten this many seconds after the last one

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser())
        if self.public_base_url is not None:
            url = self.public_base_url.strip().rstrip("/")
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"The public URL must start with http:// or https://: {url!r}")
            object.__setattr__(self, "public_base_url", url)
        if self.bucket_ttl <= 0:
            raise ValueError("The bucket lifetime must be positive")
        if self.max_bytes < 1:
            raise ValueError("The upload size limit must be at least one byte")
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        if self.storage_url is not None:
            from app.library.blobs import parse_s3_url

            parse_s3_url(self.storage_url)  # ValueError in the user's words
        if min(self.max_uploads, self.max_uploads_per_user, self.max_connections) < 1:
            raise ValueError("Upload and connection limits must be at least 1")
        if self.min_upload_rate < 0 or self.upload_rate_window <= 0 or self.header_timeout <= 0:
            raise ValueError("The minimum upload rate, its window and the header timeout must be positive")
        self.login_policy()  # checks the login limits

    def login_policy(self) -> LoginPolicy:
        return LoginPolicy(
            user_attempts=self.login_user_attempts,
            address_attempts=self.login_address_attempts,
            lockout=self.login_lockout,
            max_lockout=max(self.login_max_lockout, self.login_lockout),
            window=self.login_window,
        )

    def to_env(self) -> str:
        data = asdict(self)
        data["data_dir"] = str(self.data_dir)
        data["cors_origins"] = list(self.cors_origins)
        return json.dumps(data)

    @classmethod
    def from_env(cls) -> ServerSettings:
        raw = os.environ.get(ENV_VAR)
        if not raw:
            raise RuntimeError(f"{ENV_VAR} is not set")
        data = json.loads(raw)
        data["cors_origins"] = tuple(data.get("cors_origins") or ())
        return cls(**data)
