"""Sign-in for the web pages: a signed session cookie holding the user id, checked on every request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import g, session
from sqlalchemy.orm import Session, joinedload

from ..domain.accounts import roles_by_region
from ..domain.errors import NotAuthenticated
from ..models import User
from .runtime import runtime


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as the page layout needs it."""

    id: int
    name: str
    email: str
    is_admin: bool
    roles: dict[str, set[str]]


def sign_in(user: User) -> None:
    """Start a fresh session for the user (a new cookie, so a planted session id is worthless)."""
    lang = session.get("lang")  # the language chosen before signing in stays
    session.clear()
    if lang is not None:
        session["lang"] = lang
    session["uid"] = user.id
    session.permanent = True


def sign_out() -> None:
    session.clear()


@contextmanager
def page_call(*, write: bool) -> Iterator[tuple[Session, User]]:
    """One transaction for one page request, with the signed-in user; NotAuthenticated without one."""
    uid = session.get("uid")
    if not isinstance(uid, int):
        raise NotAuthenticated("Meld u aan om verder te gaan.")
    with runtime().transaction(write=write) as db_session:
        user = db_session.get(User, uid, options=[joinedload(User.memberships)])
        if user is None or not user.active:
            sign_out()
            raise NotAuthenticated("Meld u aan om verder te gaan.")
        # The layout shows who is signed in, also on an error page after the transaction rolled back,
        # so it gets a plain copy rather than the ORM object.
        g.user = SignedIn(user.id, user.name, user.email, user.is_admin, roles_by_region(user))
        yield db_session, user
