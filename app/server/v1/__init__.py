"""The older Assets API v1 dialect (x-api-key, {success, data} envelope), served beside v2."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio
import anyio.to_thread
from fastapi import FastAPI

from app.core.errors import AtelierError
from app.library.persons import PersonService
from app.library.service import LibraryService
from app.server.errors import Dialects
from app.server.middleware import JSON_BODY_LIMIT
from app.server.v1 import assets, errors, persons
from app.server.v1.bucket import BUCKET_DIR_NAME, DEFAULT_TTL, Bucket

MAX_SWEEP_INTERVAL = 600.0
# The upload route reads its own body as a stream (the app's body guard must not limit it).
UPLOAD_PATH = "/api/assets"


def install(
    app: FastAPI, library: LibraryService, dialects: Dialects, *, bucket_ttl: float = DEFAULT_TTL
) -> Callable[[], AbstractAsyncContextManager[None]]:
    """Add the v1 routes to app and claim their paths for the v1 error envelope.

    Returns what v1 runs while the server does (the bucket sweeps), for the app's lifespan.
    Call after the app's other middleware: v1's body limit must see a request first.
    """
    bucket = Bucket(library.store.folder(library.data_dir, BUCKET_DIR_NAME), bucket_ttl)
    app.state.v1_bucket = bucket
    app.state.v1_persons = PersonService(library)
    app.include_router(assets.router)
    app.include_router(persons.router)
    dialects.claim(errors.V1_PATH, errors.V1)  # a 404/405/500 no v1 route answered
    app.add_middleware(
        errors.DeclaredBodyLimit, limit=JSON_BODY_LIMIT, exempt=frozenset({UPLOAD_PATH})
    )
    return lambda: _sweep_bucket_while_running(bucket, library)


@asynccontextmanager
async def _sweep_bucket_while_running(bucket: Bucket, library: LibraryService) -> AsyncIterator[None]:
    """Expired bucket files go on start and then periodically, for as long as the server runs.

    With several instances over one store, one of them does each sweep (a database lock).
    """
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

    await anyio.to_thread.run_sync(cleanup)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(sweep)
        yield
        tasks.cancel_scope.cancel()
