"""The older Assets API v1 dialect (x-api-key, {success, data} envelope), served beside v2."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI

from app.core.errors import AtelierError
from app.library.persons import PersonService
from app.library.service import LibraryService
from app.server.middleware import JSON_BODY_LIMIT
from app.server.v1 import assets, errors, persons
from app.server.v1.bucket import BUCKET_DIR_NAME, DEFAULT_TTL, Bucket

MAX_SWEEP_INTERVAL = 600.0
# The upload route reads its own body as a stream (the app's body guard must not limit it).
UPLOAD_PATH = "/api/assets"


def install(app: FastAPI, library: LibraryService, *, bucket_ttl: float = DEFAULT_TTL) -> None:
    """Add the v1 routes to app; call last, after the app's exception handlers and middleware."""
    bucket = Bucket(library.store.folder(library.data_dir, BUCKET_DIR_NAME), bucket_ttl)
    app.state.v1_bucket = bucket
    app.state.v1_persons = PersonService(library)
    app.include_router(assets.router)
    app.include_router(persons.router)
    errors.install(app)
    app.add_middleware(
        errors.DeclaredBodyLimit, limit=JSON_BODY_LIMIT, exempt=frozenset({UPLOAD_PATH})
    )
    _sweep_bucket_while_running(app, bucket, library)


def _sweep_bucket_while_running(app: FastAPI, bucket: Bucket, library: LibraryService) -> None:
    """Expired bucket files go on start and then periodically, for as long as the server runs.

    With several instances over one store, one of them does each sweep (a database lock).
    """
    previous = app.router.lifespan_context
    interval = min(max(bucket.ttl / 4, 1.0), MAX_SWEEP_INTERVAL)

    def cleanup() -> None:
        try:
            with library.exclusively("bucket-sweep") as got:
                if got:
                    bucket.cleanup()
        except AtelierError:
            pass  # the store or the database is down: the next sweep tries again

    async def sweep() -> None:
        while True:
            await anyio.sleep(interval)
            await anyio.to_thread.run_sync(cleanup)

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        await anyio.to_thread.run_sync(cleanup)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(sweep)
            async with previous(application) as state:
                yield state
            tasks.cancel_scope.cancel()

    app.router.lifespan_context = lifespan
