"""One-time links by mail to choose a password: for an account made for someone (a new partner's contact, or a
person an administrator invited) who has none yet, and for someone who forgot theirs. The link carries an
unguessable token checked in constant time, works once, and expires (an invitation after a week, a forgotten-password
link after an hour); a newer link for the same person replaces the older one."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..mail import messages
from ..mail.outbox import enqueue
from ..models import PasswordLink, Region, User
from . import credentials
from .accounts import create_user_without_password, grant_role, has_password
from .audit import record_event
from .errors import Conflict, InvalidInput
from .texts import N_

INVITATION_VALID_FOR = timedelta(days=7)
FORGOTTEN_VALID_FOR = timedelta(hours=1)  # the mailbox may be read by others later: a reset link must not linger


class PasswordLinkRefused(Exception):
    """The link cannot be used; `reason` is Dutch and says why, `status` is the HTTP status."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def account_for_contact(
    session: Session, *, name: str, email: str, region_code: str, role: str, now: datetime
) -> tuple[User, bool]:
    """The user with this email, made when there is none (without a password, with a link to choose one);
    returns (user, made)."""
    email = email.strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    made = user is None
    if user is None:
        user = create_user_without_password(session, email=email, name=name.strip() or email, now=now)
    grant_role(session, user=user, region_code=region_code, role=role)
    if made or not has_password(user):
        send_link(session, user=user, region_code=region_code, role=role, now=now)
    return user, made


def send_link(session: Session, *, user: User, region_code: str, role: str, now: datetime) -> PasswordLink:
    """Mail a new link to choose a password for an account made for a partner's contact; earlier links stop working."""
    region = session.get(Region, region_code)
    region_name = region.name if region else region_code
    return _mail_link(
        session,
        user,
        now=now,
        valid_for=INVITATION_VALID_FOR,
        kind="account",
        region_code=region_code,
        compose=lambda expires_at, path: messages.account_made(
            user.name, region_name=region_name, role=role, email=user.email, expires_at=expires_at, path=path
        ),
    )


def send_invitation(session: Session, *, user: User, now: datetime) -> PasswordLink:
    """Mail an invitation to choose a password (an administrator's new user); earlier links stop working."""
    return _mail_link(
        session,
        user,
        now=now,
        valid_for=INVITATION_VALID_FOR,
        kind="account",
        compose=lambda expires_at, path: messages.account_invitation(
            user.name, email=user.email, expires_at=expires_at, path=path
        ),
    )


def request_new_password(session: Session, *, email: str, now: datetime) -> None:
    """Mail a link to choose a new password when an active account has this address; otherwise do nothing.
    The caller answers the same either way, so nobody learns from it which addresses have an account."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        return
    _mail_link(
        session,
        user,
        now=now,
        valid_for=FORGOTTEN_VALID_FOR,
        kind="password_forgotten",
        compose=lambda expires_at, path: messages.password_forgotten(
            user.name, email=user.email, expires_at=expires_at, path=path
        ),
    )
    record_event(
        session,
        action="password_link_requested",
        summary=f"Link voor een nieuw wachtwoord gemaild aan {user.email}",
        now=now,
        details={"user_id": user.id, "email": user.email},
    )


def _mail_link(
    session: Session,
    user: User,
    *,
    now: datetime,
    valid_for: timedelta,
    kind: str,
    compose: Callable[[datetime, str], messages.Message],
    region_code: str | None = None,
) -> PasswordLink:
    """A new link for the user (older ones stop working), mailed in the words `compose` gives it."""
    link, path = _new_link(session, user, now=now, valid_for=valid_for)
    enqueue(
        session,
        recipient=user.email,
        message=compose(link.expires_at, path),
        kind=kind,
        dedupe_key=f"{kind}:{link.id}",
        now=now,
        user_id=user.id,
        region_code=region_code,
    )
    return link


def _new_link(session: Session, user: User, *, now: datetime, valid_for: timedelta) -> tuple[PasswordLink, str]:
    session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None), PasswordLink.expires_at > now)
        .values(expires_at=now)
    )
    link = PasswordLink(user_id=user.id, nonce=secrets.token_urlsafe(24), created_at=now, expires_at=now + valid_for)
    session.add(link)
    session.flush()
    return link, f"/account/wachtwoord/{link.id}-{link.nonce}"


@dataclass(frozen=True)
class LinkView:
    link_id: int
    user_id: int
    email: str
    name: str
    first_password: bool  # an invitation (no password yet) rather than a forgotten one


def open_link(session: Session, token: str, *, now: datetime) -> LinkView:
    """The link this token names, if it can still be used; PasswordLinkRefused says why not."""
    number, _, nonce = token.partition("-")
    link = session.get(PasswordLink, int(number)) if number.isdigit() and len(number) < 10 else None
    if link is None or not secrets.compare_digest(link.nonce.encode(), nonce.encode()):
        raise PasswordLinkRefused("Deze link is niet geldig. Controleer of u de hele link uit de e-mail gebruikt.", 404)
    if link.used_at is not None:
        raise PasswordLinkRefused("Deze link is al gebruikt. Meld u aan met het wachtwoord dat u toen koos.", 409)
    if link.expires_at <= now:
        raise PasswordLinkRefused(
            N_(
                "Deze link is verlopen of vervangen door een nieuwere. Vraag een nieuwe link aan met "
                "'Wachtwoord vergeten?' op de aanmeldpagina."
            ),
            410,
        )
    user = session.get(User, link.user_id)
    if user is None or not user.active:
        raise PasswordLinkRefused("Dit account is niet (meer) actief.", 410)
    return LinkView(link.id, user.id, user.email, user.name, first_password=not has_password(user))


def choose_password(
    session: Session, view: LinkView, *, new: str, repeat: str, now: datetime, fast_hash: bool = False
) -> None:
    """Set the chosen password and use up the link (once: a second use at the same moment is refused)."""
    user = session.get(User, view.user_id)
    assert user is not None
    fields = credentials.check_new_password(user, new, repeat)
    if fields:
        raise InvalidInput("Het wachtwoord is niet ingesteld.", fields)
    taken = session.execute(
        update(PasswordLink)
        .where(PasswordLink.id == view.link_id, PasswordLink.used_at.is_(None), PasswordLink.expires_at > now)
        .values(used_at=now)
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict("Deze link is net al gebruikt.")
    credentials.replace_password(session, user, new, now=now, fast_hash=fast_hash)
