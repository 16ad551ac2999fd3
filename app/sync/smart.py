"""Smart folders merged with an Atelier server: for each folder the later edit (or deletion) wins."""

from __future__ import annotations

from app.api.find_schemas import SmartFolderState, SmartFolderSync
from app.library.find_sync import parse_states
from app.library.service import LibraryService
from app.sync.remote import RemoteCaps


def sync_smart_folders(lib: LibraryService, remote: object, caps: RemoteCaps) -> int:
    """Send every folder and deletion here, take the server's merged set back; returns how many
    changed here. One request, whatever the number of folders: folders are few and small."""
    client = getattr(remote, "client", None)
    if not caps.smart_folders or client is None or not hasattr(client, "sync_smart_folders"):
        return 0
    uid = lib.local_user_id
    mine = lib.find.smart_sync_state(uid)
    answer = client.sync_smart_folders(
        SmartFolderSync(folders=[SmartFolderState(**f.as_json()) for f in mine])
    )
    theirs = parse_states([f.model_dump() for f in answer.folders])
    known = {(f.uid, f.edited) for f in mine}
    return lib.find.merge_smart_state([f for f in theirs if (f.uid, f.edited) not in known], uid)
