"""Part E: BPMN timers with 10,000 pending, fired by the real scheduler (APScheduler, real time).

Measured in one run: the time one sweep takes with 10,000 timers waiting and none due (the scheduler's
every-second check), and for timers falling due while those 10,000 wait: the delay between each due time
and the moment it fired (median, p95). The pending timers are clones of one real waiting workflow, so the
engine state is genuine; their due time lies a month ahead.
"""

from __future__ import annotations

import statistics
import time

from apscheduler.schedulers.background import BackgroundScheduler
from samples import nearest_rank
from sqlalchemy import insert, select

from service.domain import definitions, instances
from service.jobs.scheduler import Scheduler
from service.jobs.timers import fire_timers
from service.models import DueTimer, ProcessInstance, User
from service.runtime import Runtime, utc_now

PENDING = 10_000
DUE_SOON = 60
SPREAD_SECONDS = 12.0
SWEEPS = 50


def _diagram(key: str, expression: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{key}" targetNamespace="b">
  <bpmn:process id="{key}" name="{key}" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
    <bpmn:intermediateCatchEvent id="t" name="Termijn">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{expression}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def _start(runtime: Runtime, key: str, expression: str, count: int) -> list[int]:
    with runtime.transaction(write=True) as session:
        definitions.deploy_files(
            session,
            process_key=key,
            files={f"{key}.bpmn": _diagram(key, expression)},
            now=utc_now(),
            deployed_by="bench",
        )
        user = session.scalar(select(User).where(User.email == "coordinator@demo.sto"))
        return [
            instances.start_instance(session, user=user, process_key=key, region_code="demo", data={}, now=utc_now()).id
            for _ in range(count)
        ]


def _clone_pending(runtime: Runtime, template_id: int, count: int) -> None:
    """Bulk copies of one waiting instance and its timer row (core inserts: seconds, not minutes)."""
    with runtime.transaction(write=True) as session:
        template = session.get(ProcessInstance, template_id)
        timer = session.scalar(select(DueTimer).where(DueTimer.instance_id == template_id))
        now = utc_now()
        first_id = template_id + 1_000_000
        session.execute(
            insert(ProcessInstance),
            [
                {
                    "id": first_id + i,
                    "definition_id": template.definition_id,
                    "region_code": "demo",
                    "title": "termijn",
                    "status": "running",
                    "state": template.state,
                    "data": {},
                    "started_by_id": template.started_by_id,
                    "started_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for i in range(count)
            ],
        )
        session.execute(
            insert(DueTimer),
            [
                {
                    "instance_id": first_id + i,
                    "engine_task_id": timer.engine_task_id,
                    "name": timer.name,
                    "due_at": timer.due_at,
                    "failures": 0,
                }
                for i in range(count)
            ],
        )


def run(runtime: Runtime) -> None:
    """Print part E."""
    runtime.clock = utc_now
    began = time.perf_counter()
    template = _start(runtime, "maand", '"P30D"', 1)[0]
    _clone_pending(runtime, template, PENDING - 1)
    setup_s = time.perf_counter() - began

    sweeps = []
    for _ in range(SWEEPS):
        t = time.perf_counter()
        fire_timers(runtime, utc_now())
        sweeps.append((time.perf_counter() - t) * 1000)

    background = BackgroundScheduler(timezone="UTC")
    scheduler = Scheduler(runtime, background)
    scheduler.configure()
    background.start()
    try:
        soon: list[int] = []
        step = SPREAD_SECONDS / DUE_SOON
        for i in range(DUE_SOON):  # one new timer every `step` seconds, each due 3 s after it starts
            soon += _start(runtime, f"kort{i}", '"PT3S"', 1)
            time.sleep(step)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with runtime.transaction(write=False) as session:
                open_timers = session.scalar(
                    select(DueTimer.id).where(DueTimer.instance_id.in_(soon), DueTimer.fired_at.is_(None)).limit(1)
                )
            if open_timers is None:
                break
            time.sleep(0.2)
    finally:
        background.shutdown()
    with runtime.transaction(write=False) as session:
        rows = session.execute(select(DueTimer.due_at, DueTimer.fired_at).where(DueTimer.instance_id.in_(soon))).all()
    delays = [(fired - due).total_seconds() * 1000 for due, fired in rows if fired is not None]
    missed = len(rows) - len(delays)

    print()
    print(
        f"E  timers: {PENDING} pending (due in 30 days) + {DUE_SOON} falling due over {SPREAD_SECONDS:.0f} s, "
        f"real scheduler; set-up {setup_s:.1f} s"
    )
    print(
        f"   sweep with {PENDING} waiting, none due ({SWEEPS} runs): median {statistics.median(sweeps):.2f} ms, "
        f"p95 {nearest_rank(sweeps, 0.95):.2f} ms"
    )
    if delays:
        median, p95 = statistics.median(delays), nearest_rank(delays, 0.95)
        verdict = "PASS" if p95 <= 2000 and not missed else "FAIL"
        print(
            f"   delay due -> fired ({len(delays)} timers): median {median:.1f} ms, p95 {p95:.1f} ms, "
            f"max {max(delays):.1f} ms, not fired {missed}   target: within 2 s  {verdict}"
        )
    else:
        print("   no timer fired: FAIL")
