"""The region's partner register: who takes part, with what (profielen, leerwegen, activities), who to contact,
their signed documents, and the history of every change. Members of a region read it; its projectleider,
penvoerder and coordinator (and administrators) keep it. Every change is kept as a PartnerChange and in the audit
trail, because the region's make-up is part of what it answers for to DUS-I."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..models import Activity, Partner, PartnerActivity, PartnerChange, PartnerContact, PartnerDocument, Region, User
from .access import visible_region
from .audit import record_event
from .days import parse_day
from .errors import InvalidInput, NotAllowed, NotFound
from .texts import N_
from .vmbo import LEERWEGEN, PARTNER_KINDS, PROFIELEN, SCHOOL_KINDS, STATUSES, is_brin, normalise_brin

EDIT_ROLES = frozenset({"projectleider", "penvoerder", "coordinator"})
DOCUMENT_KINDS: dict[str, str] = {
    "huishoudelijk_reglement": "huishoudelijk reglement (ondertekend)",
    "samenwerkingsovereenkomst": "samenwerkingsovereenkomst (ondertekend)",
    "overig": "overig document",
}
MAX_NAME, MAX_TEXT, MAX_NOTE = 200, 100, 2000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# --- who may see and keep a register -----------------------------------------------------------------------


def may_edit_register(user: User, region_code: str) -> bool:
    return user.is_admin or any(m.region_code == region_code and m.role in EDIT_ROLES for m in user.memberships)


def _editable_region(session: Session, user: User, region_code: str) -> Region:
    region = visible_region(session, user=user, region_code=region_code)
    if not may_edit_register(user, region_code):
        raise NotAllowed(
            "Alleen de projectleider, de penvoerder, de coördinator en beheerders houden het register bij."
        )
    return region


def editable_region(session: Session, *, user: User, region_code: str) -> Region:
    """A region whose register the user keeps: NotFound outside their regions, NotAllowed for a reader."""
    return _editable_region(session, user, region_code)


# --- reading -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerFilter:
    """What the list is narrowed to; empty means everything. Unknown codes are refused, not ignored."""

    kind: str = ""
    status: str = ""
    profiel: str = ""
    leerweg: str = ""
    text: str = ""

    def check(self) -> None:
        fields = {}
        if self.kind and self.kind not in PARTNER_KINDS:
            fields["soort"] = N_("Onbekende soort organisatie.")
        if self.status and self.status not in STATUSES:
            fields["status"] = N_("Onbekende status.")
        if self.profiel and self.profiel not in PROFIELEN:
            fields["profiel"] = N_("Onbekend profiel.")
        if self.leerweg and self.leerweg not in LEERWEGEN:
            fields["leerweg"] = N_("Onbekende leerweg.")
        if len(self.text) > MAX_NAME:
            fields["zoek"] = N_("Gebruik hoogstens %(max)s tekens.", max=MAX_NAME)
        if fields:
            raise InvalidInput(N_("Het filter klopt niet."), fields)

    def matches(self, partner: Partner) -> bool:
        text = self.text.strip().lower()
        return (
            (not self.kind or partner.kind == self.kind)
            and (not self.status or partner.status == self.status)
            and (not self.profiel or self.profiel in (partner.profielen or []))
            and (not self.leerweg or self.leerweg in (partner.leerwegen or []))
            and (
                not text
                or any(text in (value or "").lower() for value in (partner.name, partner.brin, partner.place))
                or any(text in c.name.lower() or text in c.email.lower() for c in partner.contacts)
            )
        )


@dataclass(frozen=True)
class RegisterView:
    region: Region
    partners: list[Partner]
    total: int  # partners in the region, before filtering
    may_edit: bool


def list_partners(
    session: Session, *, user: User, region_code: str, filters: PartnerFilter | None = None
) -> RegisterView:
    """The region's partners matching the filter: active first, then candidates, then those who left; by name.
    A register holds tens of organisations, so the JSON lists are filtered here rather than per database dialect."""
    region = visible_region(session, user=user, region_code=region_code)
    filters = filters or PartnerFilter()
    filters.check()
    everyone = list(
        session.scalars(
            select(Partner)
            .where(Partner.region_code == region_code)
            .options(selectinload(Partner.contacts), selectinload(Partner.activity_links))
        )
    )
    order = {status: i for i, status in enumerate(("actief", "kandidaat", "vertrokken"))}
    found = sorted(
        (p for p in everyone if filters.matches(p)), key=lambda p: (order.get(p.status, 9), p.name.lower(), p.id)
    )
    return RegisterView(region, found, len(everyone), may_edit_register(user, region_code))


def get_partner(session: Session, *, user: User, region_code: str, partner_id: int) -> Partner:
    """One partner of a region the user may read; NotFound for another region's partner."""
    visible_region(session, user=user, region_code=region_code)
    partner = session.get(Partner, partner_id)
    if partner is None or partner.region_code != region_code:
        raise NotFound("Niet gevonden.")
    return partner


