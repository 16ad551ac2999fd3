"""Named files in a folder of this machine or under a prefix of an S3-compatible bucket (boto3)."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlsplit

from app.core.errors import AtelierError

# Names are single path segments built by the library (UUIDs, tokens, fixed suffixes).
_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,200}$")
# Files above this go up in parts, each held in memory once per concurrent part.
MULTIPART_THRESHOLD = 8 * 1024 * 1024
MULTIPART_CHUNK = 8 * 1024 * 1024
MULTIPART_CONCURRENCY = 2


class StorageUnavailable(AtelierError):
    """The object store cannot be reached or refused a request; nothing was kept."""


@dataclass(frozen=True, slots=True)
class Blob:
    """A stored file: its name, size and modification time (seconds since the epoch)."""

    name: str
    size: int
    mtime: float


def _checked(name: str) -> str:
    if not _NAME.match(name) or ".." in name:
        raise ValueError(f"Not a storable name: {name!r}")
    return name


class Blobs(Protocol):
    """One folder of named files; every method may raise StorageUnavailable."""

    def describe(self) -> str: ...
    def put_file(self, name: str, path: Path) -> None:
        """Store the file at path under name; path is consumed (moved or uploaded and removed)."""
    def put_bytes(self, name: str, data: bytes) -> None: ...
    def get_bytes(self, name: str) -> bytes | None: ...
    def stat(self, name: str) -> Blob | None: ...
    def open(self, name: str) -> BinaryIO:
        """A seekable binary reader (FileNotFoundError when there is no such file)."""
    def delete(self, names: Iterable[str]) -> None: ...
    def list(self) -> Iterator[Blob]: ...
    def sync(self) -> None: ...


class LocalBlobs:
    """A folder: renames are atomic on one filesystem, and the folder is fsynced after them."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def describe(self) -> str:
        return str(self.root)

    def path(self, name: str) -> Path:
        return self.root / _checked(name)

    def put_file(self, name: str, path: Path) -> None:
        target = self.path(name)
        try:
            os.replace(path, target)
        except OSError:
            # The staging folder may sit on another filesystem (a symlinked folder).
            shutil.move(str(path), target)

    def put_bytes(self, name: str, data: bytes) -> None:
        target = self.path(name)
        tmp = self.root / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)

    def get_bytes(self, name: str) -> bytes | None:
        try:
            return self.path(name).read_bytes()
        except OSError:
            return None

    def stat(self, name: str) -> Blob | None:
        try:
            st = self.path(name).stat()
        except OSError:
            return None
        return Blob(name, st.st_size, st.st_mtime)

    def open(self, name: str) -> BinaryIO:
        return self.path(name).open("rb")

    def delete(self, names: Iterable[str]) -> None:
        for name in names:
            self.path(name).unlink(missing_ok=True)

    def list(self) -> Iterator[Blob]:
        for entry in os.scandir(self.root):
            if entry.is_file():
                try:
                    st = entry.stat()
                except OSError:
                    continue  # removed meanwhile
                yield Blob(entry.name, st.st_size, st.st_mtime)

    def sync(self) -> None:
        try:
            fd = os.open(self.root, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]


