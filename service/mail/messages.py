"""The wording of every mail, in Dutch, as plain text and as HTML in which all user data is escaped.

Links are written as BASE_URL_MARK + path: the sender puts the site's address in their place, so the code that
queues a mail needs no settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

BASE_URL_MARK = "[[STO_BASE_URL]]"
SETTINGS_PATH = "/instellingen"
TIME_ZONE = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Message:
    """One composed mail; `link` is the path of the page it is about (e.g. /taken/5)."""

    subject: str
    text: str
    html: str
    link: str | None = None


@dataclass(frozen=True)
class TaskFacts:
    """What a mail about a task tells."""

    task_id: int
    task_name: str
    instance_title: str
    region_name: str
    due_at: datetime | None = None

    @property
    def link(self) -> str:
        return f"/taken/{self.task_id}"


def dutch_date(moment: datetime | date) -> str:
    """'maandag 21 december 2026' (a moment is shown in Dutch time), written by Babel's Dutch calendar."""
    day = moment.astimezone(TIME_ZONE).date() if isinstance(moment, datetime) else moment
    return format_date(day, "EEEE d MMMM y", locale="nl")


def new_task(name: str, facts: TaskFacts, reason: str) -> Message:
    """A task is waiting for the recipient."""
    return _compose(
        subject=f"Nieuwe taak: {facts.task_name}",
        name=name,
        intro=["Er staat een nieuwe taak voor u klaar in STO Flow."],
        facts=_task_lines(facts),
        action=("Open de taak", facts.link),
        reason=reason,
    )


def reminder(name: str, facts: TaskFacts, due_at: datetime, offset_label: str, reason: str) -> Message:
    """The task must be done by its due date."""
    return _compose(
        subject=f"Herinnering: {facts.task_name} uiterlijk op {dutch_date(due_at)}",
        name=name,
        intro=[f"Deze taak moet uiterlijk op {dutch_date(due_at)} af zijn (nog {offset_label})."],
        facts=_task_lines(facts),
        action=("Open de taak", facts.link),
        reason=reason,
    )


def overdue(name: str, facts: TaskFacts, due_at: datetime, reason: str) -> Message:
    """The task is past its due date (to the people who should do it)."""
    return _compose(
        subject=f"Te laat: {facts.task_name}",
        name=name,
        intro=[
            f"Deze taak had uiterlijk op {dutch_date(due_at)} af moeten zijn.",
            "Wilt u hem zo snel mogelijk afronden?",
        ],
        facts=_task_lines(facts),
        action=("Open de taak", facts.link),
        reason=reason,
    )


def escalation(name: str, facts: TaskFacts, due_at: datetime, role: str, reason: str) -> Message:
    """The task is past its due date (to whom it is escalated; the task stays where it is)."""
    return _compose(
        subject=f"Escalatie: {facts.task_name} is te laat",
        name=name,
        intro=[
            f"Deze taak had uiterlijk op {dutch_date(due_at)} af moeten zijn en is nog niet afgerond.",
            f"De taak blijft bij de rol {role}; u krijgt dit bericht zodat u kunt bijsturen.",
        ],
        facts=[*_task_lines(facts), ("Rol", role)],
        action=("Bekijk de taak", facts.link),
        reason=reason,
    )


def decision(
    name: str, *, instance_id: int, title: str, region_name: str, outcome: str, decided_by: str, note: str, reason: str
) -> Message:
    """A decision was taken on a request."""
    facts = [("Verzoek", title), ("Regio", region_name), ("Besluit", outcome), ("Besloten door", decided_by)]
    if note:
        facts.append(("Toelichting", note))
    return _compose(
        subject=f"Besluit over {title}: {outcome}",
        name=name,
        intro=[f"Over het verzoek '{title}' is besloten: {outcome}."],
        facts=facts,
        action=("Bekijk het verzoek", f"/verzoeken/{instance_id}"),
        reason=reason,
    )


def withdrawn(name: str, *, instance_id: int, title: str, by: str, reason: str, why: str) -> Message:
    """A request was withdrawn: its open tasks are gone."""
    return _compose(
        subject=f"Ingetrokken: {title}",
        name=name,
        intro=[f"Het verzoek '{title}' is ingetrokken door {by}. Open taken van dit verzoek zijn vervallen."],
        facts=[("Verzoek", title), ("Ingetrokken door", by), ("Reden", reason)],
        action=("Bekijk het verzoek", f"/verzoeken/{instance_id}"),
        reason=why,
    )


