"""V1Client: the older Assets API (x-api-key, {success, data} envelope) on the shared transport."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from app.api.v1 import V1_MAX_LIMIT, V1Asset, V1AssetPage, V1Ok
from app.client.api import IDENTITY, Download
from app.client.errors import ProtocolError, RemoteNotFound, ServerUnreachable, error_for_status
from app.client.multipart import MultipartFile
from app.client.transport import OriginAuth, Transport, error_detail, origin_of

M = TypeVar("M", bound=BaseModel)


class V1Client:
    """One v1 server, one API key. Methods raise the exceptions of app.client.errors."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout: tuple[float, float] = (10.0, 60.0),
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.http = Transport(
            base_url, None, timeout=timeout, retries=retries, backoff=backoff, session=session
        )
        self.http.auth = OriginAuth.api_key(api_key, self.http.origin)

    @property
    def base_url(self) -> str:
        return self.http.base_url

    def close(self) -> None:
        self.http.close()

    def release_thread(self) -> None:
        """Close the calling thread's connections (a worker thread that is done with this client)."""
        self.http.release_thread()

    def __enter__(self) -> V1Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _data(self, response: requests.Response, model: type[M]) -> M:
        """The `data` of a {"success": true, "data": ...} answer, checked against the model."""
        try:
            envelope = V1Ok[model]  # type: ignore[valid-type]
            return envelope.model_validate_json(response.content).data
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise ProtocolError(
                f"The server's answer is not a v1 {model.__name__} ({where}: {first.get('msg')})"
            ) from None

    def list_assets(
        self, type: str | None = None, page: int = 1, limit: int = V1_MAX_LIMIT
    ) -> V1AssetPage:
        params: dict[str, Any] = {"page": page, "limit": limit}
        if type is not None:
            params["type"] = type
        return self._data(self.http.request("GET", "/api/assets", params=params), V1AssetPage)

    def iter_assets(self, type: str | None = None) -> Iterator[V1Asset]:
        """Every asset, page by page, until a short page (or a server that ignores `page`)."""
        seen: set[str] = set()
        page = 1
        while True:
            batch = self.list_assets(type, page, V1_MAX_LIMIT).assets
            fresh = [a for a in batch if a.id not in seen]
            yield from fresh
            if len(batch) < V1_MAX_LIMIT or not fresh:
                return
            seen.update(a.id for a in fresh)
            page += 1

    def get_asset(self, asset_id: str) -> V1Asset:
        return self._data(self.http.request("GET", f"/api/assets/{asset_id}"), V1Asset)

    def exists(self, asset_id: str) -> bool:
        try:
            self.get_asset(asset_id)
        except RemoteNotFound:
            return False
        return True

    def download(self, url: str) -> Download:
        """An asset's file from its `url`; the key goes along only to the server's own origin."""
        if origin_of(url) == self.http.origin:
            response = self.http.request("GET", url, stream=True, headers=IDENTITY)
            return Download(response, self.base_url)
        # Files kept elsewhere (a CDN) are fetched as plain public URLs, without the key.
        try:
            response = self.http.session.get(
                url, stream=True, timeout=self.http.timeout, headers=IDENTITY
            )
        except requests.exceptions.RequestException as exc:
            raise ServerUnreachable(f"Cannot download {url}: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            detail = error_detail(response)
            response.close()
            raise error_for_status(response.status_code, detail)
        return Download(response, url)

    def upload(
        self,
        path: Path,
        *,
        type: str,
        name: str,
        description: str | None = None,
        content_type: str = "application/octet-stream",
        progress: Callable[[int, int], None] | None = None,
    ) -> V1Asset:
        """A multipart upload, streamed from disk (POST is not retried: it is not idempotent)."""
        fields = [("type", type)] + ([("description", description)] if description else [])
        boundary = f"atelier-{uuid.uuid4().hex}"
        bodies: list[MultipartFile] = []

        def body() -> MultipartFile:
            # A fresh reader per attempt; the boundary stays, so the header stays valid.
            part = MultipartFile(fields, "file", path, name, content_type, progress, boundary)
            bodies.append(part)
            return part

        try:
            response = self.http.request(
                "POST",
                "/api/assets",
                body=body,
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}", **IDENTITY},
                ok=(200, 201),
            )
        finally:
            for part in bodies:
                part.close()
        return self._data(response, V1Asset)

    def delete_asset(self, asset_id: str) -> None:
        self.http.request("DELETE", f"/api/assets/{asset_id}")
