"""Password storage (argon2id, old scrypt hashes upgraded on login), policy, and what passwd revokes."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from app.library.errors import AuthenticationFailed, InvalidInput, Throttled
from app.library.models import User
from app.library.service import LibraryService
from app.library.throttle import LoginPolicy
from tests.server.test_cli import _atelier

PASSWORD = "plum orchard 41"


@pytest.fixture
def lib(tmp_path: Path) -> LibraryService:
    with LibraryService(tmp_path / "lib") as library:
        yield library  # type: ignore[misc]


def _stored(lib: LibraryService, name: str) -> str:
    with lib.reading() as s:
        return s.scalar(select(User.password_hash).where(User.username == name)) or ""


def _set_stored(lib: LibraryService, name: str, value: str) -> None:
    with lib.writing() as s:
        s.execute(update(User).where(User.username == name).values(password_hash=value))


def test_passwords_are_stored_as_argon2id_with_their_parameters(lib: LibraryService) -> None:
    lib.create_user("ann", PASSWORD)
    stored = _stored(lib, "ann")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$"), stored
    assert lib.authenticate("ann", PASSWORD).username == "ann"
    with pytest.raises(AuthenticationFailed):
        lib.authenticate("ann", PASSWORD + "x")


def test_an_old_scrypt_hash_still_logs_in_and_is_replaced(lib: LibraryService) -> None:
    lib.create_user("bob", None)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    _set_stored(lib, "bob", f"scrypt${salt.hex()}${digest.hex()}")
    with pytest.raises(AuthenticationFailed):
        lib.authenticate("bob", "not the password")
    assert _stored(lib, "bob").startswith("scrypt$")  # a failure changes nothing
    assert lib.authenticate("bob", PASSWORD).username == "bob"
    assert _stored(lib, "bob").startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert lib.authenticate("bob", PASSWORD).username == "bob"


def test_a_hash_with_weaker_parameters_is_rehashed_on_login(lib: LibraryService) -> None:
    lib.create_user("cat", None)
    _set_stored(lib, "cat", PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD))
    lib.authenticate("cat", PASSWORD)
    assert _stored(lib, "cat").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "A password needs at least 10 characters"),
        ("x" * 1025, "A password can have at most 1024 characters"),
        ("password123", "That password is too easy to guess (a common one, or the user name): choose another"),
        ("QwertyUIOP", "That password is too easy to guess (a common one, or the user name): choose another"),
        ("aaaaaaaaaaaa", "That password is too easy to guess (a common one, or the user name): choose another"),
        ("designer-dana-1", "That password is too easy to guess (a common one, or the user name): choose another"),
    ],
)
def test_weak_passwords_are_refused(lib: LibraryService, password: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        lib.create_user("dana", password)
    assert str(refused.value) == message
    assert [u.username for u in lib.list_users() if u.username == "dana"] == []
    lib.create_user("dana", None)
    with pytest.raises(InvalidInput) as again:
        lib.set_password("dana", password)
    assert str(again.value) == message


def test_the_throttle_counts_in_the_database(tmp_path: Path) -> None:
    policy = LoginPolicy(user_attempts=2, address_attempts=100, lockout=60, max_lockout=60)
    with LibraryService(tmp_path / "lib") as first:
        first.create_user("eve", PASSWORD)
        for _ in range(2):
            with pytest.raises(AuthenticationFailed):
                first.authenticate("eve", "wrong guess!", address="10.0.0.1", policy=policy)
        # Another process on the same library sees the lockout.
        with LibraryService(tmp_path / "lib") as second, pytest.raises(Throttled) as locked:
            second.authenticate("eve", PASSWORD, address="10.0.0.2", policy=policy)
        assert 59 < locked.value.retry_after <= 60
        first.set_password("eve", "a brand new phrase")  # the operator's reset clears it
        assert first.authenticate("eve", "a brand new phrase", policy=policy).username == "eve"


def test_passwd_revokes_every_token_of_the_user(tmp_path: Path) -> None:
    lib_dir = tmp_path / "lib"
    with LibraryService(lib_dir) as lib:
        lib.create_user("fay", PASSWORD)
        lib.create_user("gil", PASSWORD)
        tokens = [lib.create_token("fay"), lib.create_token("fay", label="login"), lib.create_token("fay", kind="apikey")]
        other = lib.create_token("gil")
    changed = _atelier(lib_dir, "users", "passwd", "fay", "--password-stdin", stdin="a brand new phrase\n")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == "Password of fay changed; 3 token(s) and API key(s) revoked"
    weak = _atelier(lib_dir, "users", "passwd", "fay", "--password-stdin", stdin="123\n")
    assert weak.stderr.strip() == "atelier: error: A password needs at least 10 characters"
    with LibraryService(lib_dir) as lib:
        for token, kind in zip(tokens, ("bearer", "bearer", "apikey")):
            with pytest.raises(AuthenticationFailed):
                lib.user_for_token(token, kind=kind)
        assert lib.user_for_token(other).username == "gil"
        assert lib.authenticate("fay", "a brand new phrase").username == "fay"