def history(session: Session, partner: Partner) -> list[PartnerChange]:
    """Every change to the partner, newest first."""
    query = select(PartnerChange).where(PartnerChange.partner_id == partner.id)
    return list(session.scalars(query.order_by(PartnerChange.at.desc(), PartnerChange.id.desc())))


def region_activities(session: Session, region_code: str) -> list[Activity]:
    """The regioplan activities a partner of this region can join, by name."""
    query = select(Activity).where(Activity.region_code == region_code).order_by(func.lower(Activity.name))
    return list(session.scalars(query))


def active_elsewhere(session: Session, *, brin: str, region_code: str) -> str | None:
    """The name of another region of this installation where this school is active, if any."""
    query = (
        select(Region.name)
        .join(Partner, Partner.region_code == Region.code)
        .where(Partner.brin == normalise_brin(brin), Partner.status == "actief", Partner.region_code != region_code)
        .order_by(Region.name)
    )
    return session.scalars(query).first()


# --- the partner's own data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerValues:
    """A partner as typed on the page (or sent to the API); every field is text until it is checked."""

    kind: str = ""
    name: str = ""
    brin: str = ""
    bevoegd_gezag: str = ""
    place: str = ""
    profielen: list[str] = field(default_factory=list)
    leerwegen: list[str] = field(default_factory=list)
    status: str = "kandidaat"
    candidate_since: str = ""
    active_from: str = ""
    left_on: str = ""
    note: str = ""

    @classmethod
    def of(cls, partner: Partner) -> PartnerValues:
        return cls(
            kind=partner.kind,
            name=partner.name,
            brin=partner.brin or "",
            bevoegd_gezag=partner.bevoegd_gezag or "",
            place=partner.place or "",
            profielen=list(partner.profielen or []),
            leerwegen=list(partner.leerwegen or []),
            status=partner.status,
            candidate_since=partner.candidate_since.isoformat() if partner.candidate_since else "",
            active_from=partner.active_from.isoformat() if partner.active_from else "",
            left_on=partner.left_on.isoformat() if partner.left_on else "",
            note=partner.note or "",
        )


_DATE_FIELDS = ("candidate_since", "active_from", "left_on")


# The register's field names as the nieuwe_partner forms call them.
CANDIDATE_FORM_FIELDS = {
    "kind": "soort",
    "name": "naam",
    "brin": "brin",
    "bevoegd_gezag": "bevoegd_gezag",
    "place": "plaats",
    "profielen": "profielen",
    "leerwegen": "leerwegen",
}


def check_candidate(session: Session, region_code: str, values: PartnerValues) -> dict[str, Any]:
    """The register's rules for a candidate as the registration form names its fields. Whether the school is
    already in a register is left to the request's decision table, which gives the reason to everyone."""
    try:
        return _checked(session, region_code, values, None, unique=False)
    except InvalidInput as err:
        fields = {CANDIDATE_FORM_FIELDS.get(name, name): message for name, message in err.fields.items()}
        raise InvalidInput(err.message, fields) from err


def partner_with_brin(session: Session, region_code: str, brin: str) -> Partner | None:
    """The region's partner with this BRIN-vestigingsnummer, in any status."""
    if not brin:
        return None
    query = select(Partner).where(Partner.region_code == region_code, Partner.brin == normalise_brin(brin))
    return session.scalars(query).first()


