"""Large libraries for the query, grid, server and sync jobs: a real schema, rows inserted in bulk."""

from __future__ import annotations

import random
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from app.library.db import MIGRATIONS_DIR
from app.library.service import LibraryService
from tests.bench.corpus import DONE

VERSION = 1
CLIENTS = 20
CAMPAIGNS_PER_CLIENT = 5
CHUNK = 50_000
START = datetime(2020, 1, 1)

# Six images in ten, like a designer's library; the rest videos, audio and documents.
_TYPES = ("image", "image", "video", "image", "audio", "image", "video", "image", "document", "image")
_FORMATS = {
    "image": (("jpg", "image/jpeg"), ("png", "image/png"), ("webp", "image/webp"), ("gif", "image/gif")),
    "video": (("mp4", "video/mp4"), ("mov", "video/quicktime")),
    "audio": (("mp3", "audio/mpeg"), ("wav", "audio/wav")),
    "document": (("pdf", "application/pdf"),),
}
_WORDS = ("hero", "banner", "teaser", "logo", "poster", "story", "reel", "jingle", "brief", "mood")
_TAGS = (None, None, None, '["hero"]', '["blue", "spring"]', None, '["final"]', None)


def schema_key() -> str:
    """Changes when a migration is added, so cached libraries follow the schema."""
    names = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))
    return "-".join(n[:4] for n in names)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _stamp(moment: datetime) -> str:
    # The text SQLAlchemy stores for a DateTime on SQLite.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _rows(
    count: int, user_id: int, campaigns: list[tuple[str, str]], clients: list[str]
) -> Iterator[tuple[object, ...]]:
    rng = random.Random(count)
    for i in range(count):
        asset_id = _uuid(rng)
        kind = _TYPES[i % len(_TYPES)]
        options = _FORMATS[kind]
        fmt, mime = options[i % len(options)]
        # Roughly one upload a minute over the years, in order, with jitter.
        moment = START + timedelta(seconds=i * 60 + rng.randrange(60))
        pick = rng.randrange(10)
        if pick < 3:
            client_id = campaign_id = None
        elif pick < 5:
            client_id, campaign_id = clients[rng.randrange(len(clients))], None
        else:
            client_id, campaign_id = campaigns[rng.randrange(len(campaigns))]
        width = height = duration = pages = None
        if kind in ("image", "video"):
            width, height = (1920, 1080) if i % 3 else (1080, 1350)
        if kind in ("video", "audio"):
            duration = 5 + i % 300
        if kind == "document":
            pages = 1 + i % 40
        stamp = _stamp(moment)
        yield (
            asset_id,
            user_id,
            client_id,
            campaign_id,
            f"{_WORDS[i % len(_WORDS)]}-{i:07d}.{fmt}",
            kind,
            f"/api/v2/assets/{asset_id}",
            10_000 + rng.randrange(40_000_000),
            stamp,
            fmt,
            _TAGS[i % len(_TAGS)],
            width,
            height,
            duration,
            f"/api/v2/assets/{asset_id}/thumbnail",
            f"/api/v2/assets/{asset_id}/waveform" if kind == "audio" else None,
            pages,
            mime,
            f"{rng.getrandbits(256):064x}",
            stamp,
            i + 1,
            None,
            None,
        )


COLUMNS = (
    "id", "user_id", "client_id", "campaign_id", "name", "asset_type", "url", "size",
    "uploaded_at", "format", "tags", "width", "height", "duration", "thumbnail_url",
    "waveform_url", "page_count", "mime", "sha256", "updated_at", "change_seq", "purpose",
    "description",
)  # fmt: skip


def _fill(folder: Path, count: int) -> None:
    rng = random.Random(-count)
    with LibraryService(folder) as lib:
        user_id = lib.local_user_id
        clients, campaigns = [], []
        for c in range(CLIENTS):
            client = lib.create_client(f"Client {c:02d}", client_id=_uuid(rng))
            clients.append(client.id)
            for k in range(CAMPAIGNS_PER_CLIENT):
                campaign = lib.create_campaign(client.id, f"Campaign {k}", campaign_id=_uuid(rng))
                campaigns.append((client.id, campaign.id))
    db = sqlite3.connect(folder / "library.db", isolation_level=None)
    try:
        indexes = [
            sql
            for (sql,) in db.execute(
                "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name='assets' AND sql IS NOT NULL"
            )
        ]
        names = [n for (n,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='assets' AND sql IS NOT NULL"
        )]  # fmt: skip
        # Indexes are dropped for the bulk load and rebuilt from their own SQL afterwards.
        for name in names:
            db.execute(f'DROP INDEX "{name}"')
        marks = ",".join("?" * len(COLUMNS))
        insert = f"INSERT INTO assets ({','.join(COLUMNS)}) VALUES ({marks})"
        rows = _rows(count, user_id, campaigns, clients)
        while True:
            chunk = [row for _, row in zip(range(CHUNK), rows)]
            if not chunk:
                break
            db.execute("BEGIN")
            db.executemany(insert, chunk)
            db.execute("COMMIT")
        for sql in indexes:
            db.execute(sql)
        db.execute("UPDATE counters SET value = ? WHERE name = 'changes'", (count,))
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def library(cache: Path, count: int, log: Callable[[str], None]) -> Path:
    """A library folder with `count` assets of the local user (cached; treat it as read-only)."""
    folder = cache / f"library-v{VERSION}-{schema_key()}-{count}"
    if (folder / DONE).exists():
        return folder
    log(f"building a {count:,}-asset library (once; cached in {cache})")
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    _fill(tmp, count)
    (tmp / DONE).touch()
    tmp.rename(folder)
    return folder


def copy(source: Path, dest: Path) -> Path:
    """A writable copy of a cached library (database files only; the assets folder is recreated)."""
    shutil.rmtree(dest, ignore_errors=True)
    (dest / "assets").mkdir(parents=True)
    for name in ("library.db", "library.db-wal", "library.db-shm"):
        if (source / name).exists():
            shutil.copyfile(source / name, dest / name)
    return dest


def newest_ids(folder: Path, limit: int) -> list[str]:
    """The ids of the newest assets, in the grid's default order."""
    db = sqlite3.connect(folder / "library.db")
    try:
        return [
            i
            for (i,) in db.execute(
                "SELECT id FROM assets ORDER BY uploaded_at DESC, id DESC LIMIT ?", (limit,)
            )
        ]
    finally:
        db.close()
