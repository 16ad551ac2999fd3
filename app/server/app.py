"""create_app(settings): the FastAPI application over one LibraryService."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

import anyio
import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import __app_name__, __version__
from app.core.errors import AtelierError
from app.library.blobs import StoreLocation
from app.library.recovery import THROTTLE_MEMORY
from app.library.service import LibraryService
from app.server import (
    assets,
    auth,
    campaigns,
    changes,
    clients,
    docs,
    errors,
    find,
    info,
    share,
    upload,
    v1,
)
from app.server.limits import UploadGate
from app.server.middleware import BodyGuard, CatchAll
from app.server.protocol import configure_protocol
from app.server.responses import use_error_detail_for_422
from app.server.settings import ServerSettings

DESCRIPTION = """\
The Asset API v2 (images, videos, audio, documents; Bearer tokens; owner-only access),
exactly as its spec describes, plus Atelier's documented extensions (clients, campaigns,
asset edits, login, idempotent uploads, a change feed, server info). Errors are
`{"detail": "..."}`. See the README's "API extensions" section.
"""

UPLOAD_PATH = "/api/v2/upload-asset"
# Seconds between sweeps of the pending-file journal and of stored files without a row; with
# several instances one of them does each sweep (a database lock), the others skip it.
SWEEP_INTERVAL = 600.0
log = logging.getLogger("atelier.server")


def create_app(settings: ServerSettings, library: LibraryService | None = None) -> FastAPI:
    """The app for settings; opens the library now (so a bad database fails before serving).

    A library passed in is used as is and left open; one opened here is closed at shutdown.
    """
    owned = library is None
    lib = library or LibraryService(
        settings.data_dir,
        settings.db_url,
        max_bytes=settings.max_bytes,
        probe_timeout=settings.probe_timeout,
        store=StoreLocation(settings.storage_url, settings.s3_endpoint),
    )

    # Each part runs while the server does; one lifespan enters them all, then closes the library.
    # (Factories: each start of the app, a test's second TestClient say, gets fresh ones.)
    parts: list[Callable[[], AbstractAsyncContextManager[None]]] = [lambda: _sweep_while_running(lib, _throttle_memory(settings))]

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            async with AsyncExitStack() as running:
                for part in parts:
                    await running.enter_async_context(part())
                yield
        finally:
            if owned:
                lib.close()

    app = FastAPI(
        title=f"{__app_name__} Asset API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by docs.install from bundled files instead of a CDN
        redoc_url=None,
    )
    lib.warm_up()  # the first listing finds its SQL compiled
    app.state.library = lib
    app.state.settings = settings
    app.state.upload_gate = UploadGate(settings.max_uploads, settings.max_uploads_per_user)
    dialects = errors.install(app)  # v2's shape, unless a dialect claims the route or path
    docs.install(app)
    for router in (
        info.router,
        upload.router,
        assets.router,
        clients.router,
        campaigns.router,
        auth.router,
        changes.router,
        find.router,
    ):
        app.include_router(router)
    share.install(app)  # client review and upload links (README, "Sharing with clients")
    use_error_detail_for_422(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-Api-Key", "Content-Type", "Idempotency-Key", "Range",
                           "If-None-Match", "If-Modified-Since", "If-Range"],
            expose_headers=["ETag", "Content-Range", "Content-Disposition", "Accept-Ranges"],
        )
    # Inside BodyGuard, so that a 500 gets the headers of every other answer; in its dialect's shape.
    app.add_middleware(CatchAll, render=errors.unexpected)
    app.add_middleware(BodyGuard, streamed_paths=frozenset({UPLOAD_PATH, v1.UPLOAD_PATH}),
                       streamed_pattern=share.UPLOAD_PATH)
    # The older dialect, beside v2: its routes, its error envelope, its bucket sweeps.
    parts.append(v1.install(app, lib, dialects, bucket_ttl=settings.bucket_ttl))
    return app


@asynccontextmanager
async def _sweep_while_running(lib: LibraryService, throttle_memory: float) -> AsyncIterator[None]:
    """The pending-file journal, orphaned files and stale throttle rows, swept every SWEEP_INTERVAL."""

    async def sweep() -> None:
        while True:
            await anyio.sleep(SWEEP_INTERVAL)
            try:
                await anyio.to_thread.run_sync(lambda: lib.sweep(throttle_memory=throttle_memory))
            except AtelierError as exc:  # the store or the database is down: next time
                log.warning("Sweep skipped: %s", exc)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(sweep)
        yield
        tasks.cancel_scope.cancel()


def _throttle_memory(settings: ServerSettings) -> float:
    """How long the sweep keeps a throttle row: past the login window and the longest lockout."""
    policy = settings.login_policy()
    return max(THROTTLE_MEMORY, policy.window, policy.max_lockout)


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn worker processes: settings come from ATELIER_SERVER_SETTINGS."""
    settings = ServerSettings.from_env()
    configure_protocol(settings.header_timeout, settings.max_connections)
    return create_app(settings)
