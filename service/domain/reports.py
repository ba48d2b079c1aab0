"""The reporting process of a deadline: starting it (by the calendar's job or by hand) and the operations its
diagram calls (preparing the report with the approved changes, recording the submission to DUS-I)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Deadline, HumanTask, ProcessInstance, Region, ReportItem, TaskReminder, User
from .accounts import system_user
from .audit import record_event
from .deadlines import (
    CHANGE_REPORT_KINDS,
    LOCAL,
    MAX_LEAD_DAYS,
    REPORT_PROCESS,
    STEP_SHARES,
    deadline_status,
    get_editable_region,
    local_day,
    report_starts_on,
)
from .definitions import get_current_definition
from .errors import Conflict, InvalidInput, NotFound
from .notifications import notify_reminder


def list_due_for_report(session: Session, *, now: datetime) -> list[int]:
    """Deadlines whose reporting should start now: dated, with a lead time that has come, not yet started,
    and whose date has not passed (a report that is already late is started by hand, not by surprise)."""
    today = local_day(now)
    candidates = session.scalars(
        select(Deadline).where(
            Deadline.instance_id.is_(None),
            Deadline.submitted_on.is_(None),
            Deadline.lead_days.is_not(None),
            Deadline.due_date >= today,
            Deadline.due_date <= today + timedelta(days=MAX_LEAD_DAYS),
        )
    )
    return sorted(d.id for d in candidates if _report_due(d, today))


def _report_due(deadline: Deadline, today: date) -> bool:
    starts = report_starts_on(deadline)
    return (
        deadline.instance_id is None
        and deadline.submitted_on is None
        and starts is not None
        and deadline.due_date is not None
        and starts <= today <= deadline.due_date
    )


def start_due_report(session: Session, *, deadline_id: int, now: datetime) -> ProcessInstance | None:
    """Start the reporting for one due deadline, as the system; None when another process already did (the row
    is locked with SKIP LOCKED on PostgreSQL; SQLite serializes write transactions) or it is no longer due."""
    deadline = session.scalar(
        select(Deadline)
        .where(Deadline.id == deadline_id, Deadline.instance_id.is_(None))
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if deadline is None or not _report_due(deadline, local_day(now)):
        return None
    return start_report(session, deadline=deadline, actor=None, now=now)


def start_report_now(
    session: Session, *, user: User, region_code: str, deadline_id: int, now: datetime, past_confirmed: bool = False
) -> ProcessInstance:
    """An editor starts the reporting for a deadline before the calendar does, or, saying so explicitly
    (`past_confirmed`), after its date passed: a late report is never started by one click by mistake."""
    get_editable_region(session, user=user, region_code=region_code)
    deadline = session.scalar(
        select(Deadline)
        .where(Deadline.id == deadline_id, Deadline.region_code == region_code)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if deadline is None:
        raise NotFound("Niet gevonden.")
    if deadline.lead_days is None:
        raise InvalidInput(
            "Deze termijn staat alleen in de kalender, zonder rapportageproces.",
            {"lead_days": "Vul een aanlooptijd in om voor deze termijn een rapportage te kunnen starten."},
        )
    if is_past(deadline, now) and not past_confirmed:
        raise InvalidInput(
            "De datum van deze termijn is verstreken.",
            {"past_confirmed": "Vink aan dat de datum is verstreken en dat u de rapportage toch wilt starten."},
        )
    return start_report(session, deadline=deadline, actor=user, now=now)


def is_past(deadline: Deadline, now: datetime) -> bool:
    """Whether the deadline's date has gone by (in the Netherlands) without a report started or submitted."""
    return deadline_status(deadline, local_day(now)) == "verstreken"


def start_report(session: Session, *, deadline: Deadline, actor: User | None, now: datetime) -> ProcessInstance:
    """Start the reporting process for a deadline in its region. Without an actor it is the calendar's own
    action, run as the system account (the audit trail says "systeem")."""
    # Imported here: instances -> service_tasks -> this module (the diagram's operations live here).
    from .instances import launch_instance

    if deadline.instance_id is not None:
        raise Conflict("De rapportage voor deze termijn is al gestart.", instance_id=deadline.instance_id)
    region = session.get(Region, deadline.region_code)
    assert region is not None  # the foreign key guarantees it

    def link_deadline(instance: ProcessInstance) -> None:
        # The diagram's first service task finds its deadline through the instance.
        deadline.instance_id, deadline.started_at, deadline.updated_at = instance.id, now, now
        session.flush()

    return launch_instance(
        session,
        definition=get_current_definition(session, REPORT_PROCESS, region.code),
        region=region,
        starter=actor or system_user(session, now=now),
        actor=actor,
        title=deadline.title,
        data={
            "titel": deadline.title,
            "termijn_id": deadline.id,
            "deadline_datum": deadline.due_date.isoformat() if deadline.due_date else None,
        },
        now=now,
        before_start=link_deadline,
    )


# --- the operations the reporting diagram calls (registered in service_tasks) ------------------------------


