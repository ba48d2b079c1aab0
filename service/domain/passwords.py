"""Password hashing with argon2 (argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_STRONG = PasswordHasher()
# Tests create many users; these parameters are only selected by tests (Settings.fast_password_hashing).
_FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hash_password(password: str, *, fast: bool = False) -> str:
    """Hash a password for storage."""
    return (_FAST if fast else _STRONG).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its stored hash (parameters are read from the hash itself)."""
    try:
        return _STRONG.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
