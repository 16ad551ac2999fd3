"""Smart folders merged with an Atelier server: for each folder the later edit (or deletion) wins."""

from __future__ import annotations

from collections.abc import Sequence

from app.api.find_schemas import SmartFolderState, SmartFolderSync
from app.core import hlc
from app.library.find_sync import parse_states
from app.library.service import LibraryService
from app.sync.remote import RemoteCaps

SUMMARY_KEY = "smart_folders_at"


def sync_smart_folders(
    lib: LibraryService,
    remote: object,
    caps: RemoteCaps,
    server_at: str | None,
    last: object,
) -> tuple[int, list[str | None] | None]:
    """Send every folder and deletion here, take the server's merged set back.

    Returns (how many changed here, [latest edit here, latest on the server] after it). One
    request, and none when neither side's latest edit moved since the last merge (`last`,
    that pair as the previous sync left it; server_at, what the feed says now; without a
    feed the server is always asked)."""
    client = getattr(remote, "client", None)
    if not caps.smart_folders or client is None or not hasattr(client, "sync_smart_folders"):
        return 0, None
    uid = lib.local_user_id
    here_at = lib.find.smart_latest(uid)
    if caps.feed and _unchanged(last, here_at, server_at):
        return 0, [here_at, server_at]
    mine = lib.find.smart_sync_state(uid)
    answer = client.sync_smart_folders(
        SmartFolderSync(folders=[SmartFolderState(**f.as_json()) for f in mine])
    )
    theirs = parse_states([f.model_dump() for f in answer.folders])
    known = {(f.uid, f.edited) for f in mine}
    changed = lib.find.merge_smart_state([f for f in theirs if (f.uid, f.edited) not in known], uid)
    return changed, [lib.find.smart_latest(uid), hlc.latest(f.edited for f in theirs)]


def _unchanged(last: object, here_at: str | None, server_at: str | None) -> bool:
    if not isinstance(last, Sequence) or isinstance(last, str) or len(last) != 2:
        return False
    # The feed of a server with this extension always says (None: it has no folders).
    return list(last) == [here_at, server_at]
