"""Single sign-on: which account an OpenID Connect identity signs in as. Never creates one: an administrator
invites people; a provider only vouches for who someone is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import User
from .audit import record_event
from .errors import NotAuthenticated
from .texts import N_


@dataclass(frozen=True)
class ProviderIdentity:
    """What the provider's validated ID token (and user info) say about the person."""

    subject: str
    email: str
    email_verified: bool

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> ProviderIdentity:
        """Read sub, email and email_verified; some providers send the boolean as the text "true"."""
        verified = claims.get("email_verified")
        email = claims.get("email")
        return cls(
            subject=str(claims.get("sub") or ""),
            email=email.strip() if isinstance(email, str) else "",
            email_verified=verified is True or (isinstance(verified, str) and verified.lower() == "true"),
        )


class SignOnRefused(NotAuthenticated):
    """The provider knows the person, but they may not sign in here; `reason` is for the log, not the page."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def sign_on(session: Session, *, identity: ProviderIdentity, now: datetime) -> User:
    """Return the active user this identity belongs to and note the sign-in, or raise SignOnRefused."""
    if not identity.subject:
        raise SignOnRefused(N_("Uw organisatie gaf niet door wie u bent. Probeer het opnieuw."), "no subject")
    user = session.scalar(select(User).where(User.oidc_subject == identity.subject))
    linked_now = user is None
    if user is None:
        user = _match_by_email(session, identity)
    if not user.active or user.anonymised_at is not None:
        raise SignOnRefused(
            N_("Uw account in STO Flow is niet actief. Vraag een beheerder om het weer te openen."), "inactive"
        )
    if linked_now:
        user.oidc_subject = identity.subject  # from now on the subject finds them, whatever their email becomes
    record_event(
        session,
        action="signed_in_sso",
        summary="ingelogd via SSO",
        now=now,
        actor=user,
        details={"linked": linked_now},
    )
    return user


def _match_by_email(session: Session, identity: ProviderIdentity) -> User:
    # Only an address the provider checked may link an account: otherwise anyone who can type someone's address
    # into their own profile at the provider would sign in as that person.
    if not identity.email:
        raise SignOnRefused(
            N_("Uw organisatie gaf geen e-mailadres door. Vraag uw beheerder om het e-mailadres mee te sturen."),
            "no email",
        )
    if not identity.email_verified:
        raise SignOnRefused(
            N_(
                "Uw e-mailadres is bij uw organisatie niet bevestigd. Bevestig het daar eerst, "
                "of meld u aan met uw wachtwoord."
            ),
            "email not verified",
        )
    user = session.scalar(select(User).where(func.lower(User.email) == identity.email.lower()))
    if user is None:
        raise SignOnRefused(
            N_(
                "Er is geen account in STO Flow voor %(email)s. Een beheerder kan u uitnodigen.",
                email=identity.email,
            ),
            "unknown email",
        )
    if user.oidc_subject is not None:
        # The account already belongs to another identity at the provider: a new one must not take it over.
        raise SignOnRefused(
            N_("Dit account is al gekoppeld aan een ander organisatie-account. Vraag een beheerder om hulp."),
            "linked to another subject",
        )
    return user
