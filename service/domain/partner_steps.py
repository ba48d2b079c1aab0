"""The service tasks of bpmn/nieuwe_partner.bpmn: what the register knows about a candidate, putting it in the
register, the personal link to its contact, the signed house rules, and activating it (register, regioplan,
begroting) with everyone in the region informed. Each runs in the transaction of the step that reached it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ..mail import messages
from ..models import Attachment, Partner, Region
from . import invitations, partner_news, partners, password_links, regioplan
from .errors import InvalidInput
from .money import format_euro
from .vmbo import LEERWEGEN, PARTNER_KINDS, PROFIELEN, VOCATIONAL_LEERWEGEN, has_technical_profiel, normalise_brin

if TYPE_CHECKING:
    from .service_tasks import ServiceContext


def _text(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    return str(value).strip() if value is not None else ""


def _codes(params: dict[str, Any], name: str) -> list[str]:
    value = params.get(name)
    return [str(v) for v in value] if isinstance(value, list) else []


def _candidate(params: dict[str, Any], *, status: str = "kandidaat", since: str = "") -> partners.PartnerValues:
    return partners.PartnerValues(
        kind=_text(params, "soort"),
        name=_text(params, "naam"),
        brin=_text(params, "brin"),
        bevoegd_gezag=_text(params, "bevoegd_gezag"),
        place=_text(params, "plaats"),
        profielen=_codes(params, "profielen"),
        leerwegen=_codes(params, "leerwegen"),
        status=status,
        candidate_since=since if status == "kandidaat" else "",
        active_from=since if status == "actief" else "",
    )


def _amount(params: dict[str, Any]) -> Decimal:
    try:
        return Decimal(str(params.get("bedrag") or 0)).quantize(Decimal("0.01"))
    except InvalidOperation as err:
        raise InvalidInput("Ongeldig bedrag.", {"bedrag": "Vul een bedrag in euro's in."}) from err


def kandidaat_controleren(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Check the registration against the register's rules (refused at once, with the fields named) and tell
    the decision table what the register knows: is the school already active here or in another region, does it
    offer a vocational leerweg and a technical profiel. Also the readable texts for the letter to DUS-I."""
    session, region_code = ctx.session, ctx.instance.region_code
    values = _candidate(params)
    partners.check_candidate(session, region_code, values)
    amount = _amount(params)
    if amount > 0:
        fields = {}
        if not _text(params, "van_activiteit"):
            fields["van_activiteit"] = "Kies de activiteit waar het budget vandaan komt."
        if not _text(params, "naar_activiteit"):
            fields["naar_activiteit"] = "Kies de activiteit waar het budget naartoe gaat."
        elif _text(params, "naar_activiteit") == _text(params, "van_activiteit"):
            fields["naar_activiteit"] = "Kies een andere activiteit dan die waar het budget vandaan komt."
        if fields:
            raise InvalidInput("Het budgetvoorstel is niet compleet.", fields)
    here = partners.partner_with_brin(session, region_code, values.brin)
    active_here = here is not None and here.status in ("actief", "kandidaat")
    return {
        "al_in_regio": here.name if active_here and here is not None else "",
        "elders_actief": (partners.active_elsewhere(session, brin=values.brin, region_code=region_code) or "")
        if values.brin
        else "",
        "beroepsgerichte_leerweg": bool(VOCATIONAL_LEERWEGEN & set(values.leerwegen)),
        "technisch_profiel": has_technical_profiel(values.profielen),
        "soort_tekst": PARTNER_KINDS.get(values.kind, values.kind),
        "profielen_tekst": ", ".join(
            f"{PROFIELEN[c].name} ({PROFIELEN[c].abbreviation})" for c in PROFIELEN if c in values.profielen
        )
        or "-",
        "leerwegen_tekst": ", ".join(f"{LEERWEGEN[c]} ({c})" for c in LEERWEGEN if c in values.leerwegen) or "-",
        "bedrag_tekst": format_euro(amount),
        "brin": normalise_brin(values.brin),
        "van_programmalijn": _programme_line_name(session, region_code, _text(params, "van_activiteit")),
    }