def account_made(name: str, *, region_name: str, role: str, email: str, expires_at: datetime, path: str) -> Message:
    """An account was made for someone who has none yet: they choose their password through a one-time link."""
    return _compose(
        subject=f"Uw account in STO Flow voor {region_name}",
        name=name,
        intro=[
            f"U heeft een account in STO Flow, het werkprocessysteem van {region_name} (Sterk Techniekonderwijs), "
            f"met de rol {role}.",
            f"Kies eerst een wachtwoord met de link hieronder. De link werkt één keer en is geldig tot en met "
            f"{dutch_date(expires_at)}. Daarna meldt u zich aan met uw e-mailadres en dat wachtwoord.",
        ],
        facts=[("Regio", region_name), ("Rol", role), ("E-mailadres", email)],
        action=("Wachtwoord kiezen", path),
        reason=f"U krijgt dit bericht omdat de regio {region_name} een account voor u heeft aangemaakt.",
        staff=False,
    )


def account_invitation(name: str, *, email: str, expires_at: datetime, path: str) -> Message:
    """An administrator made an account and invites its holder to choose a password through a one-time link."""
    return _compose(
        subject="Uitnodiging voor STO Flow: kies uw wachtwoord",
        name=name,
        intro=[
            "Er is een account voor u aangemaakt in STO Flow, het werkprocessysteem van Sterk Techniekonderwijs.",
            f"Kies eerst een wachtwoord met de link hieronder. De link werkt één keer en is geldig tot en met "
            f"{dutch_date(expires_at)}. Daarna meldt u zich aan met uw e-mailadres en dat wachtwoord.",
        ],
        facts=[("E-mailadres", email), ("Geldig tot en met", dutch_date(expires_at))],
        action=("Wachtwoord kiezen", path),
        reason="U krijgt dit bericht omdat een beheerder van STO Flow een account voor u heeft aangemaakt.",
        staff=False,
    )


def password_forgotten(name: str, *, email: str, expires_at: datetime, path: str) -> Message:
    """Someone asked for a new password for this account: a one-time link that expires soon."""
    until = f"{dutch_date(expires_at)} om {format_time(expires_at.astimezone(TIME_ZONE), 'HH:mm', locale='nl')} uur"
    return _compose(
        subject="Nieuw wachtwoord kiezen voor STO Flow",
        name=name,
        intro=[
            "Er is gevraagd om een nieuw wachtwoord voor uw account in STO Flow.",
            f"Kies een nieuw wachtwoord met de link hieronder. De link werkt één keer en is geldig tot {until}. "
            "Daarna bent u overal afgemeld en meldt u zich aan met het nieuwe wachtwoord.",
            "Heeft u dit niet zelf gevraagd? Dan kunt u dit bericht negeren: uw wachtwoord blijft dan zoals het was.",
        ],
        facts=[("E-mailadres", email), ("Geldig tot", until)],
        action=("Nieuw wachtwoord kiezen", path),
        reason="U krijgt dit bericht omdat iemand op de aanmeldpagina van STO Flow 'Wachtwoord vergeten?' koos.",
        staff=False,
    )


def partner_invitation(
    name: str, *, partner_name: str, region_name: str, expires_at: datetime, path: str, reminder: bool
) -> Message:
    """A new partner's contact (without an account) is asked to accept the house rules through a personal link."""
    intro = [
        f"{partner_name} sluit aan bij {region_name}, een regio van Sterk Techniekonderwijs. De stuurgroep van de "
        "regio heeft de aanmelding goedgekeurd.",
        "Als laatste stap vragen we u namens uw organisatie het huishoudelijk reglement van de regio te aanvaarden "
        "en aan te sluiten bij de samenwerkingsovereenkomst. Dat kan met de persoonlijke link hieronder; u heeft er "
        "geen account voor nodig.",
        f"De link werkt één keer en is geldig tot en met {dutch_date(expires_at)}. Stuur hem niet door.",
    ]
    if reminder:
        intro.insert(0, "Dit is een herinnering: we hebben uw aanvaarding nog niet ontvangen.")
    return _compose(
        subject=("Herinnering: " if reminder else "")
        + f"Aansluiten bij {region_name}: aanvaard het huishoudelijk reglement",
        name=name,
        intro=intro,
        facts=[("Organisatie", partner_name), ("Regio", region_name), ("Geldig tot en met", dutch_date(expires_at))],
        action=("Huishoudelijk reglement bekijken en aanvaarden", path),
        reason=f"U krijgt dit bericht als contactpersoon van {partner_name}.",
        staff=False,
    )


