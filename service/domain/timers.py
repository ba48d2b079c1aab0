"""Firing BPMN timers: which instances have a timer due, and firing them exactly once.

Exactly once, also with two scheduler processes on one PostgreSQL database: the instance row is locked with
SKIP LOCKED (a second scheduler passes it by) and the due timers are read again under that lock. On SQLite
write transactions are serialized (BEGIN IMMEDIATE), which gives the same guarantee.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import engine
from ..models import DueTimer, ProcessInstance
from .audit import record_event
from .definitions import parsed_process
from .progress import apply_outcome
from .service_tasks import ServiceContext, service_handler

log = logging.getLogger(__name__)
RETRY_AFTER_FAILURE = timedelta(minutes=10)


def list_instances_with_due_timers(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Instances that have at least one timer due, earliest due first."""
    rows = session.execute(
        select(DueTimer.instance_id, func.min(DueTimer.due_at).label("due"))
        .where(DueTimer.fired_at.is_(None), DueTimer.due_at <= now)
        .group_by(DueTimer.instance_id)
        .order_by("due")
        .limit(limit)
    )
    return [instance_id for instance_id, _due in rows]


def find_next_due(session: Session) -> datetime | None:
    """When the earliest waiting timer is due (None when nothing waits)."""
    return session.scalar(select(func.min(DueTimer.due_at)).where(DueTimer.fired_at.is_(None)))


def fire_instance_timers(session: Session, *, instance_id: int, now: datetime) -> int:
    """Let the due timers of one instance fire and run it onward; 0 when another scheduler has it or
    nothing is due any more. Raises ProcessFailed-free: engine errors are recorded and retried later."""
    locked = session.scalar(
        select(ProcessInstance)
        .where(ProcessInstance.id == instance_id, ProcessInstance.status == "running")
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    if locked is None:
        return 0
    due = session.scalars(
        select(DueTimer).where(DueTimer.instance_id == instance_id, DueTimer.fired_at.is_(None), DueTimer.due_at <= now)
    ).all()
    if not due:
        return 0
    process = parsed_process(locked.definition)
    outcome = engine.fire_due_timers(
        process, locked.state, service_handler(ServiceContext(lambda: session, lambda: locked, None, now))
    )
    fired = [step for step in outcome.snapshot.steps if step.task_id in {t.engine_task_id for t in due}]
    for step in fired:
        record_event(
            session,
            action="timer_fired",
            summary=f"Termijn verstreken: {step.name}",
            now=now,
            region_code=locked.region_code,
            instance_id=locked.id,
            details={"task": step.spec_name, "kind": step.kind},
        )
    apply_outcome(session, locked, outcome, actor=None, now=now)
    return len(fired)


def postpone_failed_timers(session: Session, *, instance_id: int, now: datetime, error: str) -> None:
    """A firing failed (e.g. a script after the timer): try again later instead of every second."""
    session.execute(
        update(DueTimer)
        .where(DueTimer.instance_id == instance_id, DueTimer.fired_at.is_(None), DueTimer.due_at <= now)
        .values(due_at=now + RETRY_AFTER_FAILURE, failures=DueTimer.failures + 1)
    )
    instance = session.get(ProcessInstance, instance_id)
    record_event(
        session,
        action="timer_failed",
        summary="Termijn kon niet worden verwerkt; nieuwe poging volgt",
        now=now,
        region_code=instance.region_code if instance else None,
        instance_id=instance_id,
        details={"error": error[:500]},
    )
