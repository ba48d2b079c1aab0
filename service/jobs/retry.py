"""Trying one failed item again at once, in a person's request (Storingen, the operators' console, the API): the
job that failed runs for this one instance, and resolves its incident or renews it with the new reason."""

from __future__ import annotations

from datetime import datetime

from ..domain import incidents
from ..models import Incident
from ..runtime import Runtime
from .reminders import retry_instance
from .timers import fire_one


def retry_now(runtime: Runtime, *, instance_id: int, job: str, now: datetime) -> Incident | None:
    """Run `job` for `instance_id` now; the incident still open afterwards (None: it worked)."""
    if job == incidents.TIMERS:
        fire_one(runtime, instance_id, now)
    elif job == incidents.REMINDERS:
        retry_instance(runtime, instance_id, now)
    else:
        with runtime.transaction(write=False) as session, runtime.db.write_on_demand(reader=session) as write:
            incidents.recheck_state(session, instance_id=instance_id, write=write, now=now)
    with runtime.transaction(write=False) as session:
        open_incident = incidents.find_open(session, instance_id=instance_id, job=job)
        if open_incident is not None:
            session.expunge(open_incident)  # read after the session closes (its reason)
        return open_incident
