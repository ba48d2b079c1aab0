"""Processes that start on a timer (a BPMN timer start event). SpiffWorkflow never creates instances itself:
we keep one waiting instance per region and definition version; its start event fires through the timers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ProcessDefinition, ProcessInstance, Region
from .accounts import system_user
from .definitions import list_latest_definitions, parsed_process
from .instances import launch_instance


def _versions_per_region(session: Session) -> list[tuple[ProcessDefinition, list[str]]]:
    """Each version of a timer-started process that some region's new instances use, with those regions: the
    newest shared version for regions without a variant, and each region's own variant."""
    regions = list(session.scalars(select(Region.code).order_by(Region.code)))
    variants: dict[tuple[str, str], int] = {
        (key, region): version
        for key, region, version in session.execute(
            select(ProcessDefinition.process_key, ProcessDefinition.region_code, func.max(ProcessDefinition.version))
            .where(ProcessDefinition.region_code.is_not(None))
            .group_by(ProcessDefinition.process_key, ProcessDefinition.region_code)
        )
    }
    found: list[tuple[ProcessDefinition, list[str]]] = []
    for shared in list_latest_definitions(session):
        if not parsed_process(shared).starts_on_timer:
            continue
        own = [r for r in regions if (shared.process_key, r) not in variants]
        found.append((shared, own))
        for (key, region), version in sorted(variants.items()):
            if key == shared.process_key:
                variant = session.scalar(
                    select(ProcessDefinition).where(
                        ProcessDefinition.process_key == key, ProcessDefinition.version == version
                    )
                )
                if variant is not None and parsed_process(variant).starts_on_timer:
                    found.append((variant, [region]))
    return found


def _regions_with_instance(session: Session, definition: ProcessDefinition) -> set[str]:
    return set(
        session.scalars(select(ProcessInstance.region_code).where(ProcessInstance.definition_id == definition.id))
    )


def any_timer_instance_missing(session: Session) -> bool:
    """Whether some process that starts on a timer lacks its waiting instance in some region (reads only)."""
    return any(
        set(regions) - _regions_with_instance(session, definition)
        for definition, regions in _versions_per_region(session)
    )


def start_waiting_timer_instances(session: Session, *, now: datetime) -> int:
    """Create the missing waiting instances; exactly once, also with two schedulers (the definition row is
    locked with SKIP LOCKED on PostgreSQL; SQLite serializes write transactions)."""
    started = 0
    for definition, regions in _versions_per_region(session):
        locked = session.scalar(
            select(ProcessDefinition.id)
            .where(ProcessDefinition.id == definition.id)
            .with_for_update(skip_locked=True, key_share=True)
        )
        if locked is None:
            continue
        have = _regions_with_instance(session, definition)
        for code in regions:
            if code not in have:
                region = session.get(Region, code)
                assert region is not None  # listed from the table a moment ago, in this transaction
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
