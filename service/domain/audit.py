"""Write audit events: every step of every instance, with who did it and the submitted data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent, HumanTask, ProcessInstance, User


def record_event(
    session: Session,
    *,
    action: str,
    summary: str,
    now: datetime,
    actor: User | None = None,
    region_code: str | None = None,
    instance_id: int | None = None,
    task_id: int | None = None,
    task: HumanTask | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the current transaction."""
    event = AuditEvent(
        region_code=region_code,
        instance_id=instance_id,
        task_id=task_id,
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "systeem",
        action=action,
        summary=summary[:500],
        details=details or {},
        at=now,
    )
    if task is not None:
        event.task = task  # a task created in the same flush gets its id then
    session.add(event)
    return event


def record_task_event(
    session: Session,
    task: HumanTask,
    *,
    action: str,
    summary: str,
    actor: User,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event about something a person did with a task."""
    return record_event(
        session,
        action=action,
        summary=f"{summary}: {task.name}",
        now=now,
        actor=actor,
        region_code=task.region_code,
        instance_id=task.instance_id,
        task_id=task.id,
        details=details,
    )


def record_failed_step(
    session: Session, *, instance_id: int, message: str, detail: str, actor: User | None, now: datetime
) -> None:
    """Note on an instance that a step failed and was undone (in a transaction of its own, after the rollback)."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is not None:
        record_event(
            session,
            action="step_failed",
            summary=message,
            now=now,
            actor=actor,
            region_code=instance.region_code,
            instance_id=instance_id,
            details={"error": detail[:2000]},
        )


def list_instance_events(session: Session, instance_id: int) -> list[AuditEvent]:
    """The audit trail of one instance, oldest first."""
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id))
    )
