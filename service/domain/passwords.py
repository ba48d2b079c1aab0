"""Passwords: hashing with argon2 (argon2-cffi), and the one policy every new password meets (a minimum length and
zxcvbn's estimate of how easily it is guessed)."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from .texts import N_, Text

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200  # argon2 takes any length; a bound keeps hashing a huge post cheap to refuse
MIN_STRENGTH = 3  # zxcvbn's score 0..4: 3 is "safely unguessable" against an online attack, and slow offline
_ZXCVBN_LENGTH = 72  # zxcvbn refuses longer input (its matching grows fast); the first 72 characters decide

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


def password_problem(password: str, *, email: str, name: str) -> Text | None:
    """Why this password may not be set for the person with this email and name (Dutch), or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("Het wachtwoord moet minstens %(count)s tekens lang zijn.", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("Het wachtwoord mag hoogstens %(count)s tekens lang zijn.", count=MAX_PASSWORD_LENGTH)
    estimate = zxcvbn(password[:_ZXCVBN_LENGTH], user_inputs=_personal_words(email, name))
    if estimate["score"] >= MIN_STRENGTH:
        return None
    if any(match.get("dictionary_name") == "user_inputs" for match in estimate["sequence"]):
        return N_(
            "Dit wachtwoord is te makkelijk te raden, want het bevat de naam of het e-mailadres. "
            "Gebruik bijvoorbeeld een zin van vier woorden."
        )
    return N_("Dit wachtwoord is te makkelijk te raden; gebruik bijvoorbeeld een zin van vier woorden.")


def _personal_words(email: str, name: str) -> list[str]:
    # zxcvbn matches whole dictionary words: give it the address and the name in pieces as well as whole.
    pieces = [email, name, "".join(name.split()), *re.split(r"[@.+_\-\s]+", email), *name.split()]
    return [piece.lower() for piece in pieces if len(piece) >= 3]
