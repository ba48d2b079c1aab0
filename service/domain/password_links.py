"""Accounts made for someone else (a new partner's contact given a role in the region) start without a password:
a one-time link by mail lets them choose one. The link carries an unguessable token checked in constant time,
works once, and expires after a week; a newer link for the same person replaces the older one."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..mail import messages
from ..mail.outbox import enqueue
from ..models import PasswordLink, Region, User
from . import credentials
from .accounts import grant_role
from .errors import Conflict, InvalidInput

VALID_FOR = timedelta(days=7)
NO_PASSWORD = "!"  # never a valid hash: the account cannot sign in until its holder chose a password


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
        user = User(email=email, name=name.strip() or email, password_hash=NO_PASSWORD, created_at=now)
        session.add(user)
        session.flush()
    grant_role(session, user=user, region_code=region_code, role=role)
    if made or user.password_hash == NO_PASSWORD:
        send_link(session, user=user, region_code=region_code, role=role, now=now)
    return user, made


def send_link(session: Session, *, user: User, region_code: str, role: str, now: datetime) -> PasswordLink:
    """Mail a new link to choose a password; earlier unused links of this user stop working."""
    session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None), PasswordLink.expires_at > now)
        .values(expires_at=now)
    )
    link = PasswordLink(user_id=user.id, nonce=secrets.token_urlsafe(24), created_at=now, expires_at=now + VALID_FOR)
    session.add(link)
    session.flush()
    region = session.get(Region, region_code)
    message = messages.account_made(
        user.name,
        region_name=region.name if region else region_code,
        role=role,
        email=user.email,
        expires_at=link.expires_at,
        path=f"/account/wachtwoord/{link.id}-{link.nonce}",
    )
    enqueue(
        session,
        recipient=user.email,
        message=message,
        kind="account",
        dedupe_key=f"account:{link.id}",
        now=now,
        user_id=user.id,
        region_code=region_code,
    )
    return link


@dataclass(frozen=True)
class LinkView:
    link_id: int
    user_id: int
    email: str
    name: str


def open_link(session: Session, token: str, *, now: datetime) -> LinkView:
    number, _, nonce = token.partition("-")
    link = session.get(PasswordLink, int(number)) if number.isdigit() and len(number) < 10 else None
    if link is None or not secrets.compare_digest(link.nonce.encode(), nonce.encode()):
        raise PasswordLinkRefused("Deze link is niet geldig. Controleer of u de hele link uit de e-mail gebruikt.", 404)
    if link.used_at is not None:
        raise PasswordLinkRefused("Deze link is al gebruikt. Meld u aan met het wachtwoord dat u toen koos.", 409)
    if link.expires_at <= now:
        raise PasswordLinkRefused(
            "Deze link is verlopen of vervangen door een nieuwere. Vraag de projectleider van uw regio om een nieuwe.",
            410,
        )
    user = session.get(User, link.user_id)
    if user is None or not user.active:
        raise PasswordLinkRefused("Dit account is niet (meer) actief.", 410)
    return LinkView(link.id, user.id, user.email, user.name)


def choose_password(
    session: Session, view: LinkView, *, new: str, repeat: str, now: datetime, fast_hash: bool = False
) -> None:
    """Set the chosen password and use up the link (once: a second use at the same moment is refused)."""
    fields = credentials.check_new_password(new, repeat)
    if fields:
        raise InvalidInput("Het wachtwoord is niet ingesteld.", fields)
    taken = session.execute(
        update(PasswordLink)
        .where(PasswordLink.id == view.link_id, PasswordLink.used_at.is_(None), PasswordLink.expires_at > now)
        .values(used_at=now)
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict("Deze link is net al gebruikt.")
    user = session.get(User, view.user_id)
    assert user is not None
    credentials.replace_password(session, user, new, now=now, fast_hash=fast_hash)
