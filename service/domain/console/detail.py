"""What the operator's page shows of one instance: status, version, where it waits (open tasks with role and
assignee, due timers, open incidents) and the audit trail; for any region, administrators only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import AuditEvent, DueTimer, HumanTask, Incident, ProcessInstance, User
from ..audit import list_instance_events
from ..errors import NotFound
from ..incidents import TIMERS, list_open_for_instance
from ..instances import list_open_tasks_of
from .actions import candidates_for
from .guard import require_operator
from .listing import operator_status


@dataclass(frozen=True)
class WaitingTask:
    task: HumanTask
    candidates: list[User]  # who it may be given to


@dataclass(frozen=True)
class OperatorView:
    instance: ProcessInstance
    status: str  # lopend, gepauzeerd, afgerond, ingetrokken
    tasks: list[WaitingTask]
    timers: list[DueTimer]
    incidents: list[Incident]
    history: list[AuditEvent]

    @property
    def running(self) -> bool:
        return self.instance.status == "running"

    @property
    def suspended(self) -> bool:
        return self.running and self.instance.suspended_at is not None

    @property
    def may_skip(self) -> bool:
        """Only a failed step of the process itself (the timer job's incidents) can be skipped."""
        return self.running and not self.suspended and any(i.job == TIMERS for i in self.incidents)


def describe_for_operator(session: Session, *, user: User, instance_id: int) -> OperatorView:
    require_operator(user)
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("Niet gevonden.")
    tasks = [WaitingTask(t, candidates_for(session, t)) for t in list_open_tasks_of(session, instance.id)]
    timers = list(
        session.scalars(
            select(DueTimer)
            .where(DueTimer.instance_id == instance.id, DueTimer.fired_at.is_(None))
            .order_by(DueTimer.due_at)
        )
    )
    return OperatorView(
        instance,
        operator_status(instance),
        tasks,
        timers,
        list_open_for_instance(session, instance_id=instance.id),
        list_instance_events(session, instance.id),
    )
