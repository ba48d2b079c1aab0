"""Job: remind a task's candidates before its due date and tell the escalation role once it is overdue.

A cheap, idempotent poll: it reads only tasks whose next reminder moment has come (an indexed range), decides
per task in service/domain/reminders.py, and handles each task in its own write transaction; with nothing due
it opens no write transaction at all. A failing task becomes an incident of its instance and waits for the
incident's backoff (its next moment moves with it), so it never holds up the tasks due after it."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from ..domain import incidents, notifications, reminders, reports
from ..models import HumanTask, Incident, ProcessInstance, TaskReminder
from ..runtime import Runtime
from .failures import record_item_failure

log = logging.getLogger(__name__)
BATCH = 200


def send_task_reminders(runtime: Runtime, now: datetime) -> int:
    """Queue the reminders and escalations that are due at `now`; returns how many tasks got one."""
    with runtime.transaction(write=False) as session:
        due = list(
            session.scalars(
                select(HumanTask.id)
                .where(
                    HumanTask.next_reminder_at <= now,
                    HumanTask.status == "open",
                    # a paused instance (operators' console) sends no reminders; they go out once it resumes
                    ~exists().where(
                        ProcessInstance.id == HumanTask.instance_id, ProcessInstance.suspended_at.is_not(None)
                    ),
                )
                .order_by(HumanTask.next_reminder_at)
                .limit(BATCH)
            )
        )
    queued = 0
    for task_id in due:
        try:
            with runtime.transaction(write=True) as session:
                queued += remind_task(session, task_id=task_id, now=now)
        except Exception as err:  # one task's failure never stops the reminders of the others
            log.exception("reminder of task %s failed", task_id)
            _postpone(runtime, task_id, now, err)
    return queued


def _postpone(runtime: Runtime, task_id: int, now: datetime, err: Exception) -> None:
    """Record the failure as an incident of the task's instance; the task waits for the incident's backoff."""

    def wait_for_backoff(session: Session, incident: Incident) -> None:
        task = session.get(HumanTask, task_id)
        if task is not None:
            task.next_reminder_at = incident.next_attempt_at

    record_item_failure(
        runtime,
        err,
        job=incidents.REMINDERS,
        now=now,
        task_id=task_id,
        reason="De herinnering voor deze taak kon niet worden verstuurd; nieuwe poging volgt.",
        then=wait_for_backoff,
    )


def retry_instance(runtime: Runtime, instance_id: int, now: datetime) -> int:
    """ "Opnieuw proberen" on a reminder incident: the instance's open tasks are due now, then the job runs."""
    with runtime.transaction(write=True) as session:
        session.execute(
            update(HumanTask)
            .where(
                HumanTask.instance_id == instance_id,
                HumanTask.status == "open",
                HumanTask.next_reminder_at.is_not(None),
            )
            .values(next_reminder_at=now)
        )
    return send_task_reminders(runtime, now)


def remind_task(session: Session, *, task_id: int, now: datetime) -> int:
    """Handle the due moments of one task: send the one that counts, remember each, plan the next."""
    task = session.get(HumanTask, task_id)
    if task is None:
        return 0
    handled = set(session.scalars(select(TaskReminder.moment).where(TaskReminder.task_id == task_id)))
    decision = reminders.decide(task, handled, now)
    sent = 0
    if decision.send is not None:
        moment = decision.send
        if moment.key == reminders.OVERDUE:
            notifications.notify_overdue(session, task, now)
        else:
            assert task.due_at is not None and moment.offset is not None
            notifications.notify_reminder(session, task, task.due_at, reminders.label(moment.offset), now)
        session.add(TaskReminder(task_id=task_id, moment=moment.key, handled_at=now, sent=True))
        sent = 1
    session.add_all(TaskReminder(task_id=task_id, moment=m.key, handled_at=now, sent=False) for m in decision.skip)
    task.next_reminder_at = decision.next_at
    incidents.resolve(session, instance_id=task.instance_id, job=incidents.REMINDERS, now=now)
    return sent


def send_deadline_reminders(runtime: Runtime, now: datetime) -> int:
    """Queue the reminders of the deadline calendar (weeks before each deadline) to whoever holds its report;
    one step per transaction, and none at all when nothing is due."""
    with runtime.transaction(write=False) as session:
        due = reports.list_deadline_reminders_due(session, now=now)
    queued = 0
    for deadline_id, task_id in due:
        try:
            with runtime.transaction(write=True) as session:
                queued += reports.remind_deadline_step(session, deadline_id=deadline_id, task_id=task_id, now=now)
        except Exception:  # one step's failure never stops the others
            log.exception("deadline reminder of deadline %s, task %s failed", deadline_id, task_id)
    return queued
