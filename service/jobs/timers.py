"""Job: fire every due BPMN timer, one instance per transaction. A failing instance becomes an incident and
waits for its backoff; it never aborts the sweep nor holds up the instances due after it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy.orm import Session

from ..domain import timers
from ..domain.audit import record_event
from ..domain.errors import Conflict
from ..models import Incident
from ..runtime import Runtime
from .failures import record_item_failure

BATCH = 100
PARALLEL = 3  # instances fired at once, fewer than the engine workers the scheduler process keeps


def fire_timers(runtime: Runtime, now: datetime) -> int:
    """Fire what is due at `now`; returns how many timers fired. With nothing due, only reads."""
    fired = 0
    handled: set[int] = set()
    while True:
        with runtime.transaction(write=False) as session:
            batch = timers.list_instances_with_due_timers(session, now=now, limit=BATCH, exclude=handled)
        handled.update(batch)
        # A few instances at once: while one waits for its engine worker, another writes (writes still take
        # turns; each instance keeps its own transaction).
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            fired += sum(pool.map(lambda instance_id: fire_one(runtime, instance_id, now), batch))
        if len(batch) < BATCH:
            return fired


def fire_one(runtime: Runtime, instance_id: int, now: datetime) -> int:
    """Fire the due timers of one instance in its own transaction; any failure becomes (or renews) its incident."""
    try:
        with runtime.transaction(write=False) as session, runtime.db.write_on_demand(reader=session) as write:
            return timers.fire_instance_timers(session, instance_id=instance_id, now=now, write=write)
    except Conflict:
        return 0  # someone else moved the instance meanwhile: they did the work
    except Exception as err:  # every failure stays with its own item
        record_item_failure(runtime, err, job=timers.JOB, now=now, instance_id=instance_id, then=_timer_failed)
        return 0


def _timer_failed(session: Session, incident: Incident) -> None:
    if incident.attempts == 1:  # the audit trail notes the failure once; the incident counts the attempts
        record_event(
            session,
            action="timer_failed",
            summary="Termijn kon niet worden verwerkt; nieuwe poging volgt",
            now=incident.last_seen_at,
            region_code=incident.region_code,
            instance_id=incident.instance_id,
            details={"error": incident.detail[:500], "reason": incident.reason},
        )


def next_due(runtime: Runtime) -> datetime | None:
    """When the scheduler must wake up for the next timer."""
    with runtime.transaction(write=False) as session:
        return timers.find_next_due(session, now=runtime.clock())
