"""The deadline calendar of a region: its known dates (seeded from the regulation), who may edit them, and the
reporting process a deadline starts `lead_days` before its date (by the job, or by hand), through to the
submission to DUS-I that marks it done. Dates are data process owners edit, never code (domain.md §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Deadline, Region, User
from .access import visible_region
from .audit import record_event
from .days import parse_day
from .errors import InvalidInput, NotAllowed, NotFound

REPORT_PROCESS = "rapportage"
LOCAL = ZoneInfo("Europe/Amsterdam")
KINDS = ("jaarverslag", "activiteitenplan", "voortgangsrapportage", "eindverslag", "bestedingstermijn", "overig")
CHANGE_REPORT_KINDS = {"voortgangsrapportage", "eindverslag"}  # the reports that list the approved changes
EDIT_ROLES = {"coordinator", "penvoerder"}
DEFAULT_LEAD_DAYS = 42
DEFAULT_REMINDER_WEEKS = [8, 4, 2, 1]
MAX_LEAD_DAYS = 365
# Share of the time between start and deadline after which each step is due: with 42 days lead the content is
# due 21 days before the deadline, the finances 14, the stuurgroep's approval 7, the submission on the day.
STEP_SHARES = {"inhoud": 1 / 2, "financieel": 2 / 3, "besluit": 5 / 6, "indienen": 1}

_UNKNOWN = "Datum nog onbekend: DUS-I maakt die bekend. Vul de datum in zodra die bekend is."
# (kind, title, date, lead days, reminder weeks, note): domain.md §3. "Before 1 July" means 30 June at the latest.
KNOWN_DEADLINES: list[tuple[str, str, date | None, int | None, list[int], str | None]] = [
    *[
        (
            "jaarverslag",
            f"Jaarverslag {year} (verantwoording model G2)",
            date(year + 1, 6, 30),
            DEFAULT_LEAD_DAYS,
            DEFAULT_REMINDER_WEEKS,
            f"Het jaarverslag van de penvoerder moet vóór 1 juli {year + 1} openbaar zijn.",
        )
        for year in (2025, 2026, 2027, 2028)
    ],
    (
        "activiteitenplan",
        "Uitgewerkt activiteitenplan en begroting 2027-2028",
        date(2026, 10, 1),
        DEFAULT_LEAD_DAYS,
        DEFAULT_REMINDER_WEEKS,
        "Datum met middelmatige zekerheid; controleer hem bij DUS-I.",
    ),
    (
        "bestedingstermijn",
        "Einde bestedingstermijn",
        date(2028, 12, 31),
        None,
        [26, 13, 8, 4],
        "Geld dat op 31 december 2028 niet is besteed, wordt teruggevorderd van de penvoerder.",
    ),
    (
        "voortgangsrapportage",
        "Voortgangsrapportage (inhoudelijk en financieel)",
        None,
        DEFAULT_LEAD_DAYS,
        DEFAULT_REMINDER_WEEKS,
        _UNKNOWN,
    ),
    (
        "eindverslag",
        "Eindverslag (inhoudelijk en financieel)",
        None,
        DEFAULT_LEAD_DAYS,
        DEFAULT_REMINDER_WEEKS,
        _UNKNOWN,
    ),
]


def local_day(now: datetime) -> date:
    """The calendar day in the Netherlands at `now`."""
    return now.astimezone(LOCAL).date()


# --- the calendar: seeding, reading, editing ---------------------------------------------------------------


def seed_calendar(session: Session, *, region_code: str, now: datetime) -> int:
    """Fill an empty calendar with the known deadlines; 0 (and no change) when it already holds any."""
    if session.scalar(select(func.count()).select_from(Deadline).where(Deadline.region_code == region_code)):
        return 0
    for kind, title, due, lead, weeks, note in KNOWN_DEADLINES:
        session.add(
            Deadline(
                region_code=region_code,
                kind=kind,
                title=title,
                due_date=due,
                lead_days=lead,
                reminder_weeks=list(weeks),
                note=note,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()
    return len(KNOWN_DEADLINES)


def may_edit_calendar(user: User, region_code: str) -> bool:
    """Administrators and the region's coordinator and penvoerder edit its calendar."""
    return user.is_admin or any(m.region_code == region_code and m.role in EDIT_ROLES for m in user.memberships)


