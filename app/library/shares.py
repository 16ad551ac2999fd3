"""ShareService: client review links and upload links, their reviews, events and password throttling."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.names import has_control_characters
from app.library import throttle
from app.library.errors import InvalidInput, NotFound, PermissionDenied
from app.library.models import Asset, utcnow
from app.library.repository import as_utc
from app.library.service import LibraryService
from app.library.share_models import (
    ShareAttempt,
    ShareEvent,
    ShareLink,
    ShareLinkAsset,
    ShareReview,
    ShareUpload,
)
from app.library.storage import UnsafePath, new_id, validate_uuid

TOKEN_BYTES = 24  # 192 random bits
DECISIONS = ("approved", "changes_requested")
# Failed password attempts allowed in the window, per link and per address.
MAX_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(minutes=15)
_hasher = PasswordHasher()  # argon2id by default
SECRET_SETTING = "share_secret"
MIRROR = "mirror"  # a server's link, standing in locally for the reviews synced from it
REVIEW_STATUSES = ("approved", "changes_requested", "commented", "unreviewed")


class LinkGone(Exception):
    """The link existed but is expired or revoked."""


class TooManyAttempts(PermissionDenied):
    """Too many wrong passwords recently, for this link or from this address."""

    def __init__(self, message: str, retry_after: float = ATTEMPT_WINDOW.total_seconds()) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (str(self), self.retry_after))


@dataclass(frozen=True, slots=True)
class ShareLinkRecord:
    id: str
    user_id: int | None
    kind: str
    scope: str
    client_id: str | None
    campaign_id: str | None
    title: str
    has_password: bool
    allow_download: bool
    allow_review: bool
    quota_files: int | None
    quota_bytes: int | None
    used_files: int
    used_bytes: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    id: int
    link_id: str
    asset_id: str
    reviewer: str
    decision: str | None
    comment: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EventRecord:
    kind: str
    actor: str | None
    asset_id: str | None
    detail: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    decision: str | None  # the latest decision, or None when there are only comments
    comments: int
    last_at: datetime | None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _clean(text: str, what: str, limit: int) -> str:
    cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > limit:
        raise InvalidInput(f"{what} is 1-{limit} characters")
    if has_control_characters(cleaned):
        raise InvalidInput(f"{what} cannot contain control characters")
    return cleaned


class ShareService:
    """Links of one library; `clock` is injectable so expiry can be tested."""

    def __init__(self, library: LibraryService, clock: Callable[[], datetime] = utcnow) -> None:
        self.library = library
        self.clock = clock

    # --- owner side -----------------------------------------------------------------------

    def create_link(
        self,
        user_id: int | None,
        *,
        kind: str = "review",
        client_id: str | None = None,
        campaign_id: str | None = None,
        asset_ids: Sequence[str] = (),
        expires_at: datetime | None = None,
        password: str | None = None,
        allow_download: bool = True,
        allow_review: bool = True,
        quota_files: int | None = None,
        quota_bytes: int | None = None,
    ) -> tuple[ShareLinkRecord, str]:
        """Make a link; returns its record and the token, which is never stored."""
        if kind not in ("review", "upload"):
            raise InvalidInput("A link is a review link or an upload link")
        given = [x for x in (client_id, campaign_id, asset_ids or None) if x]
        if len(given) != 1:
            raise InvalidInput("A link shares one client, one campaign or a selection of assets")
        if kind == "upload" and not campaign_id:
            raise InvalidInput("An upload link needs a campaign to file the files in")
        if expires_at is not None and as_utc(expires_at) <= self.clock():
            raise InvalidInput("The expiry date is in the past")
        for q, what in ((quota_files, "file"), (quota_bytes, "byte")):
            if q is not None and q <= 0:
                raise InvalidInput(f"The {what} quota must be positive")
        if password is not None and not password:
            raise InvalidInput("The password is empty")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.library.writing() as s:
            title, scope = self._scope(s, user_id, client_id, campaign_id, asset_ids)
            link = ShareLink(
                id=new_id(), user_id=user_id, kind=kind, token_hash=_token_hash(token),
                scope=scope, client_id=client_id if scope == "client" else None,
                campaign_id=campaign_id, title=title,
                password_hash=_hasher.hash(password) if password else None,
                allow_download=allow_download, allow_review=allow_review,
                quota_files=quota_files, quota_bytes=quota_bytes, used_files=0, used_bytes=0,
                created_at=self.clock(), expires_at=expires_at,
            )
            s.add(link)
            s.flush()
            for asset_id in dict.fromkeys(asset_ids):
                s.add(ShareLinkAsset(link_id=link.id, asset_id=asset_id))
            s.flush()
            return self._record(link), token

    def list_links(self, user_id: int | None) -> list[ShareLinkRecord]:
        with self.library.reading() as s:
            rows = s.scalars(
                select(ShareLink).where(ShareLink.user_id == user_id, ShareLink.kind != MIRROR)
                .order_by(ShareLink.created_at.desc(), ShareLink.id)
            ).all()
            return [self._record(r) for r in rows]

    def revoke(self, user_id: int | None, link_id: str) -> ShareLinkRecord:
        with self.library.writing() as s:
            link = self._owned(s, user_id, link_id)
            if link.revoked_at is None:
                link.revoked_at = self.clock()
            return self._record(link)

    def feedback(self, user_id: int | None, link_id: str) -> list[ReviewRecord]:
        with self.library.reading() as s:
            link = self._owned(s, user_id, link_id)
            rows = s.scalars(
                select(ShareReview).where(ShareReview.link_id == link.id)
                .order_by(ShareReview.created_at, ShareReview.id)
            ).all()
            return [self._review(r) for r in rows]

    def reviews_for_asset(self, asset_id: str) -> list[ReviewRecord]:
        with self.library.reading() as s:
            rows = s.scalars(
                select(ShareReview).where(ShareReview.asset_id == asset_id)
                .order_by(ShareReview.created_at, ShareReview.id)
            ).all()
            return [self._review(r) for r in rows]

    def events(self, user_id: int | None, link_id: str) -> list[tuple[str, str | None, str | None, datetime]]:
        """(kind, actor, asset id, when) of every event on one of the user's links."""
        with self.library.reading() as s:
            link = self._owned(s, user_id, link_id)
            rows = s.scalars(
                select(ShareEvent).where(ShareEvent.link_id == link.id).order_by(ShareEvent.id)
            ).all()
            return [(e.kind, e.actor, e.asset_id, as_utc(e.created_at)) for e in rows]

    # --- visitor side ---------------------------------------------------------------------

    def open(self, token: str) -> ShareLinkRecord:
        """The link a token names; NotFound for no link, LinkGone for expired or revoked."""
        with self.library.reading() as s:
            link = self._by_token(s, token)
            return self._record(link)

    def check_password(self, link_id: str, password: str, address: str) -> bool:
        """Whether the password is right; wrong ones are counted and throttle further tries.

        An attempt is taken on the link's and the address's counters before the (slow)
        check and given back when the password was right, so parallel guesses on any worker
        or server never get past MAX_ATTEMPTS; the check itself holds no lock.
        """
        keys = [f"share-link:{link_id}", "share-addr:" + address[:64]]
        with self.library.writing() as s:
            link = s.get(ShareLink, link_id)
            if link is None:
                raise NotFound("Link not found")
            stored = link.password_hash
            if stored is None:
                return True
            wait = throttle.take_attempt(s, keys, MAX_ATTEMPTS, ATTEMPT_WINDOW, self.clock())
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            raise TooManyAttempts(
                f"Too many wrong passwords; try again in {minutes} minute{'s' if minutes > 1 else ''}", wait)
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            with self.library.writing() as s:
                s.add(ShareAttempt(link_id=link_id, address=address[:64], created_at=self.clock()))
            return False
        with self.library.writing() as s:
            throttle.give_back(s, keys)
        return True

    def asset_ids(self, link_id: str) -> list[str]:
        """Ids of the assets a review link reaches, newest first."""
        with self.library.reading() as s:
            link = s.get(ShareLink, link_id)
            if link is None:
                raise NotFound("Link not found")
            return list(s.scalars(self._assets_of(link).order_by(Asset.uploaded_at.desc(), Asset.id)))

    def asset_in_link(self, link_id: str, asset_id: str) -> str:
        """The asset id if the link reaches it; NotFound otherwise, whatever else exists."""
        try:
            asset_id = validate_uuid(asset_id)
        except UnsafePath:
            raise NotFound("Asset not found") from None
        with self.library.reading() as s:
            link = s.get(ShareLink, link_id)
            if link is None or s.scalar(self._assets_of(link).where(Asset.id == asset_id)) is None:
                raise NotFound("Asset not found")
            return asset_id

    def add_review(
        self, link_id: str, asset_id: str, reviewer: str, decision: str | None, comment: str | None
    ) -> ReviewRecord:
        if decision is not None and decision not in DECISIONS:
            raise InvalidInput("A decision is approved or changes_requested")
        text = comment.strip() if comment else None
        if decision is None and not text:
            raise InvalidInput("Write a comment or choose Approve or Request changes")
        if text and len(text) > 5000:
            raise InvalidInput("A comment is at most 5000 characters")
        if text and has_control_characters(text, lines=True):
            raise InvalidInput("A comment cannot contain control characters")
        name = _clean(reviewer, "Your name", 100)
        asset_id = self.asset_in_link(link_id, asset_id)
        with self.library.writing() as s:
            link = s.get(ShareLink, link_id)
            if link is None or not link.allow_review:
                raise PermissionDenied("This link does not take reviews")
            review = ShareReview(link_id=link_id, asset_id=asset_id, reviewer=name,
                                 decision=decision, comment=text, created_at=self.clock())
            s.add(review)
            s.flush()
            return self._review(review)

    def record_event(self, link_id: str, kind: str, actor: str | None = None,
                     asset_id: str | None = None, detail: str | None = None) -> None:
        with self.library.writing() as s:
            s.add(ShareEvent(link_id=link_id, kind=kind, actor=(actor or None) and actor[:200],
                             asset_id=asset_id, detail=detail and detail[:300],
                             created_at=self.clock()))

    def reserve_upload(self, link_id: str, size: int) -> None:
        """Count one file of `size` bytes against the quota, or refuse it with the reason."""
        with self.library.writing() as s:
            # Locked: another server reserving on this link at the same moment waits, then
            # counts from what that one left (PostgreSQL; SQLite has one writer anyway).
            link = s.get(ShareLink, link_id, with_for_update=True, populate_existing=True)
            if link is None or link.kind != "upload":
                raise NotFound("Link not found")
            if link.quota_files is not None and link.used_files + 1 > link.quota_files:
                raise InvalidInput(f"This link takes at most {link.quota_files} files")
            if link.quota_bytes is not None and link.used_bytes + size > link.quota_bytes:
                raise InvalidInput("This file would exceed the link's size quota")
            link.used_files += 1
            link.used_bytes += size

    def release_upload(self, link_id: str, size: int) -> None:
        """Give back a reservation whose file was refused after all (nothing of it was kept)."""
        with self.library.writing() as s:
            link = s.get(ShareLink, link_id, with_for_update=True, populate_existing=True)
            if link is not None:
                link.used_files = max(0, link.used_files - 1)
                link.used_bytes = max(0, link.used_bytes - size)

    def remaining_bytes(self, link_id: str) -> int | None:
        """Bytes an upload link still takes (None: no byte quota), to stop a stream early."""
        with self.library.reading() as s:
            link = s.get(ShareLink, link_id)
            if link is None or link.quota_bytes is None:
                return None
            return max(0, link.quota_bytes - link.used_bytes)

    def get_link(self, user_id: int | None, link_id: str) -> ShareLinkRecord:
        with self.library.reading() as s:
            return self._record(self._owned(s, user_id, link_id))

    def link_by_id(self, link_id: str) -> ShareLinkRecord:
        """A link by id, for a visitor who already opened it by token (no owner check)."""
        with self.library.reading() as s:
            link = s.get(ShareLink, link_id)
            if link is None:
                raise NotFound("Link not found")
            return self._record(link)

    def activity(self, user_id: int | None, link_id: str) -> list[EventRecord]:
        """Every event on one of the user's links, oldest first, with its detail."""
        with self.library.reading() as s:
            link = self._owned(s, user_id, link_id)
            rows = s.scalars(
                select(ShareEvent).where(ShareEvent.link_id == link.id).order_by(ShareEvent.id)
            ).all()
            return [EventRecord(e.kind, e.actor, e.asset_id, e.detail, as_utc(e.created_at))
                    for e in rows]

    def review_summary(self, asset_ids: Sequence[str]) -> dict[str, ReviewSummary]:
        """Per asset: the latest decision (by anyone, through any link) and the comment count."""
        out: dict[str, ReviewSummary] = {}
        ids = list(dict.fromkeys(asset_ids))
        with self.library.reading() as s:
            for start in range(0, len(ids), 500):
                rows = s.scalars(
                    select(ShareReview).where(ShareReview.asset_id.in_(ids[start:start + 500]))
                    .order_by(ShareReview.created_at, ShareReview.id)
                ).all()
                for r in rows:
                    old = out.get(r.asset_id, ReviewSummary(None, 0, None))
                    out[r.asset_id] = ReviewSummary(
                        r.decision or old.decision,
                        old.comments + (1 if r.comment else 0),
                        as_utc(r.created_at),
                    )
        return out

    def review_id_before_latest(self, count: int) -> int:
        """The local id below the `count` newest reviews (what a sync just stored), 0 if none."""
        with self.library.reading() as s:
            found = s.scalar(select(ShareReview.id).order_by(ShareReview.id.desc()).offset(count).limit(1))
        return int(found or 0)

    def reviewed_asset_ids(self, user_id: int | None, status: str) -> set[str]:
        """Ids of the user's assets whose review status is status: approved, changes_requested,
        commented (comments but no decision) or unreviewed is the caller's complement."""
        with self.library.reading() as s:
            ids = list(s.scalars(
                select(ShareReview.asset_id).join(Asset, Asset.id == ShareReview.asset_id)
                .where(Asset.user_id == user_id).distinct()))
        summary = self.review_summary(ids)
        if status == "commented":
            return {a for a, r in summary.items() if r.decision is None and r.comments}
        return {a for a, r in summary.items() if r.decision == status}

    def reviews_after(self, user_id: int | None, after: int, limit: int = 500) -> tuple[list[ReviewRecord], bool]:
        """Reviews on the user's assets with an id above `after`, oldest first, and whether more wait."""
        with self.library.reading() as s:
            rows = s.scalars(
                select(ShareReview).join(Asset, Asset.id == ShareReview.asset_id)
                .join(ShareLink, ShareLink.id == ShareReview.link_id)
                .where(Asset.user_id == user_id, ShareReview.id > after, ShareLink.kind != MIRROR)
                .order_by(ShareReview.id).limit(limit + 1)
            ).all()
            return [self._review(r) for r in rows[:limit]], len(rows) > limit

    def store_synced(self, rows: Sequence[ReviewRecord]) -> int:
        """Keep reviews a server received, on the local assets they concern (asset_id is local).

        Each server link gets a local stand-in of kind "mirror" (same id, no usable token,
        never listed) so the reviews keep their link; a review already here is skipped.
        Returns how many were new.
        """
        added = 0
        with self.library.writing() as s:
            for r in rows:
                if s.get(Asset, r.asset_id) is None:
                    continue
                link = s.get(ShareLink, r.link_id)
                if link is None:
                    user = s.scalar(select(Asset.user_id).where(Asset.id == r.asset_id))
                    s.add(ShareLink(
                        id=r.link_id, user_id=user, kind=MIRROR, token_hash=_token_hash(secrets.token_hex(32)),
                        scope="selection", title="A link on the server", allow_download=False,
                        allow_review=False, used_files=0, used_bytes=0, created_at=r.created_at))
                    s.flush()
                elif link.kind != MIRROR:
                    continue  # this library made the link: the review is here already
                same = s.scalar(select(ShareReview.id).where(
                    ShareReview.link_id == r.link_id, ShareReview.asset_id == r.asset_id,
                    ShareReview.reviewer == r.reviewer, ShareReview.created_at == r.created_at))
                if same is not None:
                    continue
                s.add(ShareReview(link_id=r.link_id, asset_id=r.asset_id, reviewer=r.reviewer[:100],
                                  decision=r.decision if r.decision in DECISIONS else None,
                                  comment=r.comment, created_at=r.created_at))
                added += 1
        return added

    def secret(self) -> bytes:
        """The key that signs a share page's cookies and CSRF tokens; made once, kept in the database."""
        value = self.library.get_setting(SECRET_SETTING)
        if value is None:
            self.library.set_setting(SECRET_SETTING, secrets.token_hex(32))
            value = self.library.get_setting(SECRET_SETTING)
        assert value is not None
        return bytes.fromhex(value)

    def mark_uploaded(self, link_id: str, asset_id: str, name: str | None, email: str | None) -> None:
        with self.library.writing() as s:
            s.add(ShareUpload(asset_id=asset_id, link_id=link_id,
                              uploader_name=name and name[:200], uploader_email=email and email[:254]))

    def uploader(self, asset_id: str) -> tuple[str | None, str | None] | None:
        with self.library.reading() as s:
            row = s.get(ShareUpload, asset_id)
            return None if row is None else (row.uploader_name, row.uploader_email)

    # --- helpers --------------------------------------------------------------------------

    def _by_token(self, s: Session, token: str) -> ShareLink:
        wanted = _token_hash(token)
        link = s.scalar(select(ShareLink).where(ShareLink.token_hash == wanted))
        # The lookup is by hash; the comparison in constant time guards the last step.
        if link is None or not hmac.compare_digest(link.token_hash, wanted) or link.kind == MIRROR:
            raise NotFound("Link not found")
        if link.revoked_at is not None:
            raise LinkGone("This link was revoked")
        if link.expires_at is not None and as_utc(link.expires_at) <= self.clock():
            raise LinkGone("This link has expired")
        return link

    @staticmethod
    def _assets_of(link: ShareLink):  # type: ignore[no-untyped-def]
        q = select(Asset.id).where(Asset.user_id == link.user_id)
        if link.scope == "client":
            return q.where(Asset.client_id == link.client_id)
        if link.scope == "campaign":
            return q.where(Asset.campaign_id == link.campaign_id)
        return q.where(Asset.id.in_(
            select(ShareLinkAsset.asset_id).where(ShareLinkAsset.link_id == link.id)))

    def _scope(self, s: Session, user_id: int | None, client_id: str | None,
               campaign_id: str | None, asset_ids: Sequence[str]) -> tuple[str, str]:
        lib = self.library
        if client_id:
            return lib._owned_client(s, client_id, user_id).name, "client"
        if campaign_id:
            return lib._owned_campaign(s, campaign_id, user_id).name, "campaign"
        ids = []
        for raw in asset_ids:
            try:
                ids.append(validate_uuid(raw))
            except UnsafePath:
                raise InvalidInput(f"Asset {raw!r} is not one of yours") from None
        found = set(s.scalars(select(Asset.id).where(Asset.id.in_(ids), Asset.user_id == user_id)))
        for asset_id in ids:
            if asset_id not in found:
                raise InvalidInput(f"Asset {asset_id!r} is not one of yours")
        return f"{len(found)} assets", "selection"

    @staticmethod
    def _owned(s: Session, user_id: int | None, link_id: str) -> ShareLink:
        try:
            link_id = validate_uuid(link_id)
        except UnsafePath:
            raise NotFound("Link not found") from None
        link = s.get(ShareLink, link_id)
        if link is None or link.user_id != user_id or link.kind == MIRROR:
            raise NotFound("Link not found")
        return link

    @staticmethod
    def _record(l: ShareLink) -> ShareLinkRecord:
        return ShareLinkRecord(
            id=l.id, user_id=l.user_id, kind=l.kind, scope=l.scope, client_id=l.client_id,
            campaign_id=l.campaign_id, title=l.title, has_password=l.password_hash is not None,
            allow_download=l.allow_download, allow_review=l.allow_review,
            quota_files=l.quota_files, quota_bytes=l.quota_bytes, used_files=l.used_files,
            used_bytes=l.used_bytes, created_at=as_utc(l.created_at),
            expires_at=as_utc(l.expires_at) if l.expires_at else None,
            revoked_at=as_utc(l.revoked_at) if l.revoked_at else None,
        )

    @staticmethod
    def _review(r: ShareReview) -> ReviewRecord:
        return ReviewRecord(id=r.id, link_id=r.link_id, asset_id=r.asset_id, reviewer=r.reviewer,
                            decision=r.decision, comment=r.comment, created_at=as_utc(r.created_at))
