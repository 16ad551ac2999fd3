"""Password hashing (argon2id, parameters in the hash; old scrypt hashes still verify) and policy."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.core.paths import resource_dir
from app.library.errors import InvalidInput

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
COMMON_PASSWORDS_FILE = "common-passwords.txt"

# argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, m=64 MiB, p=4), above
# OWASP's floor; they are written into every hash, so raising them later rehashes on login.
_HASHER = PasswordHasher()
# Each hash takes 64 MiB and a core for about 0.1 s: a burst of logins waits here instead
# of taking every core and a gigabyte of memory.
_HASHING = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))
# Hashes written before argon2 (never written any more, only verified and replaced).
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _utf8(text: str) -> bytes:
    # A password that arrived as JSON may hold lone surrogates; hash them rather than crash.
    return text.encode("utf-8", "surrogatepass")


def hash_password(password: str) -> str:
    with _HASHING:
        return _HASHER.hash(_utf8(password))


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _verify_argon2(password: str, stored: str) -> bool:
    try:
        with _HASHING:
            return _HASHER.verify(stored, _utf8(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        _, salt_hex, digest_hex = stored.split("$", 2)
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    digest = hashlib.scrypt(_utf8(password), salt=salt, dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def verify_password(password: str, stored: str | None) -> tuple[bool, str | None]:
    """(whether password matches stored, a new hash to store instead when stored is outdated).

    No stored hash (an unknown user, or one without a password) is checked against a dummy
    hash of the same cost, so both answers take as long as a wrong password.
    """
    if stored and stored.startswith("$argon2"):
        if not _verify_argon2(password, stored):
            return False, None
        return True, hash_password(password) if _HASHER.check_needs_rehash(stored) else None
    if stored and stored.startswith("scrypt$"):
        if not _verify_scrypt(password, stored):
            return False, None
        return True, hash_password(password)
    _verify_argon2(password, _dummy_hash())
    return False, None


@functools.cache
def common_passwords() -> frozenset[str]:
    path = resource_dir() / COMMON_PASSWORDS_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def check_new_password(password: str, username: str) -> None:
    """InvalidInput, in one line, for a password that is too short, too long or too guessable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"A password can have at most {MAX_PASSWORD_LENGTH} characters")
    folded = password.strip().lower()
    named = len(username) >= 3 and username.lower() in folded
    if len(set(folded)) <= 2 or folded in common_passwords() or named:
        raise InvalidInput(
            "That password is too easy to guess (a common one, or the user name): choose another"
        )
