"""Job: fire every due BPMN timer, one instance per transaction (a failing instance never blocks the rest)."""

from __future__ import annotations

import logging
from datetime import datetime

from ..domain import timers
from ..domain.errors import DomainError
from ..engine import EngineError
from ..runtime import Runtime

log = logging.getLogger(__name__)


def fire_timers(runtime: Runtime, now: datetime) -> int:
    """Fire what is due at `now`; returns how many timers fired."""
    with runtime.transaction(write=False) as session:
        instance_ids = timers.list_instances_with_due_timers(session, now=now)
    fired = 0
    for instance_id in instance_ids:
        try:
            with runtime.transaction(write=True) as session:
                fired += timers.fire_instance_timers(session, instance_id=instance_id, now=now)
        except (EngineError, DomainError) as err:
            detail = getattr(err, "detail", "") or str(err)
            log.warning("timer of instance %s failed: %s", instance_id, detail)
            with runtime.transaction(write=True) as session:
                timers.postpone_failed_timers(session, instance_id=instance_id, now=now, error=detail)
    return fired


def next_due(runtime: Runtime) -> datetime | None:
    """When the scheduler must wake up for the next timer."""
    with runtime.transaction(write=False) as session:
        return timers.find_next_due(session)
