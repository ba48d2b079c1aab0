"""Withdrawing a running request (intrekken): the person who started it, or the region's projectleider or
coordinator, stops it with a reason. Its open tasks are closed, its timers and personal links stop, the reason
goes on the audit trail, and everyone involved hears of it. The engine is not run: nothing of the diagram
happens any more, and the instance's version changes, so a step someone takes at the same moment is refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..mail import messages
from ..mail.outbox import enqueue
from ..models import DueTimer, HumanTask, ProcessInstance, User
from . import invitations
from .access import require_region_member
from .audit import record_event
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .notifications import DECISION_PARTIES, role_holders
from .texts import N_

WITHDRAW_ROLES = frozenset({"projectleider", "coordinator"})
WITHDRAWN = "withdrawn"
MAX_REASON = 2000


def may_withdraw(user: User, instance: ProcessInstance) -> bool:
    """The starter, or the region's projectleider or coordinator, while the request runs."""
    if instance.status != "running":
        return False
    roles = {m.role for m in user.memberships if m.region_code == instance.region_code}
    return bool(roles) and (instance.started_by_id == user.id or bool(roles & WITHDRAW_ROLES))


def withdraw_instance(
    session: Session, *, user: User, instance_id: int, reason: object, now: datetime
) -> ProcessInstance:
    """Stop a running request with a reason (in the caller's write transaction)."""
    query = select(ProcessInstance).where(ProcessInstance.id == instance_id).with_for_update()
    instance = session.scalar(query.execution_options(populate_existing=True))
    if instance is None:
        raise NotFound("Niet gevonden.")
    require_region_member(user, instance.region_code)
    text = reason.strip() if isinstance(reason, str) else ""
    if len(text) < 3:
        raise InvalidInput(N_("Geef een reden."), {"reason": N_("Schrijf waarom het verzoek wordt ingetrokken.")})
    if len(text) > MAX_REASON:
        raise InvalidInput(N_("Reden te lang."), {"reason": N_("Gebruik hoogstens %(max)s tekens.", max=MAX_REASON)})
    if instance.status != "running":
        raise Conflict("Dit verzoek loopt niet meer; het kan niet meer worden ingetrokken.", instance_id=instance.id)
    if not may_withdraw(user, instance):
        raise NotAllowed("Alleen wie het verzoek startte, de projectleider of de coördinator kan het intrekken.")
    return stop_instance(session, instance=instance, user=user, reason=text, now=now)


def stop_instance(
    session: Session, *, instance: ProcessInstance, user: User, reason: str, now: datetime, by_operator: bool = False
) -> ProcessInstance:
    """Stop a locked, running instance with a checked reason: what withdrawing does, also for the operators'
    console (`by_operator`: an administrator stopped it, said so on the audit trail and in the mail)."""
    text = reason
    involved = _involved(session, instance)
    closed = session.execute(
        update(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.status == "open")
        .values(status="cancelled", completed_at=now, next_reminder_at=None, mail_pending=False)
    ).rowcount  # type: ignore[attr-defined]
    session.execute(delete(DueTimer).where(DueTimer.instance_id == instance.id, DueTimer.fired_at.is_(None)))
    invitations.revoke_open(session, instance_id=instance.id, now=now)
    instance.status = WITHDRAWN
    instance.completed_at = now
    instance.suspended_at = None  # a paused request can be stopped too; stopped, it is no longer paused
    instance.suspended_reason = None
    instance.updated_at = now  # the version column moves: a step taken meanwhile is refused as a conflict
    record_event(
        session,
        action="instance_withdrawn",
        summary=(f"Verzoek stopgezet door de beheerder: {text}" if by_operator else f"Verzoek ingetrokken: {text}")[
            :500
        ],
        now=now,
        actor=user,
        region_code=instance.region_code,
        instance_id=instance.id,
        details={"reason": text, "closed_tasks": closed, "by_operator": by_operator},
    )
    for person in involved:
        message = messages.withdrawn(
            person.name,
            instance_id=instance.id,
            title=instance.title,
            by=user.name,
            reason=text,
            why="U krijgt dit bericht omdat u bij dit verzoek betrokken was.",
        )
        enqueue(
            session,
            recipient=person.email,
            message=message,
            kind="ingetrokken",
            dedupe_key=f"ingetrokken:{instance.id}:{person.id}",
            now=now,
            user_id=person.id,
            instance_id=instance.id,
            region_code=instance.region_code,
        )
    session.flush()
    return instance


def _involved(session: Session, instance: ProcessInstance) -> list[User]:
    """Whoever started it or took a step in it, whoever holds the roles of its open tasks, and the region's
    coordinators and penvoerders; active accounts only."""
    people: dict[int, User] = {u.id: u for u in role_holders(session, instance.region_code, DECISION_PARTIES)}
    open_roles = set(
        session.scalars(
            select(HumanTask.role).where(
                HumanTask.instance_id == instance.id, HumanTask.status == "open", HumanTask.role.is_not(None)
            )
        )
    )
    people.update({u.id: u for u in role_holders(session, instance.region_code, sorted(r for r in open_roles if r))})
    acted = select(HumanTask.completed_by_id).where(
        HumanTask.instance_id == instance.id, HumanTask.completed_by_id.is_not(None)
    )
    ids = {instance.started_by_id, *session.scalars(acted)}
    for user in session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))):
        people[user.id] = user
    return sorted((u for u in people.values() if u.active and "@" in u.email), key=lambda u: u.id)
