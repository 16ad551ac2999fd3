"""A server that speaks only the v1 dialect, as a sync Remote: images with their purpose."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from app.api.v1 import V1_PURPOSES, V1Asset
from app.client.api import Download
from app.client.errors import InvalidRequest, RemoteNotFound
from app.client.v1 import V1Client
from app.core.errors import InvalidFileType
from app.core.formats import classify
from app.library.records import UNSET, AssetRecord, Unset
from app.sync.remote import ChangePage, Filing, RemoteAsset, RemoteCaps

NOT_CARRIED = (
    "A v1 server takes only images with a face or template purpose "
    "(set one in the details pane, then sync with --retry-skipped)"
)


def carries(kind: str, asset: AssetRecord) -> bool:
    """Whether a remote of this dialect can hold the asset (v1: images with a purpose)."""
    return kind != "v1" or (asset.asset_type == "image" and asset.purpose in V1_PURPOSES)


def _format(a: V1Asset) -> str:
    try:
        return classify(a.mimeType)[1]
    except InvalidFileType:
        # A server that names the type loosely: the name's extension, checked on download.
        return a.name.rsplit(".", 1)[-1].lower() if "." in a.name else a.mimeType


class V1Remote:
    """A V1Client seen through the Remote interface: no feed, no edits, no folders, no tags.

    Only faces and templates exist there; what else the library holds stays local.
    """

    # Uploads go one at a time: a v1 upload is one base64 JSON body, and v1 servers are old.
    upload_slots = 1

    def __init__(self, client: V1Client) -> None:
        self.client = client
        self.url = client.base_url
        self._urls: dict[str, str] = {}

    def connect(self) -> RemoteCaps:
        self.client.list_assets(limit=1)  # the key works, the dialect answers
        return RemoteCaps(kind="v1", server="a v1 Assets API server")

    def close(self) -> None:
        self.client.close()

    def release_thread(self) -> None:
        self.client.release_thread()

    def _asset(self, a: V1Asset) -> RemoteAsset:
        self._urls[a.id] = a.url
        return RemoteAsset(
            id=a.id,
            name=a.name,
            tags=(),
            filing=None,  # v1 has no clients or campaigns: this side cannot tell
            asset_type="image",
            format=_format(a),
            size=a.size,
            uploaded_at=a.createdAt,
            purpose=a.type,
        )

    def changes(self, cursor: int) -> ChangePage:
        raise InvalidRequest("A v1 server has no change feed")

    def list_assets(self) -> list[RemoteAsset]:
        return [self._asset(a) for kind in V1_PURPOSES for a in self.client.iter_assets(kind)]

    def exists(self, remote_id: str) -> bool:
        return self.client.exists(remote_id)

    def download(self, asset: RemoteAsset) -> Download:
        url = self._urls.get(asset.id) or self.client.get_asset(asset.id).url
        return self.client.download(url)

    def upload(
        self,
        path: Path,
        *,
        name: str,
        tags: Sequence[str],
        filing: Filing,
        content_type: str,
        key: str | None,
        progress: Callable[[int, int], None] | None = None,
        purpose: str | None = None,
    ) -> RemoteAsset:
        if purpose is None or purpose not in V1_PURPOSES or not content_type.startswith("image/"):
            raise InvalidRequest(NOT_CARRIED)
        return self._asset(
            self.client.upload(
                path, type=purpose, name=name, content_type=content_type, progress=progress
            )
        )

    def update(
        self,
        remote_id: str,
        *,
        name: str | Unset = UNSET,
        tags: Sequence[str] | Unset = UNSET,
        filing: Filing | Unset = UNSET,
    ) -> RemoteAsset:
        raise InvalidRequest("A v1 server cannot edit assets")

    def delete(self, remote_id: str) -> None:
        try:
            self.client.delete_asset(remote_id)
        except RemoteNotFound:
            pass  # already gone: what we wanted
