"""Users, tokens stored only as their sha256, and the login check (see passwords.py)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from app.library.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound
from app.library.models import ApiToken, User, utcnow
from app.library.passwords import check_new_password, hash_password, verify_password
from app.library.records import TokenRecord, UserRecord
from app.library.repository import as_utc

TOKEN_KINDS = ("bearer", "apikey")
WRONG_LOGIN = "Wrong user name or password"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def to_user_record(user: User) -> UserRecord:
    return UserRecord(id=user.id, username=user.username, created_at=user.created_at)


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"No user named {username!r}")
    return user


def create_user(session: Session, username: str, password: str | None) -> User:
    username = username.strip()
    if not username or len(username) > 100 or not username.isprintable() or any(
        c.isspace() for c in username
    ):
        raise InvalidInput("A user name is 1-100 characters without spaces")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"A user named {username!r} already exists")
    if password:
        check_new_password(password, username)
    user = User(username=username, password_hash=hash_password(password) if password else None)
    session.add(user)
    session.flush()
    return user


def login_candidate(session: Session, username: str) -> tuple[int | None, str | None]:
    """(user id, stored hash) of the user of that name, or (None, None): the lookup of a login."""
    # No stored name has control characters or lone surrogates; some databases cannot
    # even compare them, so such a name is simply unknown instead of an error in the query.
    if not username.isprintable():
        return None, None
    row = session.execute(
        select(User.id, User.password_hash).where(User.username == username)
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def check_login(password: str, user_id: int | None, stored: str | None) -> str | None:
    """AuthenticationFailed unless the password is right; a new hash when the stored one is old.

    An unknown user (or one without a password) is checked against a dummy hash, so that a
    wrong password takes as long whether or not the user exists.
    """
    ok, new_hash = verify_password(password, stored)
    if not ok or user_id is None:
        raise AuthenticationFailed(WRONG_LOGIN)
    return new_hash


def create_token(session: Session, user: User, kind: str = "bearer", label: str | None = None) -> str:
    if kind not in TOKEN_KINDS:
        raise InvalidInput(f"Unknown token kind {kind!r}")
    prefix = "atk_" if kind == "bearer" else "akey_"
    token = prefix + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, kind=kind, token_hash=token_hash(token), label=label))
    session.flush()
    return token


# Every authenticated request asks this: one joined query on a plain connection, no ORM
# session or identity map (which were most of its cost, a quarter of a listing's).
_TOKEN_OWNER = (
    select(User.id, User.username, User.created_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("token_hash"),
        ApiToken.kind == bindparam("kind"),
        ApiToken.revoked_at.is_(None),
    )
)


def token_owner(conn: Connection, token: str, kind: str = "bearer") -> UserRecord:
    """The user a live token of this kind belongs to, or AuthenticationFailed."""
    row = conn.execute(_TOKEN_OWNER, {"token_hash": token_hash(token), "kind": kind}).first()
    if row is None:
        raise AuthenticationFailed("Invalid or revoked token")
    return UserRecord(id=row[0], username=row[1], created_at=row[2])


def user_for_token(session: Session, token: str, kind: str = "bearer") -> User:
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash(token),
            ApiToken.kind == kind,
            ApiToken.revoked_at.is_(None),
        )
    )
    if row is None:
        raise AuthenticationFailed("Invalid or revoked token")
    user = session.get(User, row.user_id)
    if user is None:
        raise AuthenticationFailed("Invalid or revoked token")
    return user


def revoke_tokens(session: Session, user: User, kind: str | None = None) -> int:
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    count = 0
    for row in rows:
        if kind is None or row.kind == kind:
            row.revoked_at = utcnow()
            count += 1
    return count


def list_tokens(session: Session, user: User, kind: str | None = None) -> list[TokenRecord]:
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    if kind is not None:
        stmt = stmt.where(ApiToken.kind == kind)
    return [
        TokenRecord(
            id=t.id,
            user_id=t.user_id,
            kind=t.kind,
            label=t.label,
            created_at=as_utc(t.created_at),
            revoked_at=as_utc(t.revoked_at) if t.revoked_at else None,
        )
        for t in session.scalars(stmt)
    ]


def revoke_token_id(session: Session, token_id: int, kind: str | None = None) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None or (kind is not None and row.kind != kind):
        raise NotFound("No such active token")
    row.revoked_at = utcnow()


def revoke_token(session: Session, token: str) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        raise NotFound("No such active token")
    row.revoked_at = utcnow()
