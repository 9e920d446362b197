"""Secrets and passwords: argon2id hashes, random tokens stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mediathek.i18n import _

# argon2-cffi's defaults are argon2id with RFC 9106's "low memory" profile.
_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in German, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Das Passwort muss mindestens %(num)s Zeichen lang sein.") % {
            "num": MIN_PASSWORD_LENGTH
        }
    if password.strip() != password:
        return _("Das Passwort darf nicht mit Leerzeichen beginnen oder enden.")
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