def _checked(
    session: Session, region_code: str, values: PartnerValues, partner_id: int | None, *, unique: bool = True
) -> dict[str, Any]:
    """The typed fields, or InvalidInput naming every wrong field in Dutch."""
    fields: dict[str, str] = {}
    result: dict[str, Any] = {
        "kind": values.kind,
        "name": values.name.strip(),
        "bevoegd_gezag": values.bevoegd_gezag.strip() or None,
        "place": values.place.strip() or None,
        "status": values.status,
        "note": values.note.strip() or None,
    }
    if values.kind not in PARTNER_KINDS:
        fields["kind"] = "Kies de soort organisatie."
    if not result["name"]:
        fields["name"] = "Vul de naam van de organisatie in."
    for name, limit in (("name", MAX_NAME), ("bevoegd_gezag", MAX_NAME), ("place", MAX_TEXT), ("note", MAX_NOTE)):
        if result[name] and len(result[name]) > limit:
            fields[name] = N_("Gebruik hoogstens %(max)s tekens.", max=limit)
    result["brin"] = _checked_brin(session, region_code, values, partner_id, fields, unique=unique)
    result["profielen"], result["leerwegen"] = _checked_tracks(values, fields)
    if values.status not in STATUSES:
        fields["status"] = "Kies een status."
    for name in _DATE_FIELDS:
        text = getattr(values, name).strip()
        result[name] = None
        if text:
            try:
                result[name] = parse_day(text, first_year=2000, last_year=2040)
            except (ValueError, TypeError):
                fields[name] = "Vul een geldige datum in (dd-mm-jjjj of jjjj-mm-dd), of laat het veld leeg."
    if values.status == "actief" and not result["active_from"] and "active_from" not in fields:
        fields["active_from"] = "Vul in vanaf wanneer de partner meedoet."
    if values.status == "vertrokken" and not result["left_on"] and "left_on" not in fields:
        fields["left_on"] = "Vul in wanneer de partner is vertrokken."
    if result["active_from"] and result["left_on"] and result["left_on"] < result["active_from"]:
        fields["left_on"] = "De vertrekdatum ligt vóór de datum waarop de partner begon."
    if fields:
        raise InvalidInput("Niet alle velden zijn goed ingevuld.", fields)
    return result


def _checked_brin(
    session: Session,
    region_code: str,
    values: PartnerValues,
    partner_id: int | None,
    fields: dict[str, str],
    *,
    unique: bool,
) -> str | None:
    brin = normalise_brin(values.brin)
    if not brin:
        if values.kind == "vmbo":
            fields["brin"] = "Vul het BRIN-vestigingsnummer van de school in, bijvoorbeeld 12AB01."
        return None
    if values.kind in PARTNER_KINDS and values.kind not in SCHOOL_KINDS:
        fields["brin"] = "Alleen scholen hebben een BRIN-vestigingsnummer; laat dit veld leeg."
    elif not is_brin(brin):
        fields["brin"] = "Een BRIN-vestigingsnummer is vier tekens en twee cijfers, bijvoorbeeld 12AB01."
    elif unique:
        same = partner_with_brin(session, region_code, brin)
        if same is not None and same.id != partner_id:
            fields["brin"] = N_("Deze school staat al in het register: %(name)s.", name=same.name)
    return brin


def _checked_tracks(values: PartnerValues, fields: dict[str, str]) -> tuple[list[str], list[str]]:
    profielen = [code for code in PROFIELEN if code in set(values.profielen)]  # the register's order, no doubles
    leerwegen = [code for code in LEERWEGEN if code in set(values.leerwegen)]
    if set(values.profielen) - set(PROFIELEN):
        fields["profielen"] = "Kies alleen profielen uit de lijst."
    if set(values.leerwegen) - set(LEERWEGEN):
        fields["leerwegen"] = "Kies alleen leerwegen uit de lijst."
    if values.kind in PARTNER_KINDS and values.kind != "vmbo":
        if profielen:
            fields["profielen"] = "Alleen vmbo-scholen bieden vmbo-profielen aan."
        if leerwegen:
            fields["leerwegen"] = "Alleen vmbo-scholen hebben vmbo-leerwegen."
    return profielen, leerwegen


