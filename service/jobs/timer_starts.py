"""Job: keep a waiting instance for every process that starts on a timer, in every region."""

from __future__ import annotations

from datetime import datetime

from ..domain.scheduled_starts import start_waiting_timer_instances
from ..runtime import Runtime


def start_timer_processes(runtime: Runtime, now: datetime) -> int:
    with runtime.transaction(write=True) as session:
        return start_waiting_timer_instances(session, now=now)
