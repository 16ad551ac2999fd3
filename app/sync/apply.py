"""Carrying out a plan, action by action, so that an interruption at any point resumes cleanly."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from app.client.errors import ApiError, InvalidRequest, ProtocolError, ServerUnreachable
from app.core.errors import AtelierError, FileTooLarge, RejectedFile
from app.core.ingest import analyze
from app.core.staging import StagedFile, stage_stream
from app.library.errors import NotFound
from app.library.find_sync import EMPTY_RIGHTS
from app.library.records import AssetChanges, CancelToken
from app.library.service import LibraryService, Target
from app.library.storage import UnsafePath, validate_uuid
from app.library.sync_store import SyncStore
from app.sync.errors import FATAL, Cancelled
from app.sync.plan import (
    DELETE_LOCAL,
    DELETE_REMOTE,
    DOWNLOAD,
    EDIT,
    FIND_FIELDS,
    FORGET,
    LINK,
    UPLOAD,
    Action,
    LocalView,
    Plan,
    changed_fields,
    remote_times_of,
)
from app.sync.push import Pusher
from app.sync.remote import Filing, Remote, RemoteAsset

ORDER = (LINK, DOWNLOAD, UPLOAD, EDIT, DELETE_REMOTE, DELETE_LOCAL, FORGET)
VERBS = {
    LINK: "Matching",
    DOWNLOAD: "Downloading",
    UPLOAD: "Uploading",
    EDIT: "Updating",
    DELETE_REMOTE: "Deleting on the server",
    DELETE_LOCAL: "Deleting here",
    FORGET: "Forgetting",
}


@dataclass(slots=True)
class SyncProgress:
    """Where a sync is: actions done of total, the current step, and bytes of the current
    transfer (while several uploads are in flight: of all the uploads together)."""

    done: int
    total: int
    message: str
    bytes_done: int = 0
    bytes_total: int = 0


ProgressFn = Callable[[SyncProgress], None]


@dataclass(slots=True)
class Outcome:
    done: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, kind: str) -> None:
        self.done[kind] = self.done.get(kind, 0) + 1


def _plain(value: object) -> object:
    """A field's value as JSON: text, a list of tags, or [client, campaign, direct]."""
    if isinstance(value, Filing):
        return value.to_list()
    if isinstance(value, tuple):
        return list(value)
    return value


def local_filing_ids(lib: LibraryService, filing: Filing) -> tuple[str | None, str | None]:
    """Local (client id, campaign id) for a filing by names, created when missing."""
    if not filing.client:
        return None, None
    uid = lib.local_user_id
    client = lib.find_client(filing.client, uid) or lib.create_client(filing.client, uid)
    campaign_id = None
    if filing.campaign:
        campaign = lib.find_campaign(client.id, filing.campaign) or lib.create_campaign(
            client.id, filing.campaign, uid
        )
        campaign_id = campaign.id
    return (client.id if filing.direct or not campaign_id else None), campaign_id


def _same_format(a: str, b: str) -> bool:
    norm = {"jpeg": "jpg"}
    return norm.get(a.lower(), a.lower()) == norm.get(b.lower(), b.lower())


