"""Job: fire every due BPMN timer, one instance per transaction. A failing instance becomes an incident and
waits for its backoff; it never aborts the sweep nor holds up the instances due after it."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from ..domain import incidents, timers
from ..domain.audit import record_event
from ..domain.errors import Conflict
from ..runtime import Runtime

log = logging.getLogger(__name__)
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
        record_failure(runtime, instance_id, now, err)
        return 0


def record_failure(runtime: Runtime, instance_id: int, now: datetime, err: Exception) -> None:
    failure = incidents.describe_failure(err)
    log.warning("timer of instance %s failed: %s (%s)", instance_id, failure.reason, failure.detail)
    try:
        with runtime.transaction(write=True) as session:
            incident = incidents.record_failure(
                session,
                instance_id=instance_id,
                job=timers.JOB,
                element=failure.element,
                reason=failure.reason,
                detail=failure.detail,
                now=now,
            )
            if incident.attempts == 1:
                record_event(
                    session,
                    action="timer_failed",
                    summary="Termijn kon niet worden verwerkt; nieuwe poging volgt",
                    now=now,
                    region_code=incident.region_code,
                    instance_id=instance_id,
                    details={"error": failure.detail[:500], "reason": failure.reason},
                )
    except Exception:  # e.g. the database is gone: the next run tries again
        log.exception("could not record the incident of instance %s", instance_id)


def next_due(runtime: Runtime) -> datetime | None:
    """When the scheduler must wake up for the next timer."""
    with runtime.transaction(write=False) as session:
        return timers.find_next_due(session, now=runtime.clock())