def get_editable_region(session: Session, *, user: User, region_code: str) -> Region:
    """A region whose calendar the user may edit (NotFound outside their regions, NotAllowed without the role)."""
    region = visible_region(session, user=user, region_code=region_code)
    if not may_edit_calendar(user, region_code):
        raise NotAllowed("Alleen de coördinator, de penvoerder en beheerders kunnen de termijnkalender wijzigen.")
    return region


@dataclass(frozen=True)
class DeadlineRow:
    deadline: Deadline
    status: str  # ingediend, loopt, onbekend, verstreken, start_binnenkort, gepland
    starts_on: date | None


@dataclass(frozen=True)
class CalendarView:
    region: Region
    rows: list[DeadlineRow]
    may_edit: bool
    today: date


def deadline_status(deadline: Deadline, today: date) -> str:
    """Where a deadline stands on `today`."""
    if deadline.submitted_on is not None:
        return "ingediend"
    if deadline.instance_id is not None:
        return "loopt"
    if deadline.due_date is None:
        return "onbekend"
    if deadline.due_date < today:
        return "verstreken"
    starts = report_starts_on(deadline)
    return "start_binnenkort" if starts is not None and starts <= today else "gepland"


def report_starts_on(deadline: Deadline) -> date | None:
    """The day the reporting process starts (None: no date yet, or no reporting process for this deadline)."""
    if deadline.due_date is None or deadline.lead_days is None:
        return None
    return deadline.due_date - timedelta(days=deadline.lead_days)


def list_deadlines(session: Session, region_code: str) -> list[Deadline]:
    """A region's deadlines: dated ones by date, then those without a date."""
    return list(
        session.scalars(
            select(Deadline)
            .where(Deadline.region_code == region_code)
            .order_by(Deadline.due_date.is_(None), Deadline.due_date, Deadline.id)
        )
    )


def describe_calendar(session: Session, *, user: User, region_code: str, now: datetime) -> CalendarView:
    """A region's calendar with the status of each deadline, and whether the user may edit it."""
    region = visible_region(session, user=user, region_code=region_code)
    today = local_day(now)
    rows = [
        DeadlineRow(d, deadline_status(d, today), report_starts_on(d)) for d in list_deadlines(session, region_code)
    ]
    return CalendarView(region, rows, may_edit_calendar(user, region_code), today)


def get_deadline_for_edit(session: Session, *, user: User, region_code: str, deadline_id: int) -> Deadline:
    """A deadline of the region that the user may edit (NotFound / NotAllowed otherwise)."""
    get_editable_region(session, user=user, region_code=region_code)
    return _get(session, region_code, deadline_id)


def _get(session: Session, region_code: str, deadline_id: int) -> Deadline:
    deadline = session.get(Deadline, deadline_id)
    if deadline is None or deadline.region_code != region_code:
        raise NotFound("Niet gevonden.")
    return deadline


@dataclass(frozen=True)
class DeadlineValues:
    """A deadline as typed on the page; every field is text until it is checked."""

    kind: str = ""
    title: str = ""
    due_date: str = ""
    lead_days: str = ""
    reminder_weeks: str = ""
    note: str = ""

    @classmethod
    def of(cls, deadline: Deadline) -> DeadlineValues:
        return cls(
            kind=deadline.kind,
            title=deadline.title,
            due_date=deadline.due_date.isoformat() if deadline.due_date else "",
            lead_days="" if deadline.lead_days is None else str(deadline.lead_days),
            reminder_weeks=",".join(str(w) for w in deadline.reminder_weeks),
            note=deadline.note or "",
        )


_WHOLE = re.compile(r"^[0-9]{1,4}$")


def _parse_date(text: str) -> date:
    return parse_day(text, first_year=2024, last_year=2035)


