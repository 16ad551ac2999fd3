"""Client share links: the owner's API, the review and upload pages, their files and static assets."""

from __future__ import annotations

import math

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from app.library.shares import LinkGone, ShareService, TooManyAttempts
from app.server.share import api, media, pages, uploads
from app.server.share.render import STATIC, STATIC_PREFIX, gone_json
from app.server.share.uploads import UPLOAD_PATH

__all__ = ["UPLOAD_PATH", "install"]


def install(app: FastAPI) -> None:
    app.state.shares = ShareService(app.state.library)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC), name="share-static")
    for router in (api.router, api.asset_router, api.reviews_router, pages.router, media.router,
                   uploads.router, pages.fallback):
        app.include_router(router)

    @app.exception_handler(LinkGone)
    async def _gone(request: Request, exc: LinkGone) -> JSONResponse:
        return gone_json(exc)

    @app.exception_handler(TooManyAttempts)
    async def _throttled(request: Request, exc: TooManyAttempts) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=429, headers={"Retry-After": str(max(1, math.ceil(exc.retry_after)))})
