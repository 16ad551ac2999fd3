"""Adding and removing remotes: find out what the server speaks, log in, keep the token."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.client.api import ApiClient
from app.client.transport import normalize_base_url
from app.client.v1 import V1Client
from app.library.service import LibraryService
from app.library.sync_store import RemoteConfig, SyncStore
from app.sync.errors import SyncError

KINDS = ("v2", "v1")


def add_remote(
    lib: LibraryService,
    url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    token: str | None = None,
    kind: str = "v2",
    name: str | None = None,
    timeout: tuple[float, float] = (10.0, 30.0),
) -> RemoteConfig:
    """Check the server and the credentials, then store the remote (with a token, never a password)."""
    if kind not in KINDS:
        raise SyncError(f"Unknown API kind {kind!r}; choose one of {', '.join(KINDS)}")
    if kind == "v1" and (token is None or username is not None):
        raise SyncError("A v1 server takes an API key: give it with --api-key")
    if (token is None) == (username is None):
        raise SyncError("Give either a user name (and password) or a token")
    base = normalize_base_url(url)
    store = SyncStore(lib)
    if any(r.url == base for r in store.list_remotes()):
        raise SyncError(f"{base} is already a remote (see `atelier remote list`)")
    if kind == "v1":
        with V1Client(base, token, timeout=timeout, retries=1) as v1:
            v1.list_assets(limit=1)  # a 401 here means the key is wrong
        return store.add_remote(_free_name(store, name or _default_name(base)), base, kind, None, token)
    with ApiClient(base, timeout=timeout, retries=1) as client:
        info = client.server_info()
        if token is None:
            if info is None or "login" not in info.extensions:
                raise SyncError("This server has no login; ask its administrator for a token and use --token")
            token = client.login(username or "", password or "").token
        else:
            client.token = token
            client.list_assets(limit=1)  # a 401 here means the token is wrong
    return store.add_remote(_free_name(store, name or _default_name(base)), base, kind, username, token)


def _default_name(base: str) -> str:
    parts = urlsplit(base)
    return parts.netloc + parts.path


def _free_name(store: SyncStore, wanted: str) -> str:
    taken = {r.name for r in store.list_remotes()}
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def remove_remote(lib: LibraryService, ref: str | None) -> RemoteConfig:
    store = SyncStore(lib)
    config = store.get_remote(ref)
    store.remove_remote(config.id)
    return config
