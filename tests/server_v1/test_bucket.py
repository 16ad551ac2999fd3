"""Bucket storage: unguessable names, per-user listing, expiry and cleanup of leftovers."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.server.v1.bucket import Bucket, BucketFile
from tests.media import make_png


def put(bucket: Bucket, tmp_path: Path, user_id: int = 1, name: str = "a.png") -> BucketFile:
    sample = make_png(tmp_path, name=name)
    size = sample.path.stat().st_size
    return bucket.put(sample.path, "png", user_id=user_id, display_name=name, description="d", size=size)


def test_put_get_list_and_expire(tmp_path: Path) -> None:
    bucket = Bucket(tmp_path / "bucket", ttl=100)
    mine = put(bucket, tmp_path)
    theirs = put(bucket, tmp_path, user_id=2, name="b.png")
    assert len(mine.name) == len("x" * 32 + ".png") and mine.name != theirs.name
    assert bucket.get(mine.name) == mine
    assert [e.name for e in bucket.list_for(1)] == [mine.name]
    later = mine.expires_at + 1
    assert bucket.get(mine.name, now=later) is None
    assert bucket.list_for(1, now=later) == []
    assert bucket.cleanup(now=later) == 2
    assert sorted(os.listdir(bucket.root)) == []


@pytest.mark.parametrize("name", ["../library.db", "x.png", "a" * 32 + ".pdf", "a" * 32 + ".png.json", ""])
def test_malformed_names_resolve_to_nothing(tmp_path: Path, name: str) -> None:
    bucket = Bucket(tmp_path / "bucket")
    assert bucket.path_of(name) is None
    assert bucket.get(name) is None


def test_cleanup_removes_stale_leftovers_but_not_fresh_uploads(tmp_path: Path) -> None:
    bucket = Bucket(tmp_path / "bucket", ttl=100)
    live = put(bucket, tmp_path)
    stray = bucket.root / ("z" * 32 + ".png")
    stray.write_bytes(b"half an upload")
    fresh = bucket.root / ("y" * 32 + ".png")
    fresh.write_bytes(b"sidecar on its way")
    old = time.time() - 3600
    os.utime(stray, (old, old))
    (bucket.root / ("q" * 32 + ".png.json")).write_text("{not json")
    assert bucket.cleanup() == 1
    assert sorted(os.listdir(bucket.root)) == sorted([live.name, live.name + ".json", fresh.name])
