"""Sign-in for the web pages: a signed session cookie holding the user id and a server-side session id, both
checked on every request, so signing out (or a new password, or deactivation) ends the session for real."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from flask import g, session
from sqlalchemy.orm import Session, joinedload

from ..domain import auth_sessions, definitions
from ..domain.accounts import roles_by_region
from ..domain.errors import NotAuthenticated
from ..models import User
from .runtime import runtime, utc_now

SESSION_LIFETIME = timedelta(hours=10)  # a working day; the cookie and its server-side row expire together


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as the page layout needs it."""

    id: int
    name: str
    email: str
    is_admin: bool
    roles: dict[str, set[str]]
    is_process_owner: bool = False  # for every region or for one: the 'Procesbeheer' menu


def sign_in(db_session: Session, user_id: int) -> None:
    """Start a fresh session for the user (a new cookie and a new server-side id, so a planted one is worthless)."""
    # The wall clock, not the service's clock: the cookie's own expiry is checked on the wall clock, and the rows
    # it refers to must not be cleaned up sooner (tests move the service's clock by days within one sign-in).
    session_id = auth_sessions.start_session(
        db_session, user_id=user_id, kind=auth_sessions.WEB, now=utc_now(), lifetime=SESSION_LIFETIME
    )
    lang = session.get("lang")  # the language chosen before signing in stays
    session.clear()
    if lang is not None:
        session["lang"] = lang
    session["uid"] = user_id
    session["sid"] = session_id
    session.permanent = True


def current_session_id() -> str | None:
    """The server-side id of this browser's sign-in, if any."""
    sid = session.get("sid")
    return sid if isinstance(sid, str) else None


def sign_out() -> None:
    """End this browser's session on the server too: a copy of the cookie is refused from now on."""
    session_id = current_session_id()
    if session_id is not None:
        rt = runtime()
        with rt.transaction(write=True) as db_session:
            auth_sessions.end_session(db_session, session_id, now=rt.clock())
    forget()


def forget() -> None:
    """Drop the cookie's contents (the language stays: it is no secret and was chosen by this browser)."""
    lang = session.get("lang")
    session.clear()
    if lang is not None:
        session["lang"] = lang


@contextmanager
def page_call(*, write: bool) -> Iterator[tuple[Session, User]]:
    """One transaction for one page request, with the signed-in user; NotAuthenticated without one."""
    uid = session.get("uid")
    if not isinstance(uid, int):
        raise NotAuthenticated("Meld u aan om verder te gaan.")
    with runtime().transaction(write=write) as db_session:
        live = auth_sessions.is_live(db_session, session.get("sid"), user_id=uid, kind=auth_sessions.WEB)
        user = db_session.get(User, uid, options=[joinedload(User.memberships)]) if live else None
        if user is None or not user.active:
            forget()
            raise NotAuthenticated("Meld u aan om verder te gaan.")
        # The layout shows who is signed in, also on an error page after the transaction rolled back,
        # so it gets a plain copy rather than the ORM object.
        g.user = SignedIn(
            user.id, user.name, user.email, user.is_admin, roles_by_region(user), definitions.is_process_owner(user)
        )
        yield db_session, user
