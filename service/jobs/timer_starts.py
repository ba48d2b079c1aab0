"""Job: keep a waiting instance for every process that starts on a timer, in every region."""

from __future__ import annotations

from datetime import datetime

from ..domain.scheduled_starts import any_timer_instance_missing, start_waiting_timer_instances
from ..runtime import Runtime


def start_timer_processes(runtime: Runtime, now: datetime) -> int:
    """Start the missing waiting instances; a run with none missing only reads."""
    with runtime.transaction(write=False) as session:
        if not any_timer_instance_missing(session):
            return 0
    with runtime.transaction(write=True) as session:
        return start_waiting_timer_instances(session, now=now)
