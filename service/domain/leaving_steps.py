"""The service tasks of bpmn/partner_vertrek.bpmn: checking the partner that leaves (and what the letter to DUS-I
says about it), taking it out of the register with its activities and its contacts' roles in the region, and
telling the region. Each runs in the transaction of the step that reached it."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from sqlalchemy import select

from ..mail import messages
from ..models import HumanTask, Membership, Partner, ProcessInstance, Region, User
from . import partner_news, partners
from .audit import record_event
from .errors import InvalidInput
from .vmbo import PARTNER_KINDS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from .service_tasks import ServiceContext


def _leaving_partner(session: Session, region_code: str, value: Any) -> Partner:
    """The region's active partner the form chose, or InvalidInput naming the field."""
    text = str(value)
    partner = session.get(Partner, int(text)) if text.isascii() and text.isdigit() and len(text) < 10 else None
    if partner is None or partner.region_code != region_code or partner.status != "actief":
        raise InvalidInput(
            "Deze partner kan niet vertrekken.", {"partner_id": "Kies een actieve partner van deze regio."}
        )
    return partner


def _leaving_day(partner: Partner, value: Any) -> date:
    try:
        day = date.fromisoformat(str(value))
    except ValueError as err:
        raise InvalidInput("Ongeldige datum.", {"vertrekdatum": "Vul een geldige datum in."}) from err
    if not 2000 <= day.year <= 2040:  # the register's range for its dates
        raise InvalidInput("Ongeldige datum.", {"vertrekdatum": "Vul een datum tussen 2000 en 2040 in."})
    if partner.active_from is not None and day < partner.active_from:
        message = f"De partner doet pas mee sinds {format_date(partner.active_from, 'd MMMM y', locale='nl')}."
        raise InvalidInput("De vertrekdatum ligt te vroeg.", {"vertrekdatum": message})
    return day


def vertrek_controleren(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Check the reported partner (active, in this region) and its leaving date, and give the readable facts the
    stuurgroep and the letter to DUS-I need: name, kind, BRIN, the activities it leaves, contacts with an account."""
    partner = _leaving_partner(ctx.session, ctx.instance.region_code, params.get("partner_id"))
    day = _leaving_day(partner, params.get("vertrekdatum"))
    activities = [link.activity.name for link in partner.activity_links]
    return {
        "partner_id": partner.id,
        "naam": partner.name,
        "soort_tekst": PARTNER_KINDS.get(partner.kind, partner.kind),
        "brin": partner.brin or "",
        "vertrekdatum_tekst": format_date(day, "d MMMM y", locale="nl"),
        "activiteiten": activities,
        "activiteiten_tekst": ", ".join(activities) or "geen",
        "contacten_met_account": sum(1 for c in partner.contacts if c.user_id is not None),
    }


def vertrek_verwerken(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """After the stuurgroep's approval and the letter to DUS-I: the partner leaves the register on its leaving
    date, its activity links end, and (when chosen) its contacts' accounts lose their roles in this region."""
    session, instance, now = ctx.session, ctx.instance, ctx.now
    partner = _leaving_partner(session, instance.region_code, params.get("partner_id"))
    day = _leaving_day(partner, params.get("vertrekdatum"))
    ended = []
    for link in list(partner.activity_links):
        ended.append(link.activity.name)
        partners.unlink_activity(
            session,
            user=None,
            region_code=instance.region_code,
            partner_id=partner.id,
            activity_id=link.activity_id,
            now=now,
            instance_id=instance.id,
        )
    values = partners.PartnerValues.of(partner)
    left = partners.PartnerValues(**{**values.__dict__, "status": "vertrokken", "left_on": day.isoformat()})
    partners.update_partner(
        session,
        user=None,
        region_code=instance.region_code,
        partner_id=partner.id,
        values=left,
        now=now,
        instance_id=instance.id,
        summary="Vertrokken na besluit van de stuurgroep",
    )
    revoked = _end_roles(session, partner, instance, now) if params.get("accounts_beeindigen") is not False else []
    return {"vertrokken_op": day.isoformat(), "activiteiten_beeindigd": ended, "rollen_beeindigd": revoked}


def _end_roles(session: Session, partner: Partner, instance: ProcessInstance, now: datetime) -> list[str]:
    """Take the region's roles from the contacts' accounts (their roles elsewhere stay); their claimed tasks in
    the region go back to the others, as when an administrator revokes a role."""
    revoked = []
    for contact in partner.contacts:
        user = session.get(User, contact.user_id) if contact.user_id is not None else None
        if user is None:
            continue
        for membership in [m for m in user.memberships if m.region_code == partner.region_code]:
            user.memberships.remove(membership)
            revoked.append(f"{user.email}: {membership.role}")
            record_event(
                session,
                action="role_revoked",
                summary=f"Rol {membership.role} ingetrokken bij {user.email} (partner {partner.name} vertrokken)",
                now=now,
                region_code=partner.region_code,
                instance_id=instance.id,
                details={"user_id": user.id, "email": user.email, "role": membership.role, "partner_id": partner.id},
            )
            _release_claims(session, user, membership, now)
    session.flush()
    return revoked


def _release_claims(session: Session, user: User, membership: Membership, now: datetime) -> None:
    query = select(HumanTask).where(
        HumanTask.assignee_id == user.id,
        HumanTask.status == "open",
        HumanTask.region_code == membership.region_code,
        HumanTask.role == membership.role,
    )
    for task in session.scalars(query):
        task.assignee_id = None
        record_event(
            session,
            action="task_unclaimed",
            summary=f"Taak vrijgegeven (partner vertrokken): {task.name}",
            now=now,
            region_code=task.region_code,
            instance_id=task.instance_id,
            task_id=task.id,
        )


def vertrek_informeren(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Tell everyone with a role in the region and the contacts of its other active partners (once each)."""
    session, instance, now = ctx.session, ctx.instance, ctx.now
    partner = session.get(Partner, int(params.get("partner_id") or 0))
    region = session.get(Region, instance.region_code)
    if partner is None or region is None or partner.left_on is None:
        return {"geinformeerd": 0}
    details = [("Soort", PARTNER_KINDS.get(partner.kind, partner.kind))]
    if partner.brin:
        details.append(("BRIN-vestigingsnummer", partner.brin))
    left_on = partner.left_on
    told = partner_news.tell_region(
        session,
        partner=partner,
        region=region,
        instance=instance,
        now=now,
        kind="partner_vertrek",
        key_prefix=f"partner_vertrek:{instance.id}",  # per request: a partner may leave again after rejoining
        compose=lambda name, path, reason, staff: messages.partner_left(
            name,
            partner_name=partner.name,
            region_name=region.name,
            left_on=left_on,
            details=details,
            path=path,
            reason=reason,
            staff=staff,
        ),
    )
    return {"geinformeerd": told}


OPERATIONS = {
    "partners.vertrek_controleren": vertrek_controleren,
    "partners.vertrek_verwerken": vertrek_verwerken,
    "partners.vertrek_informeren": vertrek_informeren,
}
