"""ApiClient: every v2 endpoint and documented extension as a typed method over the shared wire models."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.api.find_schemas import AssetMetadata, CampaignRightsSync, SmartFolderSync
from app.api.schemas import (
    AssetRead,
    AssetUpdate,
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    ChangeFeed,
    ClientCreate,
    ClientRead,
    ClientUpdate,
    DeleteResult,
    LoginRequest,
    TokenRead,
    WireModel,
    asset_adapter,
    asset_list_adapter,
)
from app.api.share_schemas import ReviewFeed, ShareLinkCreate, ShareLinkCreated
from app.client.errors import ApiError, ProtocolError, RemoteNotFound, ServerUnreachable
from app.client.multipart import MultipartFile
from app.client.transport import Transport

M = TypeVar("M", bound=BaseModel)
DOWNLOAD_CHUNK = 1024 * 1024
PAGE_MAX = 100  # the spec's largest page


class ServerInfo(WireModel):
    """GET /api/v2/server-info: which documented extensions the server speaks."""

    name: str = ""
    version: str = ""
    apiVersion: int = 2
    extensions: list[str] = []
    maxUploadBytes: int | None = None


# File transfers ask for the bytes as stored: requests would accept gzip by default, and a
# compressing server or proxy then sends a Content-Length that counts the compressed bytes.
IDENTITY = {"Accept-Encoding": "identity"}

_client_list = TypeAdapter(list[ClientRead])
_campaign_list = TypeAdapter(list[CampaignRead])


class Download:
    """A streamed file: iterate chunks(); the connection is released on close()/exit."""

    def __init__(self, response: requests.Response, base_url: str) -> None:
        self.response = response
        self.base_url = base_url
        length = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
        # A proxy that compresses anyway: requests decodes, so the length says nothing of the file.
        self.size: int | None = int(length) if length and length.isdigit() and not encoded else None
        self.content_type = response.headers.get("Content-Type", "")
        self.received = 0

    def chunks(self, chunk_size: int = DOWNLOAD_CHUNK) -> Iterator[bytes]:
        """The body in pieces; a cut connection or a short body raises ServerUnreachable."""
        try:
            for chunk in self.response.iter_content(chunk_size):
                self.received += len(chunk)
                yield chunk
        except (requests.exceptions.RequestException, OSError) as exc:
            raise ServerUnreachable(
                f"The connection to {self.base_url} broke during a download"
            ) from exc
        if self.size is not None and self.received != self.size:
            raise ServerUnreachable(
                f"The download from {self.base_url} stopped after {self.received} of {self.size} bytes"
            )

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> Download:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class ApiClient:
    """One server, one token. Methods raise the exceptions of app.client.errors."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: tuple[float, float] = (10.0, 60.0),
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.http = Transport(
            base_url, token, timeout=timeout, retries=retries, backoff=backoff, session=session
        )

    @property
    def base_url(self) -> str:
        return self.http.base_url

    @property
    def token(self) -> str | None:
        return self.http.token

    @token.setter
    def token(self, value: str | None) -> None:
        self.http.token = value

    def close(self) -> None:
        self.http.close()

    def release_thread(self) -> None:
        """Close the calling thread's connections (a worker thread that is done with this client)."""
        self.http.release_thread()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- parsing -----------------------------------------------------------------------

    def _parse(self, response: requests.Response, model: type[M] | TypeAdapter[Any]) -> Any:
        try:
            data = response.json()
        except ValueError:
            raise ProtocolError(
                f"{self.base_url} answered {response.request.method} {response.url} with something "
                "that is not JSON"
            ) from None
        try:
            if isinstance(model, TypeAdapter):
                return model.validate_python(data)
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ProtocolError(
                f"{self.base_url} sent an unexpected answer: {'.'.join(map(str, first['loc']))}: "
                f"{first['msg']}"
            ) from None

    def _get(self, path: str, model: type[M] | TypeAdapter[Any], **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return self._parse(self.http.request("GET", path, params=clean or None), model)

    # --- discovery and login -----------------------------------------------------------

    def server_info(self) -> ServerInfo | None:
        """The extensions the server offers, or None for a server that speaks only the spec."""
        try:
            response = self.http.request("GET", "/api/v2/server-info")
        except ApiError as exc:
            # A spec-only server answers an unknown path with some 4xx (404, 405, even 401).
            if exc.status is not None and 400 <= exc.status < 500:
                return None
            raise
        try:
            return self._parse(response, ServerInfo)  # type: ignore[no-any-return]
        except ProtocolError:
            return None

    def login(self, username: str, password: str) -> TokenRead:
        """Trade a user name and password for a token (the 'login' extension); keeps the token."""
        response = self.http.request(
            "POST",
            "/api/v2/auth/login",
            json_body=LoginRequest(username=username, password=password).model_dump(),
            idempotent=True,
        )
        token: TokenRead = self._parse(response, TokenRead)
        self.token = token.token
        return token

    # --- assets (spec) -----------------------------------------------------------------

    def list_assets(
        self,
        *,
        client_id: str | None = None,
        campaign_id: str | None = None,
        asset_type: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[AssetRead]:
        return self._get(  # type: ignore[no-any-return]
            "/api/v2/assets",
            asset_list_adapter,
            clientId=client_id,
            campaignId=campaign_id,
            asset_type=asset_type,
            limit=limit,
            offset=offset,
        )

    def iter_assets(self, page: int = PAGE_MAX) -> Iterator[AssetRead]:
        """Every asset of the caller, page by page (ids seen twice across pages are skipped)."""
        seen: set[str] = set()
        offset = 0
        while True:
            rows = self.list_assets(limit=page, offset=offset)
            for row in rows:
                if row.id not in seen:
                    seen.add(row.id)
                    yield row
            if len(rows) < page:
                return
            offset += len(rows)

    def download(self, asset_id: str, *, thumbnail: bool = False) -> Download:
        """Open the asset's file (or thumbnail) as a stream; use as a context manager."""
        path = f"/api/v2/assets/{asset_id}" + ("/thumbnail" if thumbnail else "")
        return Download(self.http.request("GET", path, stream=True, headers=IDENTITY), self.base_url)

    def exists(self, asset_id: str) -> bool:
        """Whether the asset is still there: the headers of its file, body never read."""
        try:
            self.download(asset_id).close()
        except RemoteNotFound:
            return False
        return True

    def upload(
        self,
        path: Path,
        *,
        filename: str | None = None,
        name: str | None = None,
        client_id: str | None = None,
        campaign_id: str | None = None,
        tags: Sequence[str] | None = None,
        content_type: str = "application/octet-stream",
        idempotency_key: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> AssetRead:
        """POST /upload-asset with the file streamed from disk.

        With an idempotency key the request is safe to retry (the server returns the first
        upload's asset), so it is retried like a GET; without one it is sent once.
        """
        fields: list[tuple[str, str]] = []
        if client_id:
            fields.append(("clientId", client_id))
        if campaign_id:
            fields.append(("campaignId", campaign_id))
        if name:
            fields.append(("name", name))
        if tags is not None:
            fields.append(("tags", json.dumps(list(tags), ensure_ascii=False)))
        boundary = f"atelier-{uuid.uuid4().hex}"
        bodies: list[MultipartFile] = []

        def body() -> MultipartFile:
            # A fresh reader per attempt; the boundary stays, so the headers stay valid.
            part = MultipartFile(
                fields, "file", path, filename or path.name, content_type, progress, boundary
            )
            bodies.append(part)
            return part

        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", **IDENTITY}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            response = self.http.request(
                "POST",
                "/api/v2/upload-asset",
                body=body,
                headers=headers,
                idempotent=idempotency_key is not None,
                ok=(200, 201),
            )
        finally:
            for part in bodies:
                part.close()
        return self._parse(response, asset_adapter)  # type: ignore[no-any-return]

    def delete_asset(self, asset_id: str) -> DeleteResult:
        response = self.http.request("DELETE", f"/api/v2/assets/{asset_id}")
        return self._parse(response, DeleteResult)  # type: ignore[no-any-return]

    # --- documented extensions ---------------------------------------------------------

    def update_asset(self, asset_id: str, update: AssetUpdate) -> AssetRead:
        """PATCH only the fields set on update (explicit None clears)."""
        response = self.http.request(
            "PATCH",
            f"/api/v2/assets/{asset_id}",
            json_body=update.model_dump(mode="json", exclude_unset=True),
            idempotent=True,
        )
        return self._parse(response, asset_adapter)  # type: ignore[no-any-return]

    def update_metadata(self, asset_id: str, body: dict[str, Any]) -> AssetMetadata:
        """Extension: PATCH an asset's rating, label or rights (the keys present change)."""
        response = self.http.request(
            "PATCH", f"/api/v2/assets/{asset_id}/metadata", json_body=body, idempotent=True
        )
        return self._parse(response, AssetMetadata)  # type: ignore[no-any-return]

    def sync_smart_folders(self, body: SmartFolderSync) -> SmartFolderSync:
        """Extension: merge smart folders with the server's; the answer is the merged set."""
        response = self.http.request(
            "POST", "/api/v2/smart-folder-sync",
            json_body=body.model_dump(mode="json"), idempotent=True,
        )
        return self._parse(response, SmartFolderSync)  # type: ignore[no-any-return]

    def sync_campaign_rights(self, body: CampaignRightsSync) -> CampaignRightsSync:
        """Extension: merge campaigns' rights with the server's; the answer is the merged set."""
        response = self.http.request(
            "POST", "/api/v2/campaign-rights-sync",
            json_body=body.model_dump(mode="json"), idempotent=True,
        )
        return self._parse(response, CampaignRightsSync)  # type: ignore[no-any-return]

    def changes(self, cursor: int = 0, limit: int = 500) -> ChangeFeed:
        return self._get("/api/v2/changes", ChangeFeed, cursor=cursor, limit=limit)  # type: ignore[no-any-return]

    def create_share_link(self, body: ShareLinkCreate) -> ShareLinkCreated:
        """Extension: a review or upload link on the server; its URL is in this answer only."""
        response = self.http.request(
            "POST", "/api/v2/share-links", json_body=body.model_dump(mode="json", exclude_none=True),
            ok=(201,),
        )
        return self._parse(response, ShareLinkCreated)  # type: ignore[no-any-return]

    def reviews(self, after: int = 0, limit: int = 500) -> ReviewFeed:
        """Extension: clients' decisions and comments on the user's assets (share links)."""
        return self._get("/api/v2/reviews", ReviewFeed, after=after, limit=limit)  # type: ignore[no-any-return]

    def list_clients(self) -> list[ClientRead]:
        return self._get("/api/v2/clients", _client_list)  # type: ignore[no-any-return]

    def create_client(self, name: str) -> ClientRead:
        response = self.http.request(
            "POST", "/api/v2/clients", json_body=ClientCreate(name=name).model_dump(), ok=(200, 201)
        )
        return self._parse(response, ClientRead)  # type: ignore[no-any-return]

    def update_client(self, client_id: str, name: str) -> ClientRead:
        response = self.http.request(
            "PATCH",
            f"/api/v2/clients/{client_id}",
            json_body=ClientUpdate(name=name).model_dump(),
            idempotent=True,
        )
        return self._parse(response, ClientRead)  # type: ignore[no-any-return]

    def delete_client(self, client_id: str) -> dict[str, Any]:
        response = self.http.request("DELETE", f"/api/v2/clients/{client_id}")
        return dict(response.json())

    def list_campaigns(self, client_id: str | None = None) -> list[CampaignRead]:
        return self._get("/api/v2/campaigns", _campaign_list, clientId=client_id)  # type: ignore[no-any-return]

    def create_campaign(self, client_id: str, name: str) -> CampaignRead:
        response = self.http.request(
            "POST",
            "/api/v2/campaigns",
            json_body=CampaignCreate(clientId=client_id, name=name).model_dump(),
            ok=(200, 201),
        )
        return self._parse(response, CampaignRead)  # type: ignore[no-any-return]

    def update_campaign(self, campaign_id: str, update: CampaignUpdate) -> CampaignRead:
        response = self.http.request(
            "PATCH",
            f"/api/v2/campaigns/{campaign_id}",
            json_body=update.model_dump(exclude_unset=True),
            idempotent=True,
        )
        return self._parse(response, CampaignRead)  # type: ignore[no-any-return]

    def delete_campaign(self, campaign_id: str) -> dict[str, Any]:
        response = self.http.request("DELETE", f"/api/v2/campaigns/{campaign_id}")
        return dict(response.json())
