"""Processes that start on a timer (a BPMN timer start event). SpiffWorkflow never creates instances itself:
we keep one waiting instance per region and definition version; its start event fires through the timers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ProcessDefinition, ProcessInstance, Region
from .accounts import system_user
from .definitions import list_latest_definitions, parsed_process
from .instances import launch_instance


def any_timer_instance_missing(session: Session) -> bool:
    """Whether some process that starts on a timer lacks its waiting instance in some region (reads only)."""
    regions = set(session.scalars(select(Region.code)))
    for definition in list_latest_definitions(session):
        if not parsed_process(definition).starts_on_timer:
            continue
        have = set(
            session.scalars(select(ProcessInstance.region_code).where(ProcessInstance.definition_id == definition.id))
        )
        if regions - have:
            return True
    return False


def start_waiting_timer_instances(session: Session, *, now: datetime) -> int:
    """Create the missing waiting instances; exactly once, also with two schedulers (the definition row is
    locked with SKIP LOCKED on PostgreSQL; SQLite serializes write transactions)."""
    started = 0
    for definition in list_latest_definitions(session):
        if not parsed_process(definition).starts_on_timer:
            continue
        locked = session.scalar(
            select(ProcessDefinition.id)
            .where(ProcessDefinition.id == definition.id)
            .with_for_update(skip_locked=True, key_share=True)
        )
        if locked is None:
            continue
        have = set(
            session.scalars(select(ProcessInstance.region_code).where(ProcessInstance.definition_id == definition.id))
        )
        for region in session.scalars(select(Region).order_by(Region.code)):
            if region.code not in have:
                launch_instance(
                    session,
                    definition=definition,
                    region=region,
                    starter=system_user(session, now=now),
                    data={},
                    now=now,
                )
                started += 1
    return started
