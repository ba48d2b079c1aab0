"""Suspend, resume, cancel and reassign: each in the caller's write transaction, on a locked instance, written
to the audit trail with who, when and the reason; refused with a Dutch message (nothing changed) when it does
not apply."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import HumanTask, Membership, ProcessInstance, User
from ..audit import record_event, record_task_event
from ..errors import Conflict, InvalidInput, NotFound
from ..notifications import notify_assigned
from ..texts import N_
from ..withdrawal import stop_instance
from .guard import (
    lock_instance,
    optional_reason,
    require_operator,
    require_reason,
    require_running,
)


def suspend_instance(
    session: Session, *, user: User, instance_id: int, reason: object, now: datetime, seen_version: object = None
) -> ProcessInstance:
    """Pause a running instance: no task of it can be completed, no timer fires, no reminder goes out."""
    require_operator(user)
    text = require_reason(reason, why=N_("Schrijf waarom het verzoek wordt gepauzeerd."))
    instance = lock_instance(session, instance_id, seen_version=seen_version)
    require_running(instance, doing="pauzeren")
    if instance.suspended_at is not None:
        raise Conflict("Dit verzoek is al gepauzeerd.", instance_id=instance.id)
    instance.suspended_at = now
    instance.suspended_reason = text
    instance.updated_at = now  # the version moves: a step someone takes at this moment is refused
    record_event(
        session,
        action="instance_suspended",
        summary=f"Gepauzeerd door de beheerder: {text}",
        now=now,
        actor=user,
        region_code=instance.region_code,
        instance_id=instance.id,
        details={"reason": text},
    )
    session.flush()
    return instance


def resume_instance(
    session: Session, *, user: User, instance_id: int, reason: object, now: datetime, seen_version: object = None
) -> ProcessInstance:
    """Let a suspended instance go on; the caller then fires the timers that fell due meanwhile."""
    require_operator(user)
    text = require_reason(reason, why=N_("Schrijf waarom het verzoek weer verder mag."))
    instance = lock_instance(session, instance_id, seen_version=seen_version)
    if instance.suspended_at is None:
        raise Conflict("Dit verzoek is niet gepauzeerd; er valt niets te hervatten.", instance_id=instance.id)
    paused_since = instance.suspended_at
    instance.suspended_at = None
    instance.suspended_reason = None
    instance.updated_at = now
    record_event(
        session,
        action="instance_resumed",
        summary=f"Hervat door de beheerder: {text}",
        now=now,
        actor=user,
        region_code=instance.region_code,
        instance_id=instance.id,
        details={"reason": text, "suspended_at": paused_since.isoformat()},
    )
    session.flush()
    return instance


def cancel_instance(
    session: Session, *, user: User, instance_id: int, reason: object, now: datetime, seen_version: object = None
) -> ProcessInstance:
    """Stop an instance for good, as a withdrawal (status "withdrawn", shown as "ingetrokken"): open tasks,
    timers and personal links stop and everyone involved is told. A suspended instance can be cancelled too."""
    require_operator(user)
    text = require_reason(reason, why=N_("Schrijf waarom het verzoek wordt stopgezet."))
    instance = lock_instance(session, instance_id, seen_version=seen_version)
    require_running(instance, doing="stopzetten")
    return stop_instance(session, instance=instance, user=user, reason=text, now=now, by_operator=True)


def reassign_task(
    session: Session,
    *,
    user: User,
    instance_id: int,
    task_id: int,
    assignee_id: object,
    reason: object,
    now: datetime,
    seen_version: object = None,
) -> HumanTask:
    """Give an open task to a named person who holds its role in the instance's region; they are told by mail."""
    require_operator(user)
    text = optional_reason(reason)
    task = session.get(HumanTask, task_id)
    if task is None or task.instance_id != instance_id:
        raise NotFound("Niet gevonden.")
    instance = lock_instance(session, task.instance_id, seen_version=seen_version)
    session.refresh(task)
    require_running(instance, doing="een taak toewijzen")
    if task.status != "open":
        raise Conflict("Deze taak staat niet meer open.", instance_id=instance.id)
    person = _eligible_person(session, task, assignee_id)
    if task.assignee_id == person.id:
        raise Conflict(f"Deze taak ligt al bij {person.name}.", instance_id=instance.id)
    before = task.assignee
    task.assignee_id = person.id
    instance.updated_at = now  # the version moves, so a second operator's reassignment at once is refused
    summary = f"Toegewezen aan {person.name} door de beheerder" + (f" ({text})" if text else "")
    record_task_event(
        session,
        task,
        action="task_reassigned",
        summary=summary,
        actor=user,
        now=now,
        details={"assignee": person.email, "before": before.email if before else None, "reason": text},
    )
    session.flush()
    notify_assigned(session, task, person, now)
    return task


def candidates_for(session: Session, task: HumanTask) -> list[User]:
    """Who may be given the task: active people holding its role in its region, by name."""
    if task.role is None:
        return []
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.region_code == task.region_code, Membership.role == task.role, User.active.is_(True))
        .distinct()
        .order_by(User.name, User.id)
    )
    return list(session.scalars(query))


def _eligible_person(session: Session, task: HumanTask, assignee_id: object) -> User:
    try:
        wanted = int(str(assignee_id))
    except ValueError:
        raise InvalidInput(N_("Kies een persoon."), {"assignee": N_("Kies aan wie de taak gaat.")}) from None
    if task.role is None:
        raise InvalidInput(
            N_("Deze taak heeft geen rol."),
            {"assignee": N_("Deze taak is voor wie het verzoek startte; ze kan niet aan een ander worden gegeven.")},
        )
    for person in candidates_for(session, task):
        if person.id == wanted:
            return person
    raise InvalidInput(
        N_("Deze persoon kan de taak niet krijgen."),
        {"assignee": N_("Kies iemand met de rol %(role)s in deze regio.", role=task.role)},
    )
