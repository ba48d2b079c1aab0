"""Job: remind a task's candidates before its due date and tell the escalation role once it is overdue.
Idempotent: each reminder and escalation is queued once (the outbox's dedupe keys), however often this runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ..domain import notifications, reports
from ..models import HumanTask
from ..runtime import Runtime

LOOKAHEAD = timedelta(weeks=26)  # reminders are at most this long before a due date


def send_task_reminders(runtime: Runtime, now: datetime) -> int:
    """Queue the reminders and escalations that are due at `now`; returns how many were new."""
    queued = 0
    with runtime.transaction(write=True) as session:
        candidates = session.scalars(
            select(HumanTask).where(
                HumanTask.status == "open",
                HumanTask.due_at.is_not(None),
                HumanTask.due_at <= now + LOOKAHEAD,
                or_(HumanTask.reminder_offsets != "", HumanTask.escalate_to.is_not(None)),
            )
        ).all()
        for task in candidates:
            assert task.due_at is not None
            if now >= task.due_at:
                if task.escalate_to and notifications.notify_overdue(session, task, now):
                    queued += 1
                continue
            # Reminder moments that came after the task appeared and have passed; only the latest one is
            # sent (after downtime nobody needs three reminders in a row).
            reached = [o for o in _offsets(task) if task.created_at <= task.due_at - o <= now]
            if reached and notifications.notify_reminder(session, task, task.due_at, _label(min(reached)), now):
                queued += 1
    return queued


def _offsets(task: HumanTask) -> list[timedelta]:
    return [timedelta(seconds=int(s)) for s in task.reminder_offsets.split(",") if s.strip()]


def _label(offset: timedelta) -> str:
    days = offset.days
    if days and days % 7 == 0:
        return f"{days // 7} week" if days == 7 else f"{days // 7} weken"
    return f"{days} dag" if days == 1 else f"{days} dagen"


def send_deadline_reminders(runtime: Runtime, now: datetime) -> int:
    """Queue the reminders of the deadline calendar (weeks before each deadline) to whoever holds its report."""
    with runtime.transaction(write=True) as session:
        return reports.remind_deadlines(session, now=now)
