"""Firing BPMN timers: which instances have a timer due, and firing them exactly once.

The engine runs before the write transaction begins (diagram code never holds the database); the instance is
then written with its version check, so when another scheduler or a user moved it meanwhile, the write fails
(StaleDataError) and this firing is dropped: whoever changed it did the work. An instance whose firing failed
has an incident (incidents.py) and is left out of the due order until its next attempt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from .. import engine
from ..models import DueTimer, ProcessDefinition, ProcessInstance
from .audit import record_event
from .definitions import parsed_process
from .errors import Conflict, StateUnreadable
from .incidents import TIMERS, find_open, resolve, waiting_for_backoff
from .progress import apply_outcome
from .service_tasks import ServiceContext, service_handler

log = logging.getLogger(__name__)
JOB = TIMERS  # the job name on incidents


def list_instances_with_due_timers(
    session: Session, *, now: datetime, limit: int = 100, exclude: Collection[int] = ()
) -> list[int]:
    """Instances that have at least one timer due, earliest due first, leaving out those whose incident's
    next attempt is still to come (and those in `exclude`)."""
    query = (
        select(DueTimer.instance_id, func.min(DueTimer.due_at).label("due"))
        .where(
            DueTimer.fired_at.is_(None),
            DueTimer.due_at <= now,
            ~waiting_for_backoff(DueTimer.instance_id, job=JOB, now=now),
            ~_suspended(DueTimer.instance_id),
        )
        .group_by(DueTimer.instance_id)
        .order_by("due")
        .limit(limit)
    )
    if exclude:
        query = query.where(DueTimer.instance_id.not_in(list(exclude)))
    return [instance_id for instance_id, _due in session.execute(query)]


def find_next_due(session: Session, *, now: datetime) -> datetime | None:
    """When the earliest waiting timer is due (None when nothing waits); timers of instances waiting for their
    incident's next attempt are found again by the regular poll."""
    return session.scalar(
        select(func.min(DueTimer.due_at)).where(
            DueTimer.fired_at.is_(None),
            ~waiting_for_backoff(DueTimer.instance_id, job=JOB, now=now),
            ~_suspended(DueTimer.instance_id),
        )
    )


def _suspended(instance_id: ColumnElement[int]) -> ColumnElement[bool]:
    """The instance is paused by an operator: its timers wait until it is resumed (then they fire)."""
    return exists().where(ProcessInstance.id == instance_id, ProcessInstance.suspended_at.is_not(None))


def fire_instance_timers(session: Session, *, instance_id: int, now: datetime, write: Callable[[], Session]) -> int:
    """Let the due timers of one instance fire and run it onward; 0 when nothing is due any more or someone else
    changed the instance meanwhile. `session` only reads; `write` opens the write transaction (after the engine
    ran, or when a service task needs it). Raises engine.EngineError when a step fails, StateUnreadable when the
    stored state cannot be loaded."""
    instance = session.scalar(
        select(ProcessInstance)
        # The definition's files are only read when the spec cache misses.
        .options(joinedload(ProcessInstance.definition).defer(ProcessDefinition.files))
        .where(ProcessInstance.id == instance_id, ProcessInstance.status == "running")
    )
    due = (
        session.scalars(
            select(DueTimer.engine_task_id).where(
                DueTimer.instance_id == instance_id, DueTimer.fired_at.is_(None), DueTimer.due_at <= now
            )
        ).all()
        if instance is not None
        else []
    )
    if instance is not None and instance.suspended_at is not None:
        return 0  # an operator paused it: its timers wait (and its incident stays) until it is resumed
    if not due:
        # Nothing left to fire (finished or moved on meanwhile): an incident about it has nothing to retry.
        if find_open(session, instance_id=instance_id, job=JOB) is not None:
            resolve(write(), instance_id=instance_id, job=JOB, now=now)
        return 0
    assert instance is not None
    had_incident = find_open(session, instance_id=instance_id, job=JOB) is not None
    process = parsed_process(instance.definition)
    held: list[ProcessInstance] = []

    def writable() -> ProcessInstance:
        # The row as read, handed over without reading it again: its version column makes the UPDATE fail
        # when someone else changed the instance meanwhile.
        if not held:
            held.append(write().merge(instance, load=False))
        return held[0]

    try:
        outcome = engine.fire_due_timers(
            process, instance.state, service_handler(ServiceContext(write, writable, None, now))
        )
    except engine.StateUnreadable as err:
        raise StateUnreadable(instance_id, str(err)) from err
    target = writable()
    writes = write()
    fired = [step for step in outcome.snapshot.steps if step.task_id in set(due)]
    try:
        for step in fired:
            record_event(
                writes,
                action="timer_fired",
                summary=f"Termijn verstreken: {step.name}",
                now=now,
                region_code=target.region_code,
                instance_id=target.id,
                details={"task": step.spec_name, "kind": step.kind},
            )
        apply_outcome(writes, target, outcome, actor=None, now=now)
        if had_incident:
            resolve(writes, instance_id=instance_id, job=JOB, now=now)
        writes.flush()
    except StaleDataError as err:
        raise Conflict("Dit verzoek is net door iemand anders gewijzigd.", instance_id) from err
    return len(fired)
