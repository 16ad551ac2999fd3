"""ServerSettings: everything create_app needs, also passed to worker processes through the environment."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.core.formats import DEFAULT_MAX_BYTES

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