def partner_joined(
    name: str,
    *,
    partner_name: str,
    region_name: str,
    details: list[tuple[str, str]],
    path: str,
    reason: str,
    staff: bool,
) -> Message:
    """A new partner takes part in the region from now on."""
    return _compose(
        subject=f"Nieuwe partner in {region_name}: {partner_name}",
        name=name,
        intro=[f"{partner_name} doet vanaf nu mee in {region_name} (Sterk Techniekonderwijs)."],
        facts=[("Partner", partner_name), *details],
        action=("Bekijk de partner", path),
        reason=reason,
        staff=staff,
    )


def partner_left(
    name: str,
    *,
    partner_name: str,
    region_name: str,
    left_on: date,
    details: list[tuple[str, str]],
    path: str,
    reason: str,
    staff: bool,
) -> Message:
    """A partner no longer takes part in the region, from its leaving date."""
    return _compose(
        subject=f"Partner vertrekt uit {region_name}: {partner_name}",
        name=name,
        intro=[
            f"{partner_name} doet vanaf {dutch_date(left_on)} niet meer mee in {region_name} (Sterk "
            "Techniekonderwijs). De stuurgroep heeft het vertrek goedgekeurd en het is gemeld aan DUS-I."
        ],
        facts=[("Partner", partner_name), ("Vertrekt op", dutch_date(left_on)), *details],
        action=("Bekijk de partner", path),
        reason=reason,
        staff=staff,
    )


@dataclass(frozen=True)
class DigestItem:
    subject: str
    link: str | None


def digest(name: str, day: date, items: Sequence[DigestItem]) -> Message:
    """Everything of one day in one mail."""
    count = "1 bericht" if len(items) == 1 else f"{len(items)} berichten"
    text_items = "\n".join(
        f"- {item.subject}" + (f"\n  {BASE_URL_MARK}{item.link}" if item.link else "") for item in items
    )
    html_items = "".join(
        f'<li><a href="{BASE_URL_MARK}{escape(item.link)}">{escape(item.subject)}</a></li>'
        if item.link
        else f"<li>{escape(item.subject)}</li>"
        for item in items
    )
    return _compose(
        subject=f"STO Flow: uw overzicht van {dutch_date(day)} ({count})",
        name=name,
        intro=[f"Dit is uw dagelijkse overzicht uit STO Flow met {count}."],
        facts=[],
        action=("Naar mijn taken", "/"),
        reason="U ontvangt één overzicht per dag.",
        extra_text=text_items,
        extra_html=f'<ul style="padding-left:1.2em">{html_items}</ul>',
    )


def _task_lines(facts: TaskFacts) -> list[tuple[str, str]]:
    lines = [("Taak", facts.task_name), ("Verzoek", facts.instance_title), ("Regio", facts.region_name)]
    if facts.due_at is not None:
        lines.append(("Uiterlijk", dutch_date(facts.due_at)))
    return lines


def _compose(
    *,
    subject: str,
    name: str,
    intro: list[str],
    facts: list[tuple[str, str]],
    action: tuple[str, str],
    reason: str,
    extra_text: str = "",
    extra_html: str = "",
    staff: bool = True,
) -> Message:
    """`staff=False` for someone without an account (a partner's contact): no link to settings they cannot open."""
    label, path = action
    url = BASE_URL_MARK + path
    settings_url = BASE_URL_MARK + SETTINGS_PATH
    footer = f"{reason} Liever direct of één keer per dag mail? Kies het bij Mijn instellingen: {settings_url}"
    if not staff:
        footer = reason
    text = "\n\n".join(
        part
        for part in (
            f"Beste {name},",
            *intro,
            "\n".join(f"{key}: {value}" for key, value in facts),
            extra_text,
            f"{label}: {url}",
            f"-- \nSTO Flow, Sterk Techniekonderwijs\n{footer}",
        )
        if part
    )
    rows = "".join(
        f'<tr><th style="text-align:left;padding-right:1em;vertical-align:top">{escape(key)}</th>'
        f"<td>{escape(value)}</td></tr>"
        for key, value in facts
    )
    html = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8"></head>'
        '<body style="font-family:Arial,sans-serif;font-size:15px;line-height:1.4;color:#222">'
        f"<p>Beste {escape(name)},</p>"
        + "".join(f"<p>{escape(line)}</p>" for line in intro)
        + (f"<table>{rows}</table>" if rows else "")
        + extra_html
        + f'<p><a href="{escape(url)}" style="font-weight:bold">{escape(label)}</a></p>'
        + '<p style="color:#666;font-size:13px">STO Flow, Sterk Techniekonderwijs<br>'
        + escape(reason)
        + (
            " Liever direct of één keer per dag mail? Kies het bij "
            f'<a href="{escape(settings_url)}">Mijn instellingen</a>.'
            if staff
            else ""
        )
        + "</p></body></html>"
    )
    return Message(subject=" ".join(subject.split())[:300], text=text, html=html, link=path)
