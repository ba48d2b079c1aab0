"""The scheduler's heartbeat: one row per scheduler process, renewed every few seconds and removed on a clean
stop, so /readyz can tell whether timers, mail and reminders run."""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime

from sqlalchemy import delete

from ..models import SchedulerHeartbeat
from ..runtime import Runtime

log = logging.getLogger(__name__)


def heartbeat_name() -> str:
    """This process: host and pid (two schedulers on one host, or on two hosts, each keep their own row)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(runtime: Runtime, name: str, *, started_at: datetime) -> bool:
    """Renew this scheduler's row in its own transaction; False (logged) when that failed. Never raises: a
    heartbeat that cannot be written must not stop the jobs that do the work."""
    try:
        with runtime.transaction(write=True) as session:
            now = runtime.clock()
            row = session.get(SchedulerHeartbeat, name)
            if row is None:
                session.add(SchedulerHeartbeat(name=name, started_at=started_at, seen_at=now))
            else:
                row.seen_at = now
        return True
    except Exception:
        log.exception("the scheduler heartbeat could not be written")
        return False


def stop_beating(runtime: Runtime, name: str) -> None:
    """Remove this scheduler's row on a clean stop (a crash leaves it to grow old, which /readyz then reports)."""
    try:
        with runtime.transaction(write=True) as session:
            session.execute(delete(SchedulerHeartbeat).where(SchedulerHeartbeat.name == name))
    except Exception:
        log.exception("the scheduler heartbeat could not be removed")
