"""Sign-in sessions on the server: every browser sign-in and every API token is a row that signing out, a new
password or deactivation ends. A signed cookie or token alone is not enough: its row must still be live."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ..models import AuthSession

WEB, API = "web", "api"


def start_session(session: Session, *, user_id: int, kind: str, now: datetime, lifetime: timedelta) -> str:
    """Record a new sign-in of this kind and return its id (for the cookie or the token)."""
    # Rows outlive their cookie or token by nothing: whatever of this kind is older than a lifetime can never be
    # honoured again, so it goes now (an indexed delete) rather than in a job of its own.
    session.execute(delete(AuthSession).where(AuthSession.kind == kind, AuthSession.created_at < now - lifetime))
    session_id = secrets.token_urlsafe(32)
    session.add(AuthSession(id=session_id, user_id=user_id, kind=kind, created_at=now))
    session.flush()
    return session_id


def is_live(session: Session, session_id: object, *, user_id: int, kind: str) -> bool:
    """Whether this sign-in of this user still counts (not signed out, no new password, not deactivated)."""
    if not isinstance(session_id, str) or not session_id:
        return False
    row = session.get(AuthSession, session_id)
    return row is not None and row.user_id == user_id and row.kind == kind and row.ended_at is None


def end_session(session: Session, session_id: object, *, now: datetime) -> None:
    """Sign out: this one sign-in no longer counts (a copy of its cookie or token is refused from now on)."""
    if isinstance(session_id, str) and session_id:
        session.execute(
            update(AuthSession).where(AuthSession.id == session_id, AuthSession.ended_at.is_(None)).values(ended_at=now)
        )


def end_all_sessions(session: Session, *, user_id: int, now: datetime, keep: str | None = None) -> None:
    """End every sign-in of a user, browser and API alike, except the one in `keep` (the person changing it)."""
    query = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
    if keep:
        query = query.where(AuthSession.id != keep)
    session.execute(query.values(ended_at=now))
