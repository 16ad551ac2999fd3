"""Planning a sync: compare both sides with the state agreed last time and list what to do.

The rule for edits (README "Sync"): each field (name, tags, filing, and with an Atelier
server rating, label and rights) is merged on its own
against the state both sides agreed on at the last sync. A field changed on one side only
goes to the other; changed on both sides to different values, the later edit wins (each
side's updatedAt; a spec-only server gives no edit time, so there the local edit wins).
An edit beats a delete: an asset deleted on one side but edited on the other since the
last sync comes back; uploaded again, it first takes each field the server last held with a
later edit (feed extension "deleted-state"). The file itself never changes after import, so only these facts merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.core import hlc
from app.core.units import human_size
from app.library.records import AssetQuery, AssetRecord, CancelToken
from app.library.service import LibraryService
from app.library.sync_store import Link, RemoteConfig, SyncStore
from app.sync.errors import Cancelled
from app.sync.remote import Filing, Remote, RemoteAsset, RemoteCaps, Snapshot
from app.sync.v1 import carries

UPLOAD, DOWNLOAD, LINK, EDIT = "upload", "download", "link", "edit"
DELETE_REMOTE, DELETE_LOCAL, FORGET = "delete-remote", "delete-local", "forget"
FIELDS = ("name", "tags", "filing", "rating", "label", "rights")
FIND_FIELDS = ("rating", "label", "rights")


@dataclass(slots=True)
class Action:
    """One step of a plan; describe() is the line --dry-run prints."""

    kind: str
    label: str
    local: AssetRecord | None = None
    remote: RemoteAsset | None = None
    link: Link | None = None
    push: dict[str, object] = field(default_factory=dict)
    pull: dict[str, object] = field(default_factory=dict)
    base: Snapshot | None = None
    note: str = ""
    confirm: bool = False  # list mode: make sure the asset is really gone first
    candidates: tuple[str, ...] = ()  # list mode: local assets that may hold the same bytes
    restore_id: str | None = None
    times: dict[str, str] = field(default_factory=dict)  # field -> edit time of the value carried

    @property
    def visible(self) -> bool:
        return self.kind != FORGET and not (self.kind == EDIT and not self.push and not self.pull)

    def describe(self) -> str:
        note = f" ({self.note})" if self.note else ""
        if self.kind == UPLOAD:
            assert self.local is not None
            where = local_filing_text(self.local)
            return f"upload          {self.label} ({self.local.asset_type}, {human_size(self.local.size, '? bytes')}){where}{note}"
        if self.kind == DOWNLOAD:
            assert self.remote is not None
            return f"download        {self.label} ({self.remote.asset_type}, {human_size(self.remote.size, '? bytes')}){note}"
        if self.kind == LINK:
            parts = []
            if self.push:
                parts.append("on the server: " + _changes(self.push))
            if self.pull:
                parts.append("here: " + _changes(self.pull))
            merged = f": {'; '.join(parts)}" if parts else ""
            return f"match           {self.label} (the same file is on both sides){merged}{note}"
        if self.kind == EDIT:
            parts = []
            if self.push:
                parts.append("on the server: " + _changes(self.push))
            if self.pull:
                parts.append("here: " + _changes(self.pull))
            return f"update          {self.label}: {'; '.join(parts)}{note}"
        if self.kind == DELETE_REMOTE:
            return f"delete on server {self.label}{note}"
        if self.kind == DELETE_LOCAL:
            return f"delete here     {self.label}{note}"
        return f"forget          {self.label}"


def _changes(fields: dict[str, object]) -> str:
    out = []
    for key, value in fields.items():
        if key == "filing":
            out.append(f"filed under {value.describe() if isinstance(value, Filing) else value}")
        elif key == "tags":
            out.append(f"tags {', '.join(value) if value else '(none)'}")  # type: ignore[call-overload]
        elif key == "rating":
            out.append(f"rating {value}")
        elif key == "label":
            out.append(f"label {value or '(none)'}")
        elif key == "rights":
            parts = [str(v) for v in value if v] if isinstance(value, tuple) else []
            out.append(f"rights {' / '.join(parts) or '(none)'}")
        else:
            out.append(f"{key} {value!r}")
    return ", ".join(out)


def local_filing_text(a: AssetRecord) -> str:
    names = [n for n in (a.client_name, a.campaign_name) if n]
    return f" -> {' / '.join(names)}" if names else ""


@dataclass(slots=True)
class Plan:
    remote: RemoteConfig
    caps: RemoteCaps
    mode: str  # 'feed' or 'list'
    actions: list[Action]
    new_cursor: int | None
    local_total: int
    remote_total: int
    warnings: list[str] = field(default_factory=list)
    # The library's change number read before planning: kept with the remote after a
    # complete sync, so the next one can tell nothing changed here without reading it all.
    local_cursor: int | None = None
    # The server's latest smart-folder edit as its feed said (None: not told).
    smart_folders_at: str | None = None
    campaign_rights_at: str | None = None  # and its latest campaign-rights edit

    def visible(self) -> list[Action]:
        return [a for a in self.actions if a.visible]

    def count(self, *kinds: str) -> int:
        return sum(1 for a in self.actions if a.kind in kinds and a.visible)

    @property
    def uploads(self) -> int:
        return self.count(UPLOAD)

    @property
    def downloads(self) -> int:
        return self.count(DOWNLOAD)

    @property
    def deletions_remote(self) -> int:
        return self.count(DELETE_REMOTE)

    @property
    def deletions_local(self) -> int:
        return self.count(DELETE_LOCAL)

    def counts_text(self) -> str:
        """Each kind of change on its own (`sync status`, the window's status bar)."""
        n = {k: self.count(k) for k in (UPLOAD, DOWNLOAD, DELETE_REMOTE, DELETE_LOCAL)}
        pushes = sum(1 for a in self.actions if a.kind == EDIT and a.push)
        pulls = sum(1 for a in self.actions if a.kind == EDIT and a.pull)
        parts = [
            (n[UPLOAD], "to upload"),
            (n[DOWNLOAD], "to download"),
            (pushes, "edit(s) to send"),
            (pulls, "edit(s) to take"),
            (n[DELETE_REMOTE], "to delete on the server"),
            (n[DELETE_LOCAL], "to delete here"),
        ]
        return ", ".join(f"{k} {text}" for k, text in parts if k) or "in sync"

    @property
    def to_upload(self) -> int:
        """Changes going to the server: new files, edits, deletions."""
        return self.count(UPLOAD, DELETE_REMOTE) + sum(
            1 for a in self.actions if a.kind == EDIT and a.push
        )

    @property
    def to_download(self) -> int:
        return self.count(DOWNLOAD, DELETE_LOCAL) + sum(
            1 for a in self.actions if a.kind == EDIT and a.pull
        )

    @property
    def deletions(self) -> tuple[int, int]:
        """(assets deleted here, assets deleted on the server)."""
        return self.count(DELETE_LOCAL), self.count(DELETE_REMOTE)

    def mass_deletion(self) -> str | None:
        """Why the plan must not run without --force: it deletes over half of a side."""
        here, there = self.deletions
        if here and here * 2 > self.local_total:
            return f"This sync would delete {here} of the {self.local_total} assets in this library"
        if there and there * 2 > self.remote_total:
            return f"This sync would delete {there} of the {self.remote_total} assets on the server"
        return None

    def summary(self) -> str:
        n = {k: self.count(k) for k in (UPLOAD, DOWNLOAD, LINK, DELETE_REMOTE, DELETE_LOCAL)}
        pushes = sum(1 for a in self.actions if a.kind == EDIT and a.push)
        pulls = sum(1 for a in self.actions if a.kind == EDIT and a.pull)
        parts = [
            f"{n[UPLOAD]} to upload",
            f"{n[DOWNLOAD]} to download",
            f"{pushes + pulls} to update ({pushes} on the server, {pulls} here)",
            f"{n[DELETE_REMOTE]} to delete on the server",
            f"{n[DELETE_LOCAL]} to delete here",
        ]
        if n[LINK]:
            parts.append(f"{n[LINK]} to match")
        return ", ".join(parts)


# --- snapshots ---------------------------------------------------------------------------


class LocalView:
    """The library's side: the local user's assets and the names of their clients and campaigns."""

    def __init__(self, lib: LibraryService, find: bool = False) -> None:
        self.lib = lib
        uid = lib.local_user_id
        self.assets = {a.id: a for a in lib.iter_assets(AssetQuery(user_id=uid))}
        # Rating, label and rights travel only to a server that takes them ("find-sync").
        self.facts = lib.find.sync_facts(list(self.assets)) if find else None
        clients = {c.id: c.name for c in lib.list_clients(uid)}
        self._campaign_client = {c.id: clients.get(c.client_id) for c in lib.list_campaigns(None, uid)}

    def filing(self, a: AssetRecord) -> Filing:
        if a.client_id:
            return Filing(a.client_name, a.campaign_name if a.campaign_id else None, True)
        if a.campaign_id:
            return Filing(self._campaign_client.get(a.campaign_id), a.campaign_name, False)
        return Filing()

    def snapshot(self, a: AssetRecord) -> Snapshot:
        snap = Snapshot(a.name, tuple(a.tags or ()), self.filing(a))
        if self.facts is None:
            return snap
        f = self.facts.get(a.id)
        if f is None:  # an asset that arrived after this view was read
            f = self.lib.find.sync_facts([a.id])[a.id]
            self.facts[a.id] = f
        return replace(snap, rating=f.rating, label=f.label, rights=f.rights)

    def refresh(self, asset_id: str) -> None:
        """Forget an asset's facts, so the next snapshot reads them again."""
        if self.facts is not None:
            self.facts.pop(asset_id, None)


def changed_fields(now: Snapshot, base: Snapshot) -> set[str]:
    out = set()
    if now.name != base.name:
        out.add("name")
    if tuple(now.tags) != tuple(base.tags):
        out.add("tags")
    # An unknown filing (spec-only server, old link) never counts as an edit.
    if now.filing is not None and base.filing is not None and not now.filing.same(base.filing):
        out.add("filing")
    for f in FIND_FIELDS:  # unknown (a server without them) never counts either
        mine, theirs = getattr(now, f), getattr(base, f)
        if mine is not None and theirs is not None and mine != theirs:
            out.add(f)
    return out


def merge(
    base: Snapshot,
    local: Snapshot,
    remote: Snapshot,
    local_times: dict[str, str],
    remote_times: dict[str, str] | None,
    can_push: bool,
    times_out: dict[str, str] | None = None,
) -> tuple[dict[str, object], dict[str, object], Snapshot]:
    """(fields to push, fields to pull, the snapshot both sides will then agree on).

    Times are per-field hybrid-clock stamps; remote_times None (a spec-only server): the
    local edit wins. times_out gets the edit time of each value carried."""
    lch, rch = changed_fields(local, base), changed_fields(remote, base)
    out = times_out if times_out is not None else {}
    push: dict[str, object] = {}
    pull: dict[str, object] = {}
    agreed = base
    for f in FIELDS:
        lv, rv = getattr(local, f), getattr(remote, f)
        if f in lch and f in rch:
            equal = lv.same(rv) if f == "filing" else lv == rv
            if equal:
                agreed = replace(agreed, **{f: lv})
                continue
            lt, rt = local_times.get(f), (remote_times or {}).get(f)
            winner_local = rt is None or (lt is not None and lt >= rt)
        elif f in lch:
            winner_local = True
        elif f in rch:
            winner_local = False
        else:
            continue
        if winner_local:
            if can_push:
                push[f] = lv
                if f in local_times:
                    out[f] = local_times[f]
                agreed = replace(agreed, **{f: lv})
            elif f in rch:
                # The server cannot take the edit: keep the server's value as agreed, so the
                # local edit stays pending rather than being overwritten.
                agreed = replace(agreed, **{f: rv})
        else:
            pull[f] = rv
            if remote_times and f in remote_times:
                out[f] = remote_times[f]
            agreed = replace(agreed, **{f: rv})
    return push, pull, agreed


def remote_times_of(R: RemoteAsset | None) -> dict[str, str] | None:
    """Per-field edit times of a remote asset: its own, else its updatedAt for every field."""
    if R is None:
        return None
    if R.edit_times:
        return dict(R.edit_times)
    if R.updated_at is not None:
        stamp = hlc.from_datetime(R.updated_at)
        return {f: stamp for f in FIELDS}
    return None


# --- the planner -------------------------------------------------------------------------


class Planner:
    def __init__(
        self,
        lib: LibraryService,
        store: SyncStore,
        config: RemoteConfig,
        remote: Remote,
        caps: RemoteCaps,
        cancel: CancelToken | None = None,
    ) -> None:
        self.lib = lib
        self.store = store
        self.config = config
        self.remote = remote
        self.caps = caps
        self.cancel = cancel
        self._smart_at: str | None = None
        self._campaign_at: str | None = None
        # What assets deleted on the server last held (feed extension "deleted-state").
        self._last: dict[str, RemoteAsset] = {}

    def _check(self) -> None:
        if self.cancel is not None and self.cancel.cancelled:
            raise Cancelled("Sync cancelled")

    def plan(self) -> Plan:
        # Read before anything else: a change made while this sync runs moves the counter
        # past it, so the next sync will not mistake that change for one already synced.
        local_cursor = self.lib.current_cursor()
        if self.caps.feed:
            changed, deleted, cursor = self._read_feed()
            self._check()
            if not changed and not deleted and self._unchanged_here(local_cursor):
                return self._nothing_to_do(cursor, local_cursor)
            local = LocalView(self.lib, self.caps.find)
            links = self.store.links(self.config.id)
            mode = "feed"
        else:
            local = LocalView(self.lib, self.caps.find)
            links = self.store.links(self.config.id)
            self._check()
            changed = {a.id: a for a in self.remote.list_assets()}
            deleted, cursor, mode = set(), None, "list"
        self._check()
        plan = self._diff(local, links, changed, deleted, mode, cursor)
        plan.local_cursor = local_cursor
        plan.smart_folders_at = self._smart_at
        plan.campaign_rights_at = self._campaign_at
        return plan

    def _unchanged_here(self, local_cursor: int) -> bool:
        """The last sync was complete and nothing in the library has changed since it began."""
        return (
            self.config.cursor is not None
            and self.config.local_cursor is not None
            and self.config.local_cursor == local_cursor
        )

    def _nothing_to_do(self, cursor: int, local_cursor: int) -> Plan:
        """The empty plan, without loading every link and local asset (the common case)."""
        rid = self.config.id
        return Plan(
            remote=self.config,
            caps=self.caps,
            mode="feed",
            actions=[],
            new_cursor=cursor,
            local_total=self.lib.count_assets(AssetQuery(user_id=self.lib.local_user_id)),
            remote_total=self.store.count_links(rid, "linked"),
            local_cursor=local_cursor,
            smart_folders_at=self._smart_at,
            campaign_rights_at=self._campaign_at,
        )

    def _read_feed(self) -> tuple[dict[str, RemoteAsset], set[str], int]:
        cursor = self.config.cursor or 0
        changed: dict[str, RemoteAsset] = {}
        deleted: set[str] = set()
        while True:
            page = self.remote.changes(cursor)
            self._smart_at = page.smart_folders_at
            self._campaign_at = page.campaign_rights_at
            for a in page.assets:
                changed[a.id] = a
                deleted.discard(a.id)
            for rid in page.deleted:
                deleted.add(rid)
                changed.pop(rid, None)
            self._last.update(page.last)
            if page.cursor <= cursor and page.has_more:
                break  # a server that does not move its cursor would loop forever
            cursor = page.cursor
            self._check()
            if not page.has_more:
                return changed, deleted, cursor
        return changed, deleted, cursor

    def _diff(
        self,
        local: LocalView,
        links: list[Link],
        remote_seen: dict[str, RemoteAsset],
        remote_deleted: set[str],
        mode: str,
        cursor: int | None,
    ) -> Plan:
        full = mode == "list"  # remote_seen is every remote asset, not only changed ones
        actions: list[Action] = []
        warnings: list[str] = []
        linked_local = {l.asset_id for l in links if l.asset_id}
        linked_remote = {l.remote_asset_id for l in links if l.remote_asset_id}
        unlinked_remote = {
            rid: a for rid, a in remote_seen.items() if rid not in linked_remote
        }
        unlinked_local = {
            aid: a
            for aid, a in local.assets.items()
            if aid not in linked_local and carries(self.caps.kind, a)
        }
        remote_alive = 0
        local_times = self.lib.edit_times(list(local.assets))

        for link in links:
            if link.state == "skipped":
                continue
            L = local.assets.get(link.asset_id) if link.asset_id else None
            if link.state == "uploading":
                actions.extend(self._resume_upload(link, L, local, unlinked_remote, full))
                continue
            rid = link.remote_asset_id
            assert rid is not None and link.base is not None
            gone = rid in remote_deleted or (full and rid not in remote_seen)
            R = remote_seen.get(rid)
            label = (L.name if L else None) or (R.name if R else None) or link.base.name
            if not gone:
                remote_alive += 1
            remote_snap = R.snapshot if R is not None else link.base
            if R is not None and R.sha256 and link.sha256 and R.sha256 != link.sha256:
                warnings.append(
                    f"The server holds different bytes for {label!r} than were synced; "
                    "the local file is kept"
                )
            if L is None and gone:
                actions.append(Action(FORGET, label, link=link))
            elif L is None:
                if changed_fields(remote_snap, link.base):
                    actions.append(
                        Action(
                            DOWNLOAD, label, remote=R, link=link, restore_id=link.asset_id,
                            note="edited on the server after it was deleted here",
                        )
                    )
                else:
                    actions.append(Action(DELETE_REMOTE, label, link=link, note="deleted here"))
            elif gone:
                if changed_fields(local.snapshot(L), link.base):
                    actions.append(self._resurrect(local, L, link, label, local_times))
                else:
                    actions.append(
                        Action(
                            DELETE_LOCAL, label, local=L, link=link, confirm=full,
                            note="deleted on the server",
                        )
                    )
            else:
                times: dict[str, str] = {}
                push, pull, agreed = merge(
                    link.base,
                    local.snapshot(L),
                    remote_snap,
                    local_times.get(L.id, {}),
                    remote_times_of(R),
                    self.caps.update,
                    times,
                )
                if push or pull or agreed != link.base:
                    actions.append(
                        Action(
                            EDIT, label, local=L, remote=R, link=link, push=push, pull=pull,
                            base=agreed, times=times,
                        )
                    )

        skipped_local = {l.asset_id for l in links if l.state == "skipped" and l.asset_id}
        skipped_remote = {l.remote_asset_id for l in links if l.state == "skipped"}
        by_sha: dict[str, list[AssetRecord]] = {}
        for a in unlinked_local.values():
            if a.id not in skipped_local:
                by_sha.setdefault(a.sha256, []).append(a)
        paired: set[str] = set()
        for rid, R in unlinked_remote.items():
            if rid in skipped_remote or rid in paired:
                continue
            same_id = unlinked_local.get(rid)
            match = None
            if same_id is not None and (R.sha256 is None or R.sha256 == same_id.sha256):
                match = same_id  # we imported it with the server's id before (resumed download)
            elif R.sha256 and by_sha.get(R.sha256):
                match = next((a for a in by_sha[R.sha256] if a.id not in paired), None)
            if match is not None:
                paired.add(match.id)
                actions.append(self._first_match(local, match, R, local_times))
                continue
            candidates = ()
            if full:
                candidates = tuple(
                    a.id
                    for a in unlinked_local.values()
                    if a.size == R.size and a.format == R.format and a.id not in skipped_local
                )
            actions.append(Action(DOWNLOAD, R.name, remote=R, candidates=candidates))
        for aid, L in unlinked_local.items():
            if aid in skipped_local or aid in paired:
                continue
            actions.append(Action(UPLOAD, L.name, local=L, base=local.snapshot(L)))

        remote_total = len(remote_seen) if full else remote_alive + len(unlinked_remote)
        return Plan(
            remote=self.config,
            caps=self.caps,
            mode=mode,
            actions=actions,
            new_cursor=cursor,
            local_total=len(local.assets),
            remote_total=remote_total,
            warnings=warnings,
        )

    def _resurrect(
        self,
        local: LocalView,
        L: AssetRecord,
        link: Link,
        label: str,
        local_times: dict[str, dict[str, str]],
    ) -> Action:
        """Edited here, deleted on the server: an edit beats a delete, so it is uploaded again,
        first taking each field the server last held if that edit is the later one (README
        "Sync"), so an edit synced before the deletion is not lost with it."""
        note = "edited here after it was deleted on the server"
        last = self._last.get(link.remote_asset_id or "")
        assert link.base is not None
        if last is None:  # a server that keeps no deleted state: what is here goes up
            return Action(UPLOAD, label, local=L, link=link, base=local.snapshot(L), note=note)
        times: dict[str, str] = {}
        _, pull, _ = merge(
            link.base, local.snapshot(L), last.snapshot, local_times.get(L.id, {}),
            remote_times_of(last), True, times,
        )
        if pull:
            note += "; taking its last " + _changes(pull) + " from the server first"
        return Action(
            UPLOAD, label, local=L, link=link, base=local.snapshot(L), pull=pull,
            times={f: t for f, t in times.items() if f in pull}, note=note,
        )

    def _first_match(
        self, local: LocalView, L: AssetRecord, R: RemoteAsset, local_times: dict[str, dict[str, str]]
    ) -> Action:
        """The same bytes on both sides: each field merged by its edit time (import, upload
        or edit), as if both sides had changed it since an agreement that never was."""
        never = Snapshot("\0", ("\0",), Filing("\0"), -1, "\0", ("\0",))
        times: dict[str, str] = {}
        lt = local_times.get(L.id) or {f: hlc.from_datetime(L.uploaded_at) for f in FIELDS}
        rt = remote_times_of(R) or ({f: hlc.from_datetime(R.uploaded_at) for f in FIELDS} if self.caps.feed else None)
        push, pull, agreed = merge(never, local.snapshot(L), R.snapshot, lt, rt, self.caps.update, times)
        if agreed.filing is not None and agreed.filing.client == "\0":
            agreed = replace(agreed, filing=local.snapshot(L).filing)
        for f in FIND_FIELDS:  # a side that cannot tell: what is here is what is agreed
            if getattr(agreed, f) == getattr(never, f):
                agreed = replace(agreed, **{f: getattr(local.snapshot(L), f)})
        return Action(LINK, R.name, local=L, remote=R, base=agreed, push=push, pull=pull, times=times)

    def _resume_upload(
        self,
        link: Link,
        L: AssetRecord | None,
        local: LocalView,
        unlinked_remote: dict[str, RemoteAsset],
        full: bool,
    ) -> list[Action]:
        """An upload that may or may not have reached the server before it was interrupted."""
        label = L.name if L else (link.base.name if link.base else "an interrupted upload")
        landed = None
        for R in unlinked_remote.values():
            if R.sha256 and R.sha256 == link.sha256:
                landed = R
                break
            if full and L is not None and R.sha256 is None and (
                R.size == L.size and R.format == L.format and R.name == L.name
            ):
                landed = R
                break
        if landed is not None:
            unlinked_remote.pop(landed.id)
            if L is not None:
                return [
                    Action(
                        LINK, label, local=L, remote=landed, base=local.snapshot(L),
                        note="an interrupted upload",
                    )
                ]
            # The upload landed but the asset was deleted here meanwhile.
            return [Action(DELETE_REMOTE, label, remote=landed, link=link, note="deleted here")]
        if L is not None:
            # Same journal entry, same idempotency key: the server returns the first upload.
            return [
                Action(UPLOAD, label, local=L, link=link, base=local.snapshot(L), note="resumed")
            ]
        return [Action(FORGET, label, link=link)]
