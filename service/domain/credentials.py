"""Passwords that change: a user choosing a new one, an administrator setting one from the command line. Either
way every other sign-in of that user ends, browser sessions and API tokens alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import User
from .audit import record_event
from .auth_sessions import end_all_sessions
from .errors import InvalidInput, NotFound
from .passwords import hash_password, password_problem, verify_password
from .texts import N_


def change_own_password(
    session: Session,
    *,
    user: User,
    current: str,
    new: str,
    repeat: str,
    now: datetime,
    keep_session: str | None,
    fast_hash: bool = False,
) -> None:
    """Replace the user's password after checking the current one; their other sign-ins end."""
    fields: dict[str, str] = {}
    if not verify_password(user.password_hash, current):
        fields["current"] = N_("Het huidige wachtwoord klopt niet.")
    fields.update(check_new_password(user, new, repeat))
    if fields:
        raise InvalidInput("Het wachtwoord is niet gewijzigd.", fields)
    _replace(session, user, new, now=now, keep_session=keep_session, fast_hash=fast_hash, actor=user)


def set_password(session: Session, *, email: str, password: str, now: datetime, fast_hash: bool = False) -> User:
    """Give a user a new password (the command line's way for administrators); all their sign-ins end."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"Er is geen gebruiker met e-mailadres {email.strip()}.")
    fields = check_new_password(user, password, password)
    if fields:
        raise InvalidInput(next(iter(fields.values())), fields)
    _replace(session, user, password, now=now, keep_session=None, fast_hash=fast_hash, actor=None)
    return user


def check_new_password(user: User, new: str, repeat: str) -> dict[str, str]:
    """The password policy for this user's new password, and the repeat; field name -> Dutch message."""
    problem = password_problem(new, email=user.email, name=user.name)
    if problem:
        return {"new": problem}
    if new != repeat:
        return {"repeat": N_("De twee nieuwe wachtwoorden zijn niet gelijk.")}
    return {}


def replace_password(session: Session, user: User, password: str, *, now: datetime, fast_hash: bool = False) -> None:
    """Set a password the user chose through a one-time link (checked by the caller); their sign-ins end."""
    _replace(session, user, password, now=now, keep_session=None, fast_hash=fast_hash, actor=user)


def _replace(
    session: Session,
    user: User,
    password: str,
    *,
    now: datetime,
    keep_session: str | None,
    fast_hash: bool,
    actor: User | None,
) -> None:
    user.password_hash = hash_password(password, fast=fast_hash)
    # Whoever knew the old password may hold a cookie or token made with it: those must stop working too.
    end_all_sessions(session, user_id=user.id, now=now, keep=keep_session)
    record_event(
        session,
        action="password_changed",
        summary=f"Wachtwoord van {user.email} gewijzigd" + ("" if actor else " (opdrachtregel)"),
        now=now,
        actor=actor,
        details={"user_id": user.id, "email": user.email},
    )
    session.flush()