def _checked(values: DeadlineValues) -> dict[str, Any]:
    """The typed fields, or InvalidInput naming every wrong field in Dutch."""
    fields: dict[str, str] = {}
    result: dict[str, Any] = {"kind": values.kind, "title": values.title.strip(), "note": values.note.strip() or None}
    if values.kind not in KINDS:
        fields["kind"] = "Kies een soort termijn."
    if not result["title"]:
        fields["title"] = "Vul een titel in."
    elif len(result["title"]) > 200:
        fields["title"] = "De titel mag hoogstens 200 tekens lang zijn."
    result["due_date"] = None
    if values.due_date.strip():
        try:
            result["due_date"] = _parse_date(values.due_date.strip())
        except (ValueError, TypeError):
            fields["due_date"] = "Vul een geldige datum in (jjjj-mm-dd) tussen 2024 en 2035, of laat het veld leeg."
    result["lead_days"] = None
    if values.lead_days.strip():
        text = values.lead_days.strip()
        if not _WHOLE.match(text) or int(text) > MAX_LEAD_DAYS:
            fields["lead_days"] = (
                f"Vul een heel aantal dagen in van 0 tot en met {MAX_LEAD_DAYS}, of laat het veld leeg."
            )
        else:
            result["lead_days"] = int(text)
    parts = [p.strip() for p in values.reminder_weeks.replace(";", ",").split(",") if p.strip()]
    if not all(_WHOLE.match(p) and 1 <= int(p) <= 104 for p in parts):
        fields["reminder_weeks"] = (
            "Vul hele aantallen weken (1 tot en met 104) in, gescheiden door komma's, bijvoorbeeld 8,4,2,1."
        )
    else:
        result["reminder_weeks"] = sorted({int(p) for p in parts}, reverse=True)
    if result["note"] and len(result["note"]) > 500:
        fields["note"] = "De toelichting mag hoogstens 500 tekens lang zijn."
    if fields:
        raise InvalidInput("Niet alle velden zijn goed ingevuld.", fields)
    return result


def add_deadline(session: Session, *, user: User, region_code: str, values: DeadlineValues, now: datetime) -> Deadline:
    """Add a deadline to a region's calendar."""
    get_editable_region(session, user=user, region_code=region_code)
    checked = _checked(values)
    deadline = Deadline(region_code=region_code, created_at=now, updated_at=now, **checked)
    session.add(deadline)
    session.flush()
    _audit(session, deadline, "deadline_added", f"Termijn toegevoegd: {deadline.title}", user, now, checked)
    return deadline


def update_deadline(
    session: Session, *, user: User, region_code: str, deadline_id: int, values: DeadlineValues, now: datetime
) -> Deadline:
    """Change a deadline's kind, title, date, lead time, reminders or note."""
    deadline = get_deadline_for_edit(session, user=user, region_code=region_code, deadline_id=deadline_id)
    checked = _checked(values)
    if checked["due_date"] is not None and checked["note"] == _UNKNOWN:
        checked["note"] = None  # the seeded "date still unknown" no longer holds
    for name, value in checked.items():
        setattr(deadline, name, value)
    deadline.updated_at = now
    _audit(session, deadline, "deadline_changed", f"Termijn gewijzigd: {deadline.title}", user, now, checked)
    return deadline


def fill_calendar(session: Session, *, user: User, region_code: str, now: datetime) -> int:
    """Seed an empty calendar with the known deadlines, on an editor's request."""
    get_editable_region(session, user=user, region_code=region_code)
    added = seed_calendar(session, region_code=region_code, now=now)
    if added:
        record_event(
            session,
            action="calendar_seeded",
            summary=f"Termijnkalender gevuld met {added} bekende termijnen",
            now=now,
            actor=user,
            region_code=region_code,
        )
    return added


def _audit(
    session: Session, deadline: Deadline, action: str, summary: str, user: User | None, now: datetime, data: dict
) -> None:
    details = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}
    record_event(
        session,
        action=action,
        summary=summary,
        now=now,
        actor=user,
        region_code=deadline.region_code,
        instance_id=deadline.instance_id,
        details={"deadline_id": deadline.id, **details},
    )
