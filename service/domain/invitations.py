"""The personal link a new partner's contact uses to accept the house rules: they have no account, so the link is
the key. It carries an unguessable 192-bit token checked in constant time (a forged or altered link is refused),
it expires (14 days unless the request says otherwise), it works once, and sending a new link replaces the old
one. (Not an HMAC over the server's secret: the service tasks that send links run without settings, and the
token is as unforgeable; the row decides whether it still counts.) Accepting completes the request's
'ondertekenen' task and keeps a signed statement with the partner's documents."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..mail import messages
from ..mail.outbox import enqueue
from ..models import Partner, PartnerDocument, PartnerInvitation, ProcessInstance, Region
from .audit import record_event
from .errors import Conflict, InvalidInput, NotFound
from .texts import N_

DEFAULT_DAYS = 14
MAX_DAYS = 60
SIGN_TASK = "ondertekenen"  # the task of nieuwe_partner that the link completes


class LinkRefused(Exception):
    """The link cannot be used; `reason` says why in Dutch (shown on the page), `status` is the HTTP status."""

    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def invite(
    session: Session,
    *,
    instance: ProcessInstance,
    partner_id: int,
    name: str,
    email: str,
    days: int,
    now: datetime,
) -> PartnerInvitation:
    """Mail a new personal link to the contact; every earlier open link of this request stops working."""
    partner = session.get(Partner, partner_id)
    if partner is None or partner.region_code != instance.region_code:
        raise NotFound("Niet gevonden.")
    days = days if isinstance(days, int) and 1 <= days <= MAX_DAYS else DEFAULT_DAYS
    revoke_open(session, instance_id=instance.id, now=now)
    invitation = PartnerInvitation(
        partner_id=partner.id,
        instance_id=instance.id,
        nonce=secrets.token_urlsafe(24),
        email=email.strip().lower(),
        name=name.strip() or email,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(invitation)
    session.flush()
    _mail(session, invitation, partner, now=now, reminder=False)
    record_event(
        session,
        action="partner_invited",
        summary=f"Persoonlijke link gemaild aan {invitation.name} ({invitation.email}), geldig tot "
        f"{messages.dutch_date(invitation.expires_at)}",
        now=now,
        region_code=instance.region_code,
        instance_id=instance.id,
        details={
            "invitation_id": invitation.id,
            "partner_id": partner.id,
            "expires_at": invitation.expires_at.isoformat(),
        },
    )
    return invitation


def revoke_open(session: Session, *, instance_id: int, now: datetime) -> None:
    """Every link of this request that still works stops working (a newer link, or the request withdrawn)."""
    session.execute(
        update(PartnerInvitation)
        .where(
            PartnerInvitation.instance_id == instance_id,
            PartnerInvitation.used_at.is_(None),
            PartnerInvitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )


def remind(session: Session, *, instance: ProcessInstance, now: datetime) -> int:
    """Mail the open link again as a reminder; 0 when there is none (accepted, replaced or expired)."""
    invitation = _open_invitation_of(session, instance.id, now)
    if invitation is None:
        return 0
    partner = session.get(Partner, invitation.partner_id)
    assert partner is not None
    return _mail(session, invitation, partner, now=now, reminder=True)


def link_path(invitation: PartnerInvitation) -> str:
    return f"/uitnodiging/{invitation.id}-{invitation.nonce}"


@dataclass(frozen=True)
class InvitationView:
    """An open link, as plain values (the page shows them; the step that accepts uses them after the reading
    transaction has ended)."""

    invitation_id: int
    instance_id: int
    name: str
    email: str
    expires_at: datetime
    partner_id: int
    partner_name: str
    partner_brin: str | None
    region_code: str
    region_name: str


def open_link(session: Session, token: str, *, now: datetime) -> InvitationView:
    """What the link is about, or LinkRefused (tampered, unknown, replaced, used or expired)."""
    invitation = _verified(session, token)
    if invitation.used_at is not None:
        raise LinkRefused(
            f"Deze link is al gebruikt: het huishoudelijk reglement is op {messages.dutch_date(invitation.used_at)} "
            "aanvaard. Een link werkt maar één keer.",
            409,
        )
    request = session.get(ProcessInstance, invitation.instance_id)
    if request is None or request.status == "withdrawn":
        raise LinkRefused("De aanmelding is ingetrokken door de regio; deze link werkt niet meer.", 410)
    if invitation.revoked_at is not None:
        raise LinkRefused("Deze link is vervangen door een nieuwere link. Gebruik de link uit de laatste e-mail.", 410)
    if invitation.expires_at <= now:
        raise LinkRefused(
            f"Deze link is verlopen op {messages.dutch_date(invitation.expires_at)}. Vraag de projectleider van de "
            "regio om een nieuwe link.",
            410,
        )
    partner = session.get(Partner, invitation.partner_id)
    region = session.get(Region, partner.region_code) if partner is not None else None
    if partner is None or region is None:
        raise LinkRefused("Deze link is niet (meer) geldig.", 404)
    return InvitationView(
        invitation_id=invitation.id,
        instance_id=invitation.instance_id,
        name=invitation.name,
        email=invitation.email,
        expires_at=invitation.expires_at,
        partner_id=partner.id,
        partner_name=partner.name,
        partner_brin=partner.brin,
        region_code=region.code,
        region_name=region.name,
    )


@dataclass(frozen=True)
class Acceptance:
    """What the contact filled in on the page."""

    name: str
    role: str
    agreed: bool


def check_acceptance(acceptance: Acceptance) -> None:
    fields = {}
    if not acceptance.name.strip():
        fields["naam"] = "Vul uw naam in."
    elif len(acceptance.name.strip()) > 200:
        fields["naam"] = N_("Gebruik hoogstens %(max)s tekens.", max=200)
    if len(acceptance.role.strip()) > 100:
        fields["functie"] = N_("Gebruik hoogstens %(max)s tekens.", max=100)
    if not acceptance.agreed:
        fields["akkoord"] = "Vink aan dat u het huishoudelijk reglement aanvaardt."
    if fields:
        raise InvalidInput("Niet alle velden zijn goed ingevuld.", fields)


def acceptance_data(acceptance: Acceptance, *, now: datetime) -> dict[str, object]:
    """The data that completes the 'ondertekenen' task (made here, not typed into a form by the contact)."""
    check_acceptance(acceptance)
    return {
        "aanvaard_via": "link",
        "aanvaard_door": acceptance.name.strip(),
        "aanvaard_functie": acceptance.role.strip() or None,
        "aanvaard_op": now.isoformat(),
    }


def record_acceptance(session: Session, view: InvitationView, acceptance: Acceptance, *, now: datetime) -> None:
    """In the step's write transaction: mark the link used (once: of two simultaneous uses the second finds it
    taken and its step is undone) and keep the signed statement with the partner's documents."""
    taken = session.execute(
        update(PartnerInvitation)
        .where(
            PartnerInvitation.id == view.invitation_id,
            PartnerInvitation.used_at.is_(None),
            PartnerInvitation.revoked_at.is_(None),
        )
        .values(used_at=now, accepted_by=acceptance.name.strip(), accepted_role=acceptance.role.strip() or None)
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        raise Conflict("Deze link is net al gebruikt.")
    statement = _statement(view, acceptance, now)
    session.add(
        PartnerDocument(
            partner_id=view.partner_id,
            kind="huishoudelijk_reglement",
            filename=f"aanvaarding-huishoudelijk-reglement-{now:%Y%m%d}.txt",
            content_type="text/plain; charset=utf-8",
            size=len(statement),
            sha256=hashlib.sha256(statement).hexdigest(),
            content=statement,
            uploaded_by_id=None,
            uploaded_by_label=f"{acceptance.name.strip()} ({view.email}, via persoonlijke link)",
            uploaded_at=now,
            instance_id=view.instance_id,
        )
    )
    record_event(
        session,
        action="partner_accepted",
        summary=f"Huishoudelijk reglement aanvaard door {acceptance.name.strip()} namens {view.partner_name}",
        now=now,
        region_code=view.region_code,
        instance_id=view.instance_id,
        details={"invitation_id": view.invitation_id, "email": view.email, "role": acceptance.role.strip()},
    )


def invitations_of(session: Session, instance_id: int) -> list[PartnerInvitation]:
    query = select(PartnerInvitation).where(PartnerInvitation.instance_id == instance_id)
    return list(session.scalars(query.order_by(PartnerInvitation.id)))


def _statement(view: InvitationView, acceptance: Acceptance, now: datetime) -> bytes:
    signer = acceptance.name.strip() + (f", {acceptance.role.strip()}" if acceptance.role.strip() else "")
    lines = [
        "Verklaring van aanvaarding",
        "",
        f"Regio: {view.region_name} (Sterk Techniekonderwijs)",
        f"Partner: {view.partner_name}" + (f" (BRIN {view.partner_brin})" if view.partner_brin else ""),
        f"Aanvaard door: {signer}",
        f"E-mailadres waarnaar de persoonlijke link is gestuurd: {view.email}",
        f"Datum en tijd: {now.isoformat(timespec='seconds')}",
        "",
        "Namens de partner aanvaard ik het huishoudelijk reglement van de regio en sluit ik aan bij de "
        "samenwerkingsovereenkomst Sterk Techniekonderwijs van de regio.",
    ]
    return ("\n".join(lines) + "\n").encode()


def _verified(session: Session, token: str) -> PartnerInvitation:
    number, _, nonce = token.partition("-")
    invitation = session.get(PartnerInvitation, int(number)) if number.isdigit() and len(number) < 10 else None
    if invitation is None or not secrets.compare_digest(invitation.nonce.encode(), nonce.encode()):
        raise LinkRefused("Deze link is niet geldig. Controleer of u de hele link uit de e-mail gebruikt.", 404)
    return invitation


def _open_invitation_of(session: Session, instance_id: int, now: datetime) -> PartnerInvitation | None:
    query = select(PartnerInvitation).where(
        PartnerInvitation.instance_id == instance_id,
        PartnerInvitation.used_at.is_(None),
        PartnerInvitation.revoked_at.is_(None),
        PartnerInvitation.expires_at > now,
    )
    return session.scalars(query.order_by(PartnerInvitation.id.desc())).first()


def _mail(session: Session, invitation: PartnerInvitation, partner: Partner, *, now: datetime, reminder: bool) -> int:
    region = session.get(Region, partner.region_code)
    message = messages.partner_invitation(
        invitation.name,
        partner_name=partner.name,
        region_name=region.name if region else partner.region_code,
        expires_at=invitation.expires_at,
        path=link_path(invitation),
        reminder=reminder,
    )
    queued = enqueue(
        session,
        recipient=invitation.email,
        message=message,
        kind="uitnodiging_partner",
        dedupe_key=f"uitnodiging:{invitation.id}:{'herinnering:' + now.date().isoformat() if reminder else 'eerste'}",
        now=now,
        instance_id=invitation.instance_id,
        region_code=partner.region_code,
    )
    return 0 if queued is None else 1
