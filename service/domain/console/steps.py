"""Retry and skip a failed step. The failure is an open incident of the instance (incidents.py): the timer job
could not run a step after a timer, a reminder could not be sent, or the stored state could not be read.

Retry makes the incident's next attempt due now; the web layer then runs the job for this one item in the
request and shows the outcome. Skip completes the failing element without running its code (engine.skip_
failed_step) and runs the instance on to its next wait state; nothing is stored when that fails too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ... import engine
from ...models import Incident, ProcessInstance, User
from ..audit import record_event
from ..definitions import parsed_process
from ..errors import Conflict, NotFound, ProcessFailed, StateUnreadable
from ..incidents import TIMERS, resolve
from ..progress import apply_outcome, record_engine_steps
from ..service_tasks import ServiceContext, service_handler
from ..texts import N_
from .guard import (
    lock_instance,
    optional_reason,
    parse_seen_version,
    require_not_suspended,
    require_operator,
    require_reason,
    require_running,
)

NO_INCIDENT = "Dit verzoek heeft geen open storing; er is geen mislukte stap om opnieuw te proberen of over te slaan."


@dataclass(frozen=True)
class RetryTicket:
    """What the web layer retries after the transaction committed: which job, for which instance."""

    instance_id: int
    job: str
    incident_id: int


def prepare_retry(
    session: Session, *, user: User, instance_id: int, reason: object, now: datetime, seen_version: object = None
) -> RetryTicket:
    """Make the instance's open incident due now and note it on the audit trail (reason optional)."""
    require_operator(user)
    text = optional_reason(reason)
    instance = lock_instance(session, instance_id, seen_version=seen_version)
    require_not_suspended(instance, doing="het opnieuw worden geprobeerd")
    incident = _open_incident(session, instance)
    incident.next_attempt_at = now
    record_event(
        session,
        action="step_retried",
        summary=f"Mislukte stap opnieuw geprobeerd door de beheerder: {incident.element}"
        + (f" ({text})" if text else ""),
        now=now,
        actor=user,
        region_code=instance.region_code,
        instance_id=instance.id,
        details={"incident": incident.id, "job": incident.job, "element": incident.element, "reason": text},
    )
    return RetryTicket(instance.id, incident.job, incident.id)


def skip_failed_step(
    session: Session,
    *,
    user: User,
    instance_id: int,
    reason: object,
    now: datetime,
    write: Callable[[], Session],
    seen_version: object = None,
) -> ProcessInstance:
    """Mark the failing element of a timer incident done without running it and run the instance on.

    `session` only reads; the engine runs before `write` opens the write transaction, which then stores the new
    state with the instance's version check (a change meanwhile is a Conflict, and nothing is stored)."""
    require_operator(user)
    text = require_reason(reason, why=N_("Schrijf waarom deze stap wordt overgeslagen."))
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("Niet gevonden.")
    seen = parse_seen_version(seen_version)
    if seen is not None and seen != instance.version:
        lock_instance(session, instance_id, seen_version=seen)  # raises the same Conflict as the other actions
    require_running(instance, doing="een stap overslaan")
    require_not_suspended(instance, doing="een stap worden overgeslagen")
    incident = _open_incident(session, instance)
    if incident.job != TIMERS:
        raise Conflict(
            "Deze storing gaat niet over een stap van het proces (maar over een herinnering of de opgeslagen "
            "toestand); overslaan kan hier niet. Probeer het opnieuw na herstel.",
            instance_id=instance.id,
        )
    element, incident_id = incident.element, incident.id
    process = parsed_process(instance.definition)
    held: list[ProcessInstance] = []

    def writable() -> ProcessInstance:
        if not held:  # the row as read: its version column makes the UPDATE fail when it moved meanwhile
            held.append(write().merge(instance, load=False))
        return held[0]

    try:
        outcome = engine.skip_failed_step(
            process, instance.state, element, service_handler(ServiceContext(write, writable, user, now))
        )
    except engine.TaskNotReady as err:
        raise Conflict(
            f"De stap '{element}' staat niet (meer) klaar in dit verzoek; er is niets overgeslagen.",
            instance_id=instance.id,
        ) from err
    except engine.StateUnreadable as err:
        raise StateUnreadable(instance.id, str(err)) from err
    except engine.EngineError as err:
        raise ProcessFailed(
            f"De stap '{element}' is niet overgeslagen: daarna mislukte '{err.task_name}': {err.reason}. "
            "Er is niets opgeslagen.",
            err.detail,
            instance_id=instance.id,
            actor_id=user.id,
        ) from err
    target = writable()
    writes = write()
    snapshot = outcome.snapshot
    marker = next(i for i, step in enumerate(snapshot.steps) if step.kind == engine.SKIPPED)
    try:
        # The trail in order: the steps before the skipped element (e.g. its timer), the skip, then the rest.
        record_engine_steps(writes, target, snapshot.steps[:marker], now=now)
        record_event(
            writes,
            action="step_skipped",
            summary=f"Stap overgeslagen door de beheerder: {element} ({text})",
            now=now,
            actor=user,
            region_code=target.region_code,
            instance_id=target.id,
            details={"element": element, "reason": text, "incident": incident_id},
        )
        record_engine_steps(writes, target, snapshot.steps[marker + 1 :], now=now)
        apply_outcome(writes, target, outcome, actor=user, now=now, record_steps=False)
        resolve(writes, instance_id=target.id, job=TIMERS, now=now)
        writes.flush()
    except StaleDataError as err:
        raise Conflict(
            "Dit verzoek is net door iemand anders gewijzigd; er is niets overgeslagen.", instance_id
        ) from err
    return target


def _open_incident(session: Session, instance: ProcessInstance) -> Incident:
    incident = session.scalar(
        select(Incident)
        .where(Incident.instance_id == instance.id, Incident.resolved_at.is_(None))
        .order_by(Incident.id)
        .limit(1)
    )
    if incident is None:
        raise Conflict(NO_INCIDENT, instance_id=instance.id)
    return incident
