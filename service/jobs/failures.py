"""What every job does when one of its items fails: the item's instance gets (one more attempt on) an incident,
which keeps it out of the due order until its backoff has passed, so it never holds up the items after it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import incidents
from ..models import HumanTask, Incident
from ..runtime import Runtime

log = logging.getLogger(__name__)


def record_item_failure(
    runtime: Runtime,
    err: Exception,
    *,
    job: str,
    now: datetime,
    instance_id: int | None = None,
    task_id: int | None = None,
    element: str | None = None,
    reason: str | None = None,
    then: Callable[[Session, Incident], None] | None = None,
) -> None:
    """Record `err` as an incident of the item's instance (given, or that of `task_id`, whose name is then the
    element) in its own transaction; `then` adds what the job keeps beside it in the same transaction. If even
    this fails (the database is gone), it is logged and the next run tries the item again."""
    failure = incidents.describe_failure(err)
    log.warning("%s: instance %s / task %s failed: %s (%s)", job, instance_id, task_id, failure.reason, failure.detail)
    try:
        with runtime.transaction(write=True) as session:
            if task_id is not None:
                found = session.execute(
                    select(HumanTask.instance_id, HumanTask.name).where(HumanTask.id == task_id)
                ).first()
                if found is None:
                    return  # the item is gone: nothing to retry
                instance_id, element = found.instance_id, element or found.name
            assert instance_id is not None
            incident = incidents.record_failure(
                session,
                instance_id=instance_id,
                job=job,
                element=element or failure.element,
                reason=reason or failure.reason,
                detail=failure.detail,
                now=now,
            )
            if then is not None:
                then(session, incident)
    except Exception:
        log.exception("%s: could not record the incident of instance %s / task %s", job, instance_id, task_id)