def prepare_report(session: Session, *, instance: ProcessInstance, now: datetime) -> dict[str, Any]:
    """What the report needs: its deadline, the due date of each step, and the approved changes not yet
    reported (for the progress and final report), listed as text for the projectleider to build on."""
    deadline = session.scalar(select(Deadline).where(Deadline.instance_id == instance.id))
    kind = deadline.kind if deadline else "voortgangsrapportage"
    items: list[ReportItem] = []
    if kind in CHANGE_REPORT_KINDS:
        items = list(
            session.scalars(
                select(ReportItem)
                .where(ReportItem.region_code == instance.region_code, ReportItem.reported_at.is_(None))
                .order_by(ReportItem.created_at, ReportItem.id)
            )
        )
    lines = [f"- {item.title} (goedgekeurd op {local_day(item.created_at).strftime('%d-%m-%Y')})" for item in items]
    due = deadline.due_date if deadline else None
    return {
        "id": deadline.id if deadline else None,
        "titel": deadline.title if deadline else "Voortgangsrapportage",
        "soort": kind,
        "datum": due.isoformat() if due else None,
        "uiterlijk": step_due_dates(due, local_day(now)),
        "wijziging_ids": [item.id for item in items],
        "wijzigingen_tekst": "\n".join(lines) or "Geen goedgekeurde wijzigingen sinds de vorige rapportage.",
    }


def step_due_dates(due: date | None, start: date) -> dict[str, str | None]:
    """The moment (end of the day, Dutch time, ISO 8601) each step of the report is due."""
    if due is None:
        return dict.fromkeys(STEP_SHARES)
    span = max((due - start).days, 0)
    days = {
        step: due if span == 0 else start + timedelta(days=round(span * share)) for step, share in STEP_SHARES.items()
    }
    return {step: datetime.combine(day, time(23, 59), tzinfo=LOCAL).isoformat() for step, day in days.items()}


def record_submission(
    session: Session,
    *,
    instance: ProcessInstance,
    submitted_on: str,
    reference: str,
    item_ids: list[int],
    actor: User | None,
    now: datetime,
) -> dict[str, Any]:
    """Mark the deadline of a report submitted to DUS-I and the changes it listed as reported."""
    try:
        day = date.fromisoformat(str(submitted_on))
    except ValueError as err:
        raise InvalidInput("Ongeldige datum.", {"ingediend_op": "Vul een geldige datum in (jjjj-mm-dd)."}) from err
    deadline = session.scalar(select(Deadline).where(Deadline.instance_id == instance.id))
    if deadline is not None:
        deadline.submitted_on, deadline.submission_reference, deadline.updated_at = day, reference[:100], now
    items = list(
        session.scalars(
            select(ReportItem).where(
                ReportItem.id.in_([int(i) for i in item_ids or []]),
                ReportItem.region_code == instance.region_code,
                ReportItem.reported_at.is_(None),
            )
        )
    )
    for item in items:
        item.reported_at = now
    record_event(
        session,
        action="report_submitted",
        summary=f"Rapportage ingediend bij DUS-I op {day.strftime('%d-%m-%Y')}, kenmerk {reference}",
        now=now,
        actor=actor,
        region_code=instance.region_code,
        instance_id=instance.id,
        details={"deadline_id": deadline.id if deadline else None, "report_items": [i.id for i in items]},
    )
    return {"termijn_id": deadline.id if deadline else None, "gerapporteerd": len(items)}


# --- reminders of the deadline itself ------------------------------------------------------------------------


def list_deadline_reminders_due(session: Session, *, now: datetime) -> list[tuple[int, int]]:
    """The (deadline, open step) pairs to remind now: at each of a deadline's reminder moments (its
    `reminder_weeks`, edited in the calendar) whoever holds an open step of its running report is reminded, once
    per step and moment (a task_reminder row remembers it). Only the latest moment reached counts (after
    downtime nobody needs three in a row). Reads only: with nothing due the job writes nothing."""
    today = local_day(now)
    due = session.scalars(
        select(Deadline)
        .join(ProcessInstance, ProcessInstance.id == Deadline.instance_id)
        .where(Deadline.due_date >= today, Deadline.submitted_on.is_(None), ProcessInstance.status == "running")
    ).all()
    pairs = []
    for deadline in due:
        weeks = _reminder_weeks_reached(deadline, today)
        if weeks is None:
            continue
        handled = select(TaskReminder.id).where(
            TaskReminder.task_id == HumanTask.id, TaskReminder.moment == _deadline_moment(weeks)
        )
        steps = session.scalars(
            select(HumanTask.id).where(
                HumanTask.instance_id == deadline.instance_id, HumanTask.status == "open", ~handled.exists()
            )
        )
        pairs.extend((deadline.id, task_id) for task_id in steps)
    return pairs


def remind_deadline_step(session: Session, *, deadline_id: int, task_id: int, now: datetime) -> int:
    """Remind the holders of one open step of a deadline's report, unless that moment was handled already."""
    deadline = session.get(Deadline, deadline_id)
    task = session.get(HumanTask, task_id)
    if deadline is None or task is None or task.status != "open" or deadline.due_date is None:
        return 0
    weeks = _reminder_weeks_reached(deadline, local_day(now))
    if weeks is None:
        return 0
    moment = _deadline_moment(weeks)
    if session.scalar(select(TaskReminder.id).where(TaskReminder.task_id == task_id, TaskReminder.moment == moment)):
        return 0
    label = "1 week tot de termijn" if weeks == 1 else f"{weeks} weken tot de termijn"
    end_of_day = datetime.combine(deadline.due_date, time(23, 59), tzinfo=LOCAL)
    session.add(TaskReminder(task_id=task_id, moment=moment, handled_at=now, sent=True))
    return notify_reminder(session, task, end_of_day, label, now)


def _reminder_weeks_reached(deadline: Deadline, today: date) -> int | None:
    assert deadline.due_date is not None
    reached = [w for w in deadline.reminder_weeks if deadline.due_date - timedelta(weeks=w) <= today]
    return min(reached) if reached else None


def _deadline_moment(weeks: int) -> str:
    return f"termijn:{weeks}w"
