"""Users, passwords, logins and tokens: the bodies of LibraryService's account methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from app.library import auth, throttle
from app.library.errors import AuthenticationFailed, Throttled
from app.library.models import User, utcnow
from app.library.passwords import check_new_password, hash_password
from app.library.records import TokenRecord, UserRecord
from app.library.throttle import LoginPolicy

if TYPE_CHECKING:
    from app.library.service import LibraryService


class Accounts:
    """What the service's user and token methods do (it delegates here, one line each)."""

    def __init__(self, lib: LibraryService) -> None:
        self.lib = lib

    def create_user(self, username: str, password: str | None) -> UserRecord:
        with self.lib.writing() as s:
            return auth.to_user_record(auth.create_user(s, username, password))

    def ensure_user(self, username: str) -> int:
        """The id of the user, created without a password if it does not exist yet."""
        with self.lib.writing() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                user = auth.create_user(s, username, None)
            return user.id

    def list_users(self) -> list[UserRecord]:
        with self.lib.reading() as s:
            return [auth.to_user_record(u) for u in s.scalars(select(User).order_by(User.id))]

    def get_user(self, username: str) -> UserRecord:
        with self.lib.reading() as s:
            return auth.to_user_record(auth.user_by_name(s, username))

    def set_password(self, username: str, password: str) -> int:
        """Set a new password and revoke every token and API key of the user; returns how many.

        A password is changed when it may be known to someone else, who may also have logged
        in with it: the tokens it could have bought go with it.
        """
        check_new_password(password, username)
        new_hash = hash_password(password)  # slow: outside the write lock
        with self.lib.writing() as s:
            user = auth.user_by_name(s, username)
            user.password_hash = new_hash
            throttle.clear(s, throttle.user_key(username))
            return auth.revoke_tokens(s, user)

    def authenticate(
        self,
        username: str,
        password: str,
        *,
        address: str | None = None,
        policy: LoginPolicy | None = None,
    ) -> UserRecord:
        """The user if the password is right; with a policy, failures are throttled (Throttled)."""
        keyed = [(throttle.user_key(username), policy.user_attempts)] if policy else []
        if policy and address:
            keyed.append((throttle.address_key(address), policy.address_attempts))
        taken: list[throttle.Taken] = []
        if policy:
            # Counted as a failure first, under the rows' lock: parallel wrong logins cannot
            # all pass the check before any of them is counted.
            with self.lib.writing() as s:
                wait, taken = throttle.take_login(s, keyed, policy, utcnow())
            if wait > 0:
                raise Throttled("Too many failed logins: try again later", wait)
        with self.lib.reading() as s:
            user_id, stored = auth.login_candidate(s, username)
        new_hash = auth.check_login(password, user_id, stored)  # slow: outside any transaction
        with self.lib.writing() as s:
            user = s.get(User, user_id)
            if user is None:
                raise AuthenticationFailed(auth.WRONG_LOGIN)
            if new_hash is not None and user.password_hash == stored:
                user.password_hash = new_hash  # an older algorithm or parameters: upgraded now
            if policy:
                # The right password: the address's guess is given back, the name's count cleared.
                throttle.give_back_login(s, [t for t in taken if t.key != keyed[0][0]])
                throttle.clear(s, keyed[0][0])
            return auth.to_user_record(user)

    def create_token(self, username: str, kind: str = "bearer", label: str | None = None) -> str:
        with self.lib.writing() as s:
            return auth.create_token(s, auth.user_by_name(s, username), kind, label)

    def user_for_token(self, token: str, kind: str = "bearer") -> UserRecord:
        with self.lib._reader.connect() as conn:
            return auth.token_owner(conn, token, kind)

    def revoke_tokens(self, username: str, kind: str | None = None) -> int:
        with self.lib.writing() as s:
            return auth.revoke_tokens(s, auth.user_by_name(s, username), kind)

    def revoke_token(self, token: str) -> None:
        with self.lib.writing() as s:
            auth.revoke_token(s, token)

    def list_tokens(self, username: str, kind: str | None = None) -> list[TokenRecord]:
        with self.lib.reading() as s:
            return auth.list_tokens(s, auth.user_by_name(s, username), kind)

    def revoke_token_id(self, token_id: int, kind: str | None = None) -> None:
        """Revoke by the number `list_tokens` shows (the secret itself is not kept)."""
        with self.lib.writing() as s:
            auth.revoke_token_id(s, token_id, kind)
