"""A tiny server speaking only the five spec'd v2 endpoints (no extensions) over a LibraryService."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import uvicorn
from fastapi import FastAPI, File, Form, Header, HTTPException, Query, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from app.core.errors import RejectedFile
from app.library.errors import NotFound
from app.library.records import AssetQuery
from app.library.service import LibraryService
from app.library.wire import asset_read


def spec_app(lib: LibraryService) -> FastAPI:
    app = FastAPI()

    def user(authorization: str | None) -> int:
        if not authorization or not authorization.startswith("Bearer "):
            raise HTTPException(401, "Not authenticated")
        try:
            return lib.user_for_token(authorization[7:]).id
        except Exception:
            raise HTTPException(401, "Invalid token") from None

    def owned(asset_id: str, uid: int):  # type: ignore[no-untyped-def]
        try:
            return lib.get_asset(asset_id, uid)
        except NotFound:
            raise HTTPException(404, "Asset not found") from None

    @app.post("/api/v2/upload-asset", status_code=201)
    def upload(
        file: Annotated[UploadFile, File()],
        name: Annotated[str | None, Form()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        uid = user(authorization)
        try:
            record = lib.import_stream(
                file.file, file.filename or "upload", lib.default_target(user_id=uid), name=name
            )
        except RejectedFile as exc:
            raise HTTPException(400, str(exc)) from None
        return JSONResponse(asset_read(record).model_dump(mode="json"), status_code=201)

    @app.get("/api/v2/assets")
    def list_assets(
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
        authorization: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        uid = user(authorization)
        rows = lib.list_assets(AssetQuery(user_id=uid), limit=limit, offset=offset)
        return JSONResponse([asset_read(r).model_dump(mode="json") for r in rows])

    @app.get("/api/v2/assets/{asset_id}")
    def get_file(asset_id: str, authorization: Annotated[str | None, Header()] = None) -> FileResponse:
        record = owned(asset_id, user(authorization))
        return FileResponse(lib.file_path(record), media_type=record.mime)

    @app.get("/api/v2/assets/{asset_id}/thumbnail")
    def get_thumb(asset_id: str, authorization: Annotated[str | None, Header()] = None) -> FileResponse:
        record = owned(asset_id, user(authorization))
        return FileResponse(lib.thumb_path(record), media_type="image/jpeg")

    @app.delete("/api/v2/assets/{asset_id}")
    def delete(asset_id: str, authorization: Annotated[str | None, Header()] = None) -> dict[str, object]:
        record = owned(asset_id, user(authorization))
        lib.delete_asset(record.id)
        return {"success": True, "message": f"Asset {record.id} deleted successfully"}

    return app


@dataclass
class SpecServer:
    url: str
    token: str
    lib: LibraryService


@contextmanager
def spec_server(data_dir: Path, username: str = "studio") -> Iterator[SpecServer]:
    """Serve a library on 127.0.0.1 (uvicorn in a thread) with one user and a token for it."""
    lib = LibraryService(data_dir, workers=1)
    lib.create_user(username, "secret-pass")
    token = lib.create_token(username)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(spec_app(lib), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the spec-only server did not start")
            threading.Event().wait(0.02)
        yield SpecServer(f"http://127.0.0.1:{port}", token, lib)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        lib.close()