class _Unavailable:
    """Turns boto3's errors into StorageUnavailable with one line of the store's own words."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: Any) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        if exc is not None and isinstance(exc, (BotoCoreError, ClientError)):
            raise StorageUnavailable(f"The file store is unavailable: {_first_line(exc)}") from exc
        return None


def _missing(exc: BaseException) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


class _RangedReader(io.RawIOBase):
    """A seekable reader over one object: each seek starts a ranged GET from there."""

    def __init__(self, client: Any, bucket: str, key: str, size: int) -> None:
        super().__init__()
        self._client, self._bucket, self._key, self._size = client, bucket, key, size
        self._pos = 0
        self._body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        new = max(0, base + offset)
        if new != self._pos:
            self._drop()
            self._pos = new
        return self._pos

    def read(self, size: int = -1) -> bytes:
        if self._pos >= self._size:
            return b""
        if self._body is None:
            with _Unavailable():
                reply = self._client.get_object(
                    Bucket=self._bucket, Key=self._key, Range=f"bytes={self._pos}-"
                )
            self._body = reply["Body"]
        with _Unavailable():
            data: bytes = self._body.read(None if size < 0 else size)
        self._pos += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop()
        super().close()


class S3Blobs:
    """A prefix of a bucket. Credentials come from boto3's standard chain (environment, config files)."""

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, name: str) -> str:
        return f"{self.prefix}/{_checked(name)}" if self.prefix else _checked(name)

    def put_file(self, name: str, path: Path) -> None:
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD,
            multipart_chunksize=MULTIPART_CHUNK,
            max_concurrency=MULTIPART_CONCURRENCY,
        )
        with _Unavailable():
            self.client.upload_file(str(path), self.bucket, self.key(name), Config=config)
        Path(path).unlink(missing_ok=True)

    def copy_in(self, name: str, path: Path, sha256: str) -> bool:
        """Upload a copy of path (kept), read it back, and mark it verified if its sha256 matches."""
        import hashlib

        from boto3.s3.transfer import TransferConfig

        key = self.key(name)
        config = TransferConfig(multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_CHUNK)
        with _Unavailable():
            self.client.upload_file(str(path), self.bucket, key, Config=config)
            digest = hashlib.sha256()
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            for chunk in body.iter_chunks(1024 * 1024):
                digest.update(chunk)
            if digest.hexdigest() != sha256:
                self.client.delete_object(Bucket=self.bucket, Key=key)
                return False
            # Metadata changes only by a copy onto itself; a large object is copied in parts.
            self.client.copy(
                {"Bucket": self.bucket, "Key": key}, self.bucket, key,
                ExtraArgs={"Metadata": {"sha256": sha256}, "MetadataDirective": "REPLACE"},
                Config=config,
            )
        return True

    def verified_sha256(self, name: str) -> str | None:
        """The sha256 a migration checked this object against, if it did."""
        try:
            with _Unavailable():
                head = self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except StorageUnavailable as exc:
            if exc.__cause__ is not None and _missing(exc.__cause__):
                return None
            raise
        value = head.get("Metadata", {}).get("sha256")
        return str(value) if value else None

    def put_bytes(self, name: str, data: bytes) -> None:
        with _Unavailable():
            self.client.put_object(Bucket=self.bucket, Key=self.key(name), Body=data)

    def get_bytes(self, name: str) -> bytes | None:
        try:
            with _Unavailable():
                reply = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
                return bytes(reply["Body"].read())
        except StorageUnavailable as exc:
            if exc.__cause__ is not None and _missing(exc.__cause__):
                return None
            raise

    def stat(self, name: str) -> Blob | None:
        try:
            with _Unavailable():
                head = self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except StorageUnavailable as exc:
            if exc.__cause__ is not None and _missing(exc.__cause__):
                return None
            raise
        return Blob(name, int(head["ContentLength"]), head["LastModified"].timestamp())

    def open(self, name: str) -> BinaryIO:
        found = self.stat(name)
        if found is None:
            raise FileNotFoundError(name)
        return io.BufferedReader(
            _RangedReader(self.client, self.bucket, self.key(name), found.size), 1024 * 1024
        )

    def delete(self, names: Iterable[str]) -> None:
        keys = [{"Key": self.key(n)} for n in names]
        for start in range(0, len(keys), 1000):
            with _Unavailable():
                self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True}
                )

    def list(self) -> Iterator[Blob]:
        start = f"{self.prefix}/" if self.prefix else ""
        with _Unavailable():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start, Delimiter="/"
            )
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(start) :]
                    if _NAME.match(name):
                        yield Blob(name, int(item["Size"]), item["LastModified"].timestamp())

    def sync(self) -> None:
        return None  # an object is durable once its PUT is answered


@dataclass(frozen=True)
class StoreLocation:
    """Where a server keeps its files: None for the library folder, else an s3:// URL."""

    url: str | None = None
    endpoint: str | None = None

    def folder(self, data_dir: Path, name: str) -> Blobs:
        """The store's folder `name` ("assets", "bucket") for the library in data_dir."""
        if self.url is None:
            return LocalBlobs(data_dir / name)
        bucket, prefix = parse_s3_url(self.url)
        return S3Blobs(s3_client(self.endpoint), bucket, f"{prefix}/{name}" if prefix else name)


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of s3://bucket/prefix; ValueError in the user's terms otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"Storage must be an s3://bucket/prefix URL: {url!r}")
    return parts.netloc, parts.path.strip("/")


_clients: dict[str | None, Any] = {}


def s3_client(endpoint: str | None) -> Any:
    """One thread-safe client per endpoint, with short timeouts so an outage is a quick 503."""
    if endpoint not in _clients:
        import boto3
        from botocore.config import Config

        config = Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 2, "mode": "standard"},
            max_pool_connections=32,
            s3={"addressing_style": "path"},
        )
        session = boto3.session.Session()
        _clients[endpoint] = session.client(
            "s3",
            endpoint_url=endpoint or None,
            config=config,
            region_name=session.region_name or "us-east-1",
        )
    return _clients[endpoint]