def add_partner(
    session: Session,
    *,
    user: User | None,
    region_code: str,
    values: PartnerValues,
    now: datetime,
    instance_id: int | None = None,
) -> Partner:
    """Add an organisation to the register. `user=None` is a step of a process (the request is the reason)."""
    if user is not None:
        _editable_region(session, user, region_code)
    checked = _checked(session, region_code, values, None)
    partner = Partner(
        region_code=region_code, created_at=now, updated_at=now, joined_by_instance_id=instance_id, **checked
    )
    session.add(partner)
    session.flush()
    _record(
        session, partner, user, now, f"Toegevoegd aan het register ({STATUSES[partner.status]})",
        {name: [None, _plain(value)] for name, value in checked.items() if value not in (None, [])},
        instance_id,
    )  # fmt: skip
    return partner


def update_partner(
    session: Session,
    *,
    user: User | None,
    region_code: str,
    partner_id: int,
    values: PartnerValues,
    now: datetime,
    instance_id: int | None = None,
    summary: str = "Gegevens gewijzigd",
) -> Partner:
    """Change a partner's data; the history keeps every field's old and new value. No change, no entry."""
    partner = _partner_to_edit(session, user, region_code, partner_id)
    checked = _checked(session, region_code, values, partner.id)
    changes = {}
    for name, value in checked.items():
        old = getattr(partner, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(partner, name, value)
    if changes:
        partner.updated_at = now
        _record(session, partner, user, now, summary, changes, instance_id)
    return partner


def get_partner_to_edit(session: Session, *, user: User, region_code: str, partner_id: int) -> Partner:
    """A partner the user may change (the form's current values)."""
    return _partner_to_edit(session, user, region_code, partner_id)


def _partner_to_edit(session: Session, user: User | None, region_code: str, partner_id: int) -> Partner:
    if user is not None:
        _editable_region(session, user, region_code)
    partner = session.get(Partner, partner_id)
    if partner is None or partner.region_code != region_code:
        raise NotFound("Niet gevonden.")
    return partner


# --- contacts, activities, documents --------------------------------------------------------------------------


def add_contact(
    session: Session,
    *,
    user: User | None,
    region_code: str,
    partner_id: int,
    name: str,
    email: str,
    role: str,
    now: datetime,
    instance_id: int | None = None,
) -> PartnerContact:
    """A person to contact at the partner (the address the personal links and news go to)."""
    partner = _partner_to_edit(session, user, region_code, partner_id)
    name, email, role = name.strip(), email.strip().lower(), role.strip()
    fields: dict[str, str] = {}
    if not name:
        fields["contact_name"] = "Vul de naam van de contactpersoon in."
    elif len(name) > MAX_NAME:
        fields["contact_name"] = N_("Gebruik hoogstens %(max)s tekens.", max=MAX_NAME)
    if not _EMAIL.match(email) or len(email) > 254:
        fields["contact_email"] = "Vul een geldig e-mailadres in, bijvoorbeeld naam@school.nl."
    elif any(c.email == email for c in partner.contacts):
        fields["contact_email"] = "Deze contactpersoon staat al bij deze partner."
    if len(role) > MAX_TEXT:
        fields["contact_role"] = N_("Gebruik hoogstens %(max)s tekens.", max=MAX_TEXT)
    if fields:
        raise InvalidInput("Niet alle velden zijn goed ingevuld.", fields)
    contact = PartnerContact(name=name, email=email, role=role or None)
    partner.contacts.append(contact)
    partner.updated_at = now
    session.flush()
    _record(session, partner, user, now, f"Contactpersoon toegevoegd: {name}", {"contact": [None, email]}, instance_id)
    return contact


def remove_contact(
    session: Session, *, user: User, region_code: str, partner_id: int, contact_id: int, now: datetime
) -> None:
    partner = _partner_to_edit(session, user, region_code, partner_id)
    contact = next((c for c in partner.contacts if c.id == contact_id), None)
    if contact is None:
        raise NotFound("Niet gevonden.")
    partner.contacts.remove(contact)
    partner.updated_at = now
    _record(
        session, partner, user, now, f"Contactpersoon verwijderd: {contact.name}", {"contact": [contact.email, None]}
    )


def link_activity(
    session: Session,
    *,
    user: User | None,
    region_code: str,
    partner_id: int,
    activity_id: int,
    now: datetime,
    instance_id: int | None = None,
) -> PartnerActivity:
    """The partner takes part in one of its region's regioplan activities (once)."""
    partner = _partner_to_edit(session, user, region_code, partner_id)
    activity = session.get(Activity, activity_id)
    if activity is None or activity.region_code != region_code:
        raise InvalidInput("Onbekende activiteit.", {"activity_id": "Kies een activiteit uit het regioplan."})
    existing = next((link for link in partner.activity_links if link.activity_id == activity_id), None)
    if existing is not None:
        return existing
    link = PartnerActivity(activity_id=activity_id, linked_at=now, instance_id=instance_id)
    partner.activity_links.append(link)
    partner.updated_at = now
    session.flush()
    summary = f"Doet mee aan activiteit: {activity.name}"
    _record(session, partner, user, now, summary, {"activiteit": [None, activity.name]}, instance_id)
    return link


def unlink_activity(
    session: Session,
    *,
    user: User | None,
    region_code: str,
    partner_id: int,
    activity_id: int,
    now: datetime,
    instance_id: int | None = None,
) -> None:
    partner = _partner_to_edit(session, user, region_code, partner_id)
    link = next((link for link in partner.activity_links if link.activity_id == activity_id), None)
    if link is None:
        raise NotFound("Niet gevonden.")
    name = link.activity.name
    partner.activity_links.remove(link)
    partner.updated_at = now
    _record(session, partner, user, now, f"Doet niet meer mee aan: {name}", {"activiteit": [name, None]}, instance_id)


def add_document(
    session: Session,
    *,
    user: User | None,
    region_code: str,
    partner_id: int,
    kind: str,
    filename: str,
    content_type: str,
    content: bytes,
    max_bytes: int,
    now: datetime,
    uploaded_by_label: str | None = None,
    instance_id: int | None = None,
) -> PartnerDocument:
    """Keep a signed document of the partner (e.g. the house rules), with its checksum."""
    partner = _partner_to_edit(session, user, region_code, partner_id)
    fields = {}
    if kind not in DOCUMENT_KINDS:
        fields["document_kind"] = "Kies wat voor document dit is."
    if not content:
        fields["document"] = "Kies een bestand; dit bestand is leeg."
    elif len(content) > max_bytes:
        fields["document"] = N_("Dit bestand is te groot; het mag hoogstens %(mb)s MB zijn.", mb=max_bytes // 2**20)
    if fields:
        raise InvalidInput("Het document is niet opgeslagen.", fields)
    document = PartnerDocument(
        kind=kind,
        filename=_clean_filename(filename),
        content_type=content_type or "application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by_id=user.id if user is not None else None,
        uploaded_by_label=uploaded_by_label or (user.email if user is not None else "systeem"),
        uploaded_at=now,
        instance_id=instance_id,
    )
    partner.documents.append(document)
    partner.updated_at = now
    session.flush()
    summary = f"Document toegevoegd: {DOCUMENT_KINDS[kind]}"
    _record(session, partner, user, now, summary, {"document": [None, document.filename]}, instance_id)
    return document


def get_document(
    session: Session, *, user: User, region_code: str, partner_id: int, document_id: int
) -> PartnerDocument:
    partner = get_partner(session, user=user, region_code=region_code, partner_id=partner_id)
    document = next((d for d in partner.documents if d.id == document_id), None)
    if document is None:
        raise NotFound("Niet gevonden.")
    return document


def _clean_filename(name: str) -> str:
    """The file's own name without any folder part a browser may send, never empty."""
    base = re.split(r"[\\/]", name or "")[-1].strip().replace("\x00", "")
    return base[:255] or "document"


# --- history --------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as the history keeps it (JSON)."""
    if isinstance(value, date):
        return value.isoformat()
    return list(value) if isinstance(value, list | tuple) else value


def _record(
    session: Session,
    partner: Partner,
    user: User | None,
    now: datetime,
    summary: str,
    changes: dict[str, Any],
    instance_id: int | None = None,
) -> None:
    label = user.email if user is not None else "systeem"
    summary = summary[:500]
    session.add(
        PartnerChange(
            partner_id=partner.id,
            at=now,
            actor_id=user.id if user is not None else None,
            actor_label=label,
            summary=summary,
            changes=changes,
            instance_id=instance_id,
        )
    )
    record_event(
        session,
        action="partner_changed",
        summary=f"{partner.name}: {summary}",
        now=now,
        actor=user,
        region_code=partner.region_code,
        instance_id=instance_id,
        details={"partner_id": partner.id, "changes": changes},
    )
