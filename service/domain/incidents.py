"""Incidents: one failing item of a background job stays one failure. It is recorded with its Dutch reason,
retried with growing pauses (so it never holds up the items behind it), resolved once it works again, and
listed for administrators (and a region's coordinators) with a button to try again now."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, select, update
from sqlalchemy.orm import Session, joinedload

from .. import engine
from ..models import Incident, ProcessInstance, User
from .accounts import roles_by_region
from .definitions import parsed_process
from .errors import DomainError, NotAllowed, NotFound, StateUnreadable

TIMERS = "timers"  # the job name on incidents of the timer job
STATE = "state"  # a page or action found the instance's stored state unreadable
REMINDERS = "reminders"  # the reminder job could not handle a task of the instance
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(hours=1)
WATCHING_ROLE = "coordinator"  # monitors a region's deadlines: sees its incidents too
LIST_LIMIT = 200


def backoff(attempts: int) -> timedelta:
    """The pause after the given number of failed attempts: 1 min, 2, 4, ... at most an hour."""
    if attempts >= 7:  # 2**6 min is past the cap already; avoids huge powers for long-lived incidents
        return LONGEST_PAUSE
    return min(FIRST_PAUSE * 2 ** max(attempts - 1, 0), LONGEST_PAUSE)


def record_failure(
    session: Session, *, instance_id: int, job: str, element: str, reason: str, detail: str, now: datetime
) -> Incident:
    """Note a failed attempt: a new incident, or one more attempt on the open one, due again after the backoff."""
    incident = find_open(session, instance_id=instance_id, job=job)
    if incident is None:
        region_code = session.scalar(select(ProcessInstance.region_code).where(ProcessInstance.id == instance_id))
        if region_code is None:
            raise NotFound("Niet gevonden.")
        incident = Incident(
            instance_id=instance_id, region_code=region_code, job=job, first_seen_at=now, attempts=0, detail=""
        )
        session.add(incident)
    incident.attempts += 1
    incident.element = element[:300] or "?"
    incident.reason = reason[:1000]
    incident.detail = detail[:4000]
    incident.last_seen_at = now
    incident.next_attempt_at = now + backoff(incident.attempts)
    session.flush()
    return incident


@dataclass(frozen=True)
class Failure:
    """What an incident says about an exception: the element, a Dutch reason and the technical detail."""

    element: str
    reason: str
    detail: str


def describe_failure(err: BaseException) -> Failure:
    """Turn whatever a job item raised into an incident's words (never the raw exception text for users)."""
    if isinstance(err, engine.EngineError):
        return Failure(
            err.task_name, f"De stap '{err.task_name}' kon niet worden uitgevoerd: {err.reason}.", err.detail
        )
    if isinstance(err, StateUnreadable):
        return Failure("opgeslagen toestand", err.message, err.detail)
    if isinstance(err, DomainError):
        return Failure("?", err.message, str(getattr(err, "detail", "") or err))
    return Failure("?", "Er ging onverwacht iets mis bij het verwerken; zie het logboek.", repr(err))


def find_open(session: Session, *, instance_id: int, job: str) -> Incident | None:
    return session.scalar(
        select(Incident).where(Incident.instance_id == instance_id, Incident.job == job, Incident.resolved_at.is_(None))
    )


def resolve(session: Session, *, instance_id: int, job: str, now: datetime) -> None:
    """The item worked: its open incident (if any) is resolved and disappears from the list."""
    session.execute(
        update(Incident)
        .where(Incident.instance_id == instance_id, Incident.job == job, Incident.resolved_at.is_(None))
        .values(resolved_at=now)
    )


def waiting_for_backoff(instance_id: ColumnElement[int], *, job: str, now: datetime) -> ColumnElement[bool]:
    """A condition for due queries: the instance has an open incident whose next attempt is still to come."""
    return exists().where(
        and_(
            Incident.instance_id == instance_id,
            Incident.job == job,
            Incident.resolved_at.is_(None),
            Incident.next_attempt_at > now,
        )
    )


def list_open(session: Session, *, user: User) -> list[Incident]:
    """Open incidents the user may see (all for administrators, their regions for coordinators), newest first."""
    query = (
        select(Incident)
        .options(joinedload(Incident.instance))
        .where(Incident.resolved_at.is_(None))
        .order_by(Incident.last_seen_at.desc(), Incident.id.desc())
        .limit(LIST_LIMIT)
    )
    if not user.is_admin:
        regions = watched_regions(user)
        if not regions:
            raise NotAllowed("Alleen beheerders en coördinatoren zien de storingen.")
        query = query.where(Incident.region_code.in_(regions))
    return list(session.scalars(query))


def watched_regions(user: User) -> list[str]:
    """The regions whose incidents a non-administrator may see."""
    return sorted(code for code, roles in roles_by_region(user).items() if WATCHING_ROLE in roles)


def may_see_incidents(user: User) -> bool:
    return bool(user.is_admin or watched_regions(user))


def list_open_for_instance(session: Session, *, instance_id: int) -> list[Incident]:
    """The open incidents of one instance (its page shows them; access was checked for the instance)."""
    query = select(Incident).where(Incident.instance_id == instance_id, Incident.resolved_at.is_(None))
    return list(session.scalars(query.order_by(Incident.id)))


def record_unreadable(session: Session, *, err: StateUnreadable, now: datetime) -> Incident:
    """A page or action met an instance whose state cannot be loaded: administrators must see it."""
    failure = describe_failure(err)
    return record_failure(
        session,
        instance_id=err.instance_id,
        job=STATE,
        element=failure.element,
        reason=failure.reason,
        detail=failure.detail,
        now=now,
    )


def recheck_state(session: Session, *, instance_id: int, write: Callable[[], Session], now: datetime) -> bool:
    """Try to load the instance's state again (after a repair); resolves its STATE incident when it loads."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        return False
    try:
        engine.read_snapshot(parsed_process(instance.definition), instance.state)
    except engine.StateUnreadable as err:
        record_failure(
            write(),
            instance_id=instance_id,
            job=STATE,
            element="opgeslagen toestand",
            reason=StateUnreadable(instance_id).message,
            detail=str(err),
            now=now,
        )
        return False
    resolve(write(), instance_id=instance_id, job=STATE, now=now)
    return True


def make_due_now(session: Session, *, user: User, incident_id: int, now: datetime) -> Incident:
    """ "Opnieuw proberen": the next attempt is due now (the caller then runs the job for this item)."""
    incident = session.get(Incident, incident_id)
    if incident is None or incident.resolved_at is not None:
        raise NotFound("Deze storing bestaat niet (meer); misschien is hij al opgelost.")
    if not user.is_admin and incident.region_code not in watched_regions(user):
        raise NotFound("Deze storing bestaat niet (meer); misschien is hij al opgelost.")
    incident.next_attempt_at = now
    return incident