class Applier:
    def __init__(
        self,
        lib: LibraryService,
        store: SyncStore,
        remote: Remote,
        plan: Plan,
        progress: ProgressFn | None = None,
        cancel: CancelToken | None = None,
        upload_slots: int = 1,
    ) -> None:
        self.lib = lib
        self.store = store
        self.remote = remote
        self.plan = plan
        self.remote_id = plan.remote.id
        self.progress = progress
        self.cancel = cancel
        self.upload_slots = upload_slots
        self.outcome = Outcome(warnings=list(plan.warnings))
        self._done = 0
        self._total = 0
        self._view: LocalView | None = None
        self._received = 0  # bytes of the download in progress
        self._history: list[dict[str, object]] = []

    # --- driving ---------------------------------------------------------------------------

    def run(self) -> Outcome:
        actions = sorted(self.plan.actions, key=lambda a: ORDER.index(a.kind))
        self._total = len(actions)
        uploads = [a for a in actions if a.kind == UPLOAD]
        for n, action in enumerate(actions):
            self._check()
            if action.kind == UPLOAD:
                if action is uploads[0]:
                    # The uploads are one run in ORDER: sent together, several at a time.
                    self._done = n
                    for up in uploads:
                        if up.pull:
                            self._take_before_upload(up)
                    Pusher(self, uploads, self.upload_slots).run()
                continue
            self._done = n
            self._report(f"{VERBS[action.kind]} {action.label}")
            try:
                getattr(self, "_" + action.kind.replace("-", "_"))(action)
            except FATAL:
                raise
            except (RejectedFile, InvalidRequest) as exc:
                self._skip(action, str(exc))
            except (ApiError, AtelierError, OSError) as exc:
                self.outcome.failed.append(f"{action.label}: {exc}")
        self._done = self._total
        if self._history:
            self.lib.add_sync_history(self.remote_id, uuid.uuid4().hex, self._history)
        self._report("done")
        return self.outcome

    def _remember(self, a: Action, local_times: dict[str, str]) -> None:
        """What this action changed on each side, with the value replaced and both edit times."""
        L, R = a.local, a.remote
        if L is None:
            return
        here = self.view.snapshot(L)
        there = R.snapshot if R is not None else (a.link.base if a.link else None)
        base = a.link.base if a.link is not None else None
        rtimes = remote_times_of(R) or {}
        for side, fields, old_snap, old_times, new_times in (
            ("here", a.pull, here, local_times, rtimes),
            ("server", a.push, there, rtimes, local_times),
        ):
            for f, value in fields.items():
                old = getattr(old_snap, f) if old_snap is not None else None
                conflict = base is None or (old_snap is not None and f in changed_fields(old_snap, base))
                self._history.append(
                    {
                        "asset_id": L.id,
                        "remote_asset_id": (a.link.remote_asset_id if a.link else None) or (R.id if R else None),
                        "label": a.label,
                        "field": f,
                        "side": side,
                        "old": _plain(old),
                        "new": _plain(value),
                        "old_time": old_times.get(f),
                        "new_time": a.times.get(f) or new_times.get(f),
                        "conflict": conflict,
                    }
                )

    def _check(self) -> None:
        if self.cancel is not None and self.cancel.cancelled:
            raise Cancelled("Sync cancelled")

    def _report(self, message: str, done_bytes: int = 0, total_bytes: int = 0) -> None:
        if self.progress is not None:
            self.progress(SyncProgress(self._done, self._total, message, done_bytes, total_bytes))

    def _skip(self, action: Action, reason: str) -> None:
        """A file one side refuses: remembered (not retried each time) and reported."""
        up = action.kind == UPLOAD
        self.store.skip(
            self.remote_id,
            asset_id=action.local.id if up and action.local else None,
            remote_asset_id=None if up else (action.remote.id if action.remote else None),
            direction="up" if up else "down",
            reason=reason,
        )
        where = "the server refused" if up else "refused from the server"
        self.outcome.skipped.append(f"{action.label}: {where}: {reason}")

    @property
    def view(self) -> LocalView:
        if self._view is None:
            self._view = LocalView(self.lib, self.plan.caps.find)
        return self._view

    # --- local filing ----------------------------------------------------------------------

    def _local_ids(self, filing: Filing) -> tuple[str | None, str | None]:
        return local_filing_ids(self.lib, filing)

    # --- actions ---------------------------------------------------------------------------

    def _link(self, a: Action) -> None:
        L, R = a.local, a.remote
        assert L is not None and R is not None and a.base is not None
        if a.push or a.pull:
            self._remember(a, self.lib.edit_times([L.id]).get(L.id, {}))
            # A first match merged per field: each side takes the fields it lost.
            if a.pull:
                self._pull(L.id, a)
            updated_at = R.updated_at
            if a.push:
                pushed = {f: t for f, t in a.times.items() if f in a.push}
                extra = {"edit_times": pushed} if pushed else {}
                answer = self.remote.update(R.id, **a.push, **extra)  # type: ignore[arg-type]
                updated_at = answer.updated_at if answer is not None else None
            self.store.set_linked(self.remote_id, L.id, R.id, L.sha256, a.base, updated_at)
            self.outcome.count(LINK)
            return
        base = R.snapshot if R.filing is not None else replace(R.snapshot, filing=a.base.filing)
        updated_at = R.updated_at
        push = {f: getattr(a.base, f) for f in changed_fields(a.base, base)}
        if push and self.plan.caps.update:
            answer = self.remote.update(R.id, **push)  # type: ignore[arg-type]
            base, updated_at = a.base, (answer.updated_at if answer is not None else None)
        self.store.set_linked(self.remote_id, L.id, R.id, L.sha256, base, updated_at)
        self.outcome.count(LINK)

    def _download(self, a: Action) -> None:
        R = a.remote
        assert R is not None
        label = f"Downloading {a.label}"
        if R.size is not None and R.size > self.lib.max_bytes:
            raise FileTooLarge(self.lib.max_bytes)
        with self.remote.download(R) as stream:
            if stream.size is not None and stream.size > self.lib.max_bytes:
                raise FileTooLarge(self.lib.max_bytes)
            total = stream.size or R.size or 0
            self._received = 0
            try:
                staged = stage_stream(
                    self._watch(stream.chunks(), label, total),
                    self.lib.storage.staging_dir,
                    self.lib.max_bytes,
                )
            except RejectedFile:
                announced = stream.size if stream.size is not None else R.size
                if announced is not None and self._received < announced:
                    # A cut connection (even one cut inside the headers) is not a refusal:
                    # skipping it would leave the file out of every later sync.
                    raise ServerUnreachable(
                        f"The download of {R.name!r} stopped after {self._received} of "
                        f"{announced} bytes; the next sync resumes it"
                    ) from None
                raise
        try:
            self._verify(R, staged)
            if self._pair_with_local(a, staged):
                staged.path.unlink(missing_ok=True)
                return
        except BaseException:
            staged.path.unlink(missing_ok=True)
            raise
        ingested = analyze(staged, timeout=self.lib.probe_timeout)  # removes the file on failure
        try:
            filing = R.filing or Filing()
            client_id, campaign_id = self._local_ids(filing)
            target = Target(
                user_id=self.lib.local_user_id,
                client_id=client_id,
                campaign_id=campaign_id,
                tags=R.tags,
                purpose=R.purpose,
            )
            [record] = self.lib.commit_ingested(
                [(ingested, R.name, self._new_local_id(a, R), R.uploaded_at)], target
            )
        except BaseException:
            ingested.discard()
            raise
        base = R.snapshot if R.filing is not None else replace(R.snapshot, filing=Filing())
        facts = {f: getattr(R, f) for f in FIND_FIELDS if getattr(R, f) is not None}
        if facts and (facts.get("rating"), facts.get("label"), facts.get("rights")) != (0, "", EMPTY_RIGHTS):
            self._pull_facts(record.id, facts, remote_times_of(R))
        self.store.set_linked(self.remote_id, record.id, R.id, record.sha256, base, R.updated_at)
        self.outcome.count(DOWNLOAD)

    def _watch(self, chunks: Iterator[bytes], label: str, total: int) -> Iterator[bytes]:
        done = 0
        for chunk in chunks:
            self._check()
            done += len(chunk)
            self._received = done
            self._report(label, done, total)
            yield chunk

    def _verify(self, R: RemoteAsset, staged: StagedFile) -> None:
        """The bytes must be what the server announced; otherwise nothing is kept."""
        if R.sha256 and staged.sha256 != R.sha256:
            raise ProtocolError(
                f"The server sent other bytes than it announced for {R.name!r}; nothing was kept"
            )
        if R.size is not None and staged.size != R.size:
            raise ProtocolError(
                f"The server sent {staged.size} bytes for {R.name!r} but announced {R.size}; "
                "nothing was kept"
            )
        if not _same_format(staged.format, R.format) or staged.asset_type != R.asset_type:
            raise ProtocolError(
                f"The server sent a {staged.format} file for {R.name!r}, announced as "
                f"{R.format}; nothing was kept"
            )

    def _pair_with_local(self, a: Action, staged: StagedFile) -> bool:
        """List mode: the download is byte for byte a local asset not yet synced: link them."""
        R = a.remote
        assert R is not None
        for cid in a.candidates:
            if self.store.link_for_asset(self.remote_id, cid) is not None:
                continue
            found = self.lib.get_assets([cid]).get(cid)
            if found is not None and found.sha256 == staged.sha256:
                self._link(Action(LINK, a.label, local=found, remote=R, base=self.view.snapshot(found)))
                return True
        return False

    def _new_local_id(self, a: Action, R: RemoteAsset) -> str | None:
        """Keep the server's id (or the id it had here before it was deleted) when it is free."""
        for candidate in (a.restore_id, R.id):
            if not candidate:
                continue
            try:
                asset_id = validate_uuid(candidate)
            except UnsafePath:
                continue
            if not self.lib.get_assets([asset_id]):
                return asset_id
        return None

    def _pull(self, asset_id: str, a: Action) -> None:
        changes: dict[str, Any] = {}
        if "name" in a.pull:
            changes["name"] = a.pull["name"]
        if "tags" in a.pull:
            changes["tags"] = list(a.pull["tags"]) or None  # type: ignore[call-overload]
        if "filing" in a.pull:
            filing = a.pull["filing"]
            assert isinstance(filing, Filing)
            changes["client_id"], changes["campaign_id"] = self._local_ids(filing)
        pulled = {f: t for f, t in a.times.items() if f in a.pull}
        if changes:
            self.lib.update_asset(asset_id, AssetChanges(**changes), edit_times=pulled or None)
        self._pull_facts(asset_id, {f: v for f, v in a.pull.items() if f in FIND_FIELDS}, pulled)

    def _take_before_upload(self, a: Action) -> None:
        """An asset coming back after a deletion on the server first takes the fields the
        server last held with a later edit; then the upload carries them (kept in history)."""
        L = a.local
        assert L is not None
        self._remember(a, self.lib.edit_times([L.id]).get(L.id, {}))
        self._pull(L.id, a)
        self.view.refresh(L.id)
        current = self.lib.get_assets([L.id]).get(L.id)
        if current is not None:
            a.local, a.base = current, self.view.snapshot(current)

    def _pull_facts(
        self, asset_id: str, values: dict[str, object], times: dict[str, str] | None
    ) -> None:
        """Rating, label and rights from the server, each with the time it was edited there."""
        if values:
            self.lib.find.set_synced(asset_id, values, times or None)
            self.view.refresh(asset_id)

    def _edit(self, a: Action) -> None:
        link, L = a.link, a.local
        assert link is not None and L is not None and a.base is not None
        if a.push or a.pull:
            self._remember(a, self.lib.edit_times([L.id]).get(L.id, {}))
        if a.pull:
            self._pull(L.id, a)
        updated_at = None
        if a.push:
            assert link.remote_asset_id is not None
            pushed = {f: t for f, t in a.times.items() if f in a.push}
            extra = {"edit_times": pushed} if pushed else {}
            answer = self.remote.update(link.remote_asset_id, **a.push, **extra)  # type: ignore[arg-type]
            updated_at = answer.updated_at if answer is not None else None
        self.store.update_base(link.id, a.base, updated_at)
        if a.push or a.pull:
            self.outcome.count(EDIT)

    def _delete_remote(self, a: Action) -> None:
        rid = (a.link.remote_asset_id if a.link else None) or (a.remote.id if a.remote else None)
        if rid:
            self.remote.delete(rid)
        if a.link is not None:
            self.store.drop(a.link.id)
        self.outcome.count(DELETE_REMOTE)

    def _delete_local(self, a: Action) -> None:
        link, L = a.link, a.local
        assert link is not None and L is not None and link.base is not None
        if a.confirm and link.remote_asset_id and self.remote.exists(link.remote_asset_id):
            # The listing missed it (it changed while we paged through): it is not deleted.
            return
        current = self.lib.get_assets([L.id]).get(L.id)
        if current is not None and changed_fields(self.view.snapshot(current), link.base):
            return  # edited here since the plan: an edit beats a delete, next sync uploads it
        try:
            self.lib.delete_asset(L.id)
        except NotFound:
            pass
        self.store.drop(link.id)
        self.outcome.count(DELETE_LOCAL)

    def _forget(self, a: Action) -> None:
        if a.link is not None:
            self.store.drop(a.link.id)

