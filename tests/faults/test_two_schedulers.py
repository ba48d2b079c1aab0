"""Two scheduler processes (the real `flask --app service scheduler` command) on one PostgreSQL database fire
1,000 due BPMN timers between them, each exactly once."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, insert, select

from service.db import Database
from service.domain import definitions, instances
from service.models import AuditEvent, DueTimer, Incident, ProcessInstance, User
from service.runtime import utc_now

from ..engine.tiny import timer_process
from .service_processes import SchedulerProcess, service_env

TIMERS = 1_000
DUE_IN_SECONDS = 5  # both schedulers are running before the first timer falls due


def start_waiting_instances(database_url: str, count: int) -> list[int]:
    """One real instance waiting at a timer, and bulk copies of it with their timer rows (core inserts: the
    engine state of each copy is the genuine one)."""
    db = Database(database_url)
    try:
        with db.transaction(write=True) as session:
            xml = timer_process("storing_termijn", f'"PT{DUE_IN_SECONDS}S"').decode()
            definitions.deploy_files(
                session,
                process_key="storing_termijn",
                files={"storing_termijn.bpmn": xml},
                now=utc_now(),
                deployed_by="t",
            )
            user = session.scalar(select(User).where(User.email == "coordinator@demo.sto"))
            template = instances.start_instance(
                session, user=user, process_key="storing_termijn", region_code="demo", data={}, now=utc_now()
            )
            session.flush()
            timer = session.scalar(select(DueTimer).where(DueTimer.instance_id == template.id))
            assert timer is not None
            first = template.id + 1_000_000
            copies = range(first, first + count - 1)
            row = {
                "definition_id": template.definition_id,
                "region_code": "demo",
                "title": "termijn",
                "status": "running",
                "state": template.state,
                "data": {},
                "started_by_id": template.started_by_id,
                "started_at": template.started_at,
                "updated_at": template.started_at,
                "version": 1,
            }
            session.execute(insert(ProcessInstance), [{**row, "id": i} for i in copies])
            session.execute(
                insert(DueTimer),
                [
                    {
                        "instance_id": i,
                        "engine_task_id": timer.engine_task_id,
                        "name": timer.name,
                        "due_at": timer.due_at,
                        "failures": 0,
                    }
                    for i in copies
                ],
            )
            return [template.id, *copies]
    finally:
        db.dispose()


def fired_per_process(log: str) -> int:
    """What one scheduler says it fired ('fired N timer(s)' per tick, service/jobs/scheduler.py)."""
    return sum(int(n) for n in re.findall(r"fired (\d+) timer\(s\)", log))


def test_two_schedulers_fire_a_thousand_timers_exactly_once(fault_database: Callable[[], str], tmp_path: Path) -> None:
    url = fault_database()
    env = service_env(url, STO_SCHEDULER_POLL_SECONDS="1")
    with (
        SchedulerProcess(env, tmp_path / "scheduler-a.log") as first,
        SchedulerProcess(env, tmp_path / "scheduler-b.log") as second,
    ):
        began = time.monotonic()
        ids = start_waiting_instances(url, TIMERS)
        db = Database(url)
        try:
            deadline = time.monotonic() + 240
            waiting = TIMERS
            while time.monotonic() < deadline:
                with db.transaction(write=False) as session:
                    waiting = session.scalar(
                        select(func.count(ProcessInstance.id)).where(
                            ProcessInstance.id.in_(ids), ProcessInstance.status == "running"
                        )
                    )
                if waiting == 0:
                    break
                time.sleep(0.5)
            took = time.monotonic() - began
            time.sleep(3)  # a few more ticks of both: nothing may fire a second time
            with db.transaction(write=False) as session:
                fired_events = Counter(
                    session.scalars(
                        select(AuditEvent.instance_id).where(
                            AuditEvent.action == "timer_fired", AuditEvent.instance_id.in_(ids)
                        )
                    )
                )
                completed_events = Counter(
                    session.scalars(
                        select(AuditEvent.instance_id).where(
                            AuditEvent.action == "instance_completed", AuditEvent.instance_id.in_(ids)
                        )
                    )
                )
                timer_rows = session.execute(
                    select(DueTimer.instance_id, DueTimer.fired_at).where(DueTimer.instance_id.in_(ids))
                ).all()
                incidents = session.scalar(select(func.count(Incident.id)))
        finally:
            db.dispose()
        by_first, by_second = fired_per_process(first.log()), fired_per_process(second.log())

    print(f"\ntwo schedulers: {TIMERS} timers fired in {took:.1f} s; scheduler A fired {by_first}, B {by_second}")
    assert waiting == 0, f"{waiting} instances still wait at their timer"
    assert len(fired_events) == TIMERS and set(fired_events.values()) == {1}  # every timer fired, none twice
    assert len(completed_events) == TIMERS and set(completed_events.values()) == {1}
    assert len(timer_rows) == TIMERS and all(fired_at is not None for _i, fired_at in timer_rows)
    assert incidents == 0
    # Each process counts only the firings it wrote; the other's conflicting attempts count nothing.
    assert by_first + by_second == TIMERS
    assert by_first > 0 and by_second > 0  # both did part of the work