def _programme_line_name(session: Any, region_code: str, activity_name: str) -> str:
    activity = next((a for a in partners.region_activities(session, region_code) if a.name == activity_name), None)
    return activity.programme_line.name if activity is not None else ""


def kandidaat_registreren(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """After the stuurgroep's approval: the organisation enters the register as a candidate, with its contact.
    A school that left this region before comes back on its own row (its history stays one story)."""
    session, region_code, now = ctx.session, ctx.instance.region_code, ctx.now
    values = _candidate(params, since=now.date().isoformat())
    earlier = partners.partner_with_brin(session, region_code, values.brin)
    if earlier is not None:
        partner = partners.update_partner(
            session,
            user=None,
            region_code=region_code,
            partner_id=earlier.id,
            values=values,
            now=now,
            instance_id=ctx.instance.id,
            summary="Opnieuw kandidaat na besluit van de stuurgroep",
        )
    else:
        partner = partners.add_partner(
            session, user=None, region_code=region_code, values=values, now=now, instance_id=ctx.instance.id
        )
    email = _text(params, "contact_email").lower()
    if not any(c.email == email for c in partner.contacts):
        partners.add_contact(
            session,
            user=None,
            region_code=region_code,
            partner_id=partner.id,
            name=_text(params, "contact_naam"),
            email=email,
            role=_text(params, "contact_functie"),
            now=now,
            instance_id=ctx.instance.id,
        )
    return {"partner_id": partner.id}


def uitnodigen(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Mail the contact a personal link to accept the house rules (replacing any earlier link)."""
    days = params.get("dagen")
    invitation = invitations.invite(
        ctx.session,
        instance=ctx.instance,
        partner_id=int(params.get("partner_id") or 0),
        name=_text(params, "naam"),
        email=_text(params, "email"),
        days=days if isinstance(days, int) else invitations.DEFAULT_DAYS,
        now=ctx.now,
    )
    return {"uitnodiging_id": invitation.id, "link_geldig_tot": invitation.expires_at.isoformat()}


def herinneren(ctx: ServiceContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Remind the contact with the same link, while it is still open."""
    return {"herinnering_verstuurd": invitations.remind(ctx.session, instance=ctx.instance, now=ctx.now) > 0}


def ondertekening_vastleggen(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """The house rules are signed: through the link (its statement is already with the partner's documents) or
    as a document the projectleider uploaded on the partner's behalf, which goes to the partner's documents."""
    if params.get("aanvaard_via") == "link":
        return {"ondertekend_via": "link"}
    reference = params.get("getekend_document")
    attachment_id = reference.get("bijlage_id") if isinstance(reference, dict) else None
    attachment = ctx.session.get(Attachment, attachment_id) if isinstance(attachment_id, int) else None
    if attachment is None or attachment.instance_id != ctx.instance.id:
        raise InvalidInput(
            "Het ondertekende document ontbreekt.",
            {
                "getekend_document": "Upload het ondertekende huishoudelijk reglement, of wacht tot de partner via "
                "de persoonlijke link tekent."
            },
        )
    partners.add_document(
        ctx.session,
        user=ctx.actor,
        region_code=ctx.instance.region_code,
        partner_id=int(params.get("partner_id") or 0),
        kind="huishoudelijk_reglement",
        filename=attachment.filename,
        content_type=attachment.content_type,
        content=attachment.content,
        max_bytes=max(attachment.size, 1),
        now=ctx.now,
        instance_id=ctx.instance.id,
    )
    return {"ondertekend_via": "document"}


def activeren(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """The partner takes part from the stuurgroep's decision date: active in the register, linked to its
    activities, and the budget moved in the begroting (from the activity it came from to the one it goes to)."""
    session, region_code, now, instance = ctx.session, ctx.instance.region_code, ctx.now, ctx.instance
    partner_id = int(params.get("partner_id") or 0)
    partner = session.get(Partner, partner_id)
    if partner is None or partner.region_code != region_code:
        raise InvalidInput("De partner staat niet (meer) in het register.", {})
    since = _decision_day(params.get("vanaf"), now)
    values = partners.PartnerValues.of(partner)
    active = partners.PartnerValues(**{**values.__dict__, "status": "actief", "active_from": since.isoformat()})
    partners.update_partner(
        session,
        user=None,
        region_code=region_code,
        partner_id=partner.id,
        values=active,
        now=now,
        instance_id=instance.id,
        summary="Actief na besluit van de stuurgroep",
    )
    partner.joined_by_instance_id = instance.id
    by_name = {a.name: a.id for a in partners.region_activities(session, region_code)}
    for name in _codes(params, "activiteiten"):
        if name in by_name:
            partners.link_activity(
                session,
                user=None,
                region_code=region_code,
                partner_id=partner.id,
                activity_id=by_name[name],
                now=now,
                instance_id=instance.id,
            )
    amount = _amount(params)
    mutation: dict[str, object] = {}
    if amount > 0:
        target = _text(params, "naar_activiteit")
        line = next(
            (a.programme_line.code for a in partners.region_activities(session, region_code) if a.name == target), ""
        )
        mutation = regioplan.record_mutation(
            session,
            region_code=region_code,
            instance_id=instance.id,
            request=regioplan.MutationRequest(
                activiteit=target,
                programmalijn=line,
                doelstelling=None,
                van_activiteit=_text(params, "van_activiteit") or None,
                jaar=int(params.get("jaar") or 0),
                bedrag=amount,
                omschrijving=f"Nieuwe partner: {partner.name}",
            ),
            actor=None,
            now=now,
        )
    account = _contact_account(ctx, partner, params)
    return {"actief_vanaf": since.isoformat(), "mutatie": mutation, "account": account}


def _contact_account(ctx: ServiceContext, partner: Partner, params: dict[str, Any]) -> str:
    """When the registration asked for it: the contact gets an account with that role in the region (and a
    link to choose a password when the account is new)."""
    role = _text(params, "contact_rol")
    email = _text(params, "contact_email").lower()
    if not role or not email:
        return ""
    user, made = password_links.account_for_contact(
        ctx.session,
        name=_text(params, "contact_naam"),
        email=email,
        region_code=partner.region_code,
        role=role,
        now=ctx.now,
    )
    for contact in partner.contacts:
        if contact.email == email:
            contact.user_id = user.id
    return "nieuw" if made else "bestaand"


def _decision_day(value: Any, now: datetime) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return now.date()


def regio_informeren(ctx: ServiceContext, params: dict[str, Any]) -> dict[str, Any]:
    """Tell everyone with a role in the region and the contacts of its other active partners (once each)."""
    session, instance, now = ctx.session, ctx.instance, ctx.now
    partner = session.get(Partner, int(params.get("partner_id") or 0))
    region = session.get(Region, instance.region_code)
    if partner is None or region is None:
        return {"geinformeerd": 0}
    details = [("Soort", PARTNER_KINDS.get(partner.kind, partner.kind))]
    if partner.brin:
        details.append(("BRIN-vestigingsnummer", partner.brin))
    if partner.profielen:
        details.append(("Profielen", ", ".join(PROFIELEN[c].abbreviation for c in partner.profielen if c in PROFIELEN)))
    if partner.leerwegen:
        details.append(("Leerwegen", ", ".join(partner.leerwegen)))
    told = partner_news.tell_region(
        session,
        partner=partner,
        region=region,
        instance=instance,
        now=now,
        kind="partner_nieuw",
        key_prefix=f"partner_nieuw:{partner.id}",
        compose=lambda name, path, reason, staff: messages.partner_joined(
            name,
            partner_name=partner.name,
            region_name=region.name,
            details=details,
            path=path,
            reason=reason,
            staff=staff,
        ),
    )
    return {"geinformeerd": told}


OPERATIONS = {
    "partners.kandidaat_controleren": kandidaat_controleren,
    "partners.kandidaat_registreren": kandidaat_registreren,
    "partners.uitnodigen": uitnodigen,
    "partners.herinneren": herinneren,
    "partners.ondertekening_vastleggen": ondertekening_vastleggen,
    "partners.activeren": activeren,
    "partners.regio_informeren": regio_informeren,
}
