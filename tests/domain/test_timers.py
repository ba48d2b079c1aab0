"""BPMN timers fire from the due_timer rows: on time, exactly once, also after downtime and with two
schedulers at once. Time is moved with time-machine (SpiffWorkflow reads the wall clock itself)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from service.db import Database
from service.domain import definitions, instances
from service.jobs.timers import fire_timers, next_due
from service.models import AuditEvent, DueTimer, HumanTask, ProcessInstance, User
from service.runtime import Runtime, utc_now

from ..engine.tiny import USER_TASK, diagram, timer_process

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def wall_clock_runtime(runtime: Runtime):  # type: ignore[no-untyped-def]
    """The runtime with the real clock, so time-machine moves both our clock and SpiffWorkflow's."""
    runtime.clock = utc_now
    return runtime


def _deploy_and_start(runtime: Runtime, key: str, xml: bytes, data: dict | None = None) -> int:
    with runtime.transaction(write=True) as session:
        definitions.deploy_files(
            session, process_key=key, files={f"{key}.bpmn": xml.decode()}, now=utc_now(), deployed_by="t"
        )
        user = session.scalar(select(User).where(User.email == "coordinator@demo.sto"))
        instance = instances.start_instance(
            session, user=user, process_key=key, region_code="demo", data=data or {}, now=utc_now()
        )
        return instance.id


def _status(runtime: Runtime, instance_id: int) -> str:
    with runtime.transaction(write=False) as session:
        return session.get(ProcessInstance, instance_id).status


def _open_task_names(runtime: Runtime, instance_id: int) -> list[str]:
    with runtime.transaction(write=False) as session:
        return sorted(
            session.scalars(
                select(HumanTask.name).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
            )
        )


def _fired_events(runtime: Runtime, instance_id: int) -> int:
    with runtime.transaction(write=False) as session:
        return session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.instance_id == instance_id, AuditEvent.action == "timer_fired")
        )


def test_intermediate_timer_fires_at_its_due_time_and_only_once(wall_clock_runtime) -> None:
    rt = wall_clock_runtime
    with time_machine.travel(T0, tick=False):
        instance_id = _deploy_and_start(rt, "slaap", timer_process("slaap", '"PT1H"'))
        assert next_due(rt) == T0 + timedelta(hours=1)
    with time_machine.travel(T0 + timedelta(minutes=59, seconds=59), tick=False):
        assert fire_timers(rt, utc_now()) == 0
        assert _status(rt, instance_id) == "running"
    with time_machine.travel(T0 + timedelta(hours=1, seconds=1), tick=False):
        assert fire_timers(rt, utc_now()) == 1
        assert fire_timers(rt, utc_now()) == 0
    assert _status(rt, instance_id) == "completed"
    assert _fired_events(rt, instance_id) == 1
    with rt.transaction(write=False) as session:
        row = session.scalar(select(DueTimer).where(DueTimer.instance_id == instance_id))
        assert row.fired_at == T0 + timedelta(hours=1, seconds=1)
    assert next_due(rt) is None


def test_a_scheduler_that_was_down_fires_each_missed_timer_once(wall_clock_runtime) -> None:
    rt = wall_clock_runtime
    with time_machine.travel(T0, tick=False):
        first = _deploy_and_start(rt, "slaap", timer_process("slaap", '"PT1H"'))
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        second = _deploy_and_start(rt, "slaap", timer_process("slaap", '"PT1H"'))
    with time_machine.travel(T0 + timedelta(days=2), tick=False):  # back after two days
        assert fire_timers(rt, utc_now()) == 2
        assert fire_timers(rt, utc_now()) == 0
    assert (_status(rt, first), _status(rt, second)) == ("completed", "completed")
    assert (_fired_events(rt, first), _fired_events(rt, second)) == (1, 1)


def _task_with_boundary(interrupting: bool, expression: str) -> bytes:
    return diagram(
        "grens",
        f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="werk"/>
    {USER_TASK.format(id="werk", name="Werk", form="ok.json")}
    <bpmn:sequenceFlow id="f2" sourceRef="werk" targetRef="end"/>
    <bpmn:endEvent id="end"/>
    <bpmn:boundaryEvent id="termijn" name="Termijn" attachedToRef="werk" cancelActivity="{str(interrupting).lower()}">
      <bpmn:timerEventDefinition>{expression}</bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="termijn" targetRef="opvolgen"/>
    {USER_TASK.format(id="opvolgen", name="Opvolgen", form="ok.json")}
    <bpmn:sequenceFlow id="f4" sourceRef="opvolgen" targetRef="end2"/>
    <bpmn:endEvent id="end2"/>""",
    )


def test_interrupting_boundary_timer_takes_the_task_away(wall_clock_runtime) -> None:
    rt = wall_clock_runtime
    with time_machine.travel(T0, tick=False):
        xml = _task_with_boundary(True, '<bpmn:timeDuration>"P2D"</bpmn:timeDuration>')
        instance_id = _deploy_and_start(rt, "grens", xml)
        assert _open_task_names(rt, instance_id) == ["Werk"]
    with time_machine.travel(T0 + timedelta(days=2, seconds=1), tick=False):
        assert fire_timers(rt, utc_now()) == 1
    assert _open_task_names(rt, instance_id) == ["Opvolgen"]
    with rt.transaction(write=False) as session:
        werk = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.name == "Werk"))
        assert werk.status == "cancelled"


def test_non_interrupting_boundary_timer_keeps_the_task(wall_clock_runtime) -> None:
    rt = wall_clock_runtime
    with time_machine.travel(T0, tick=False):
        xml = _task_with_boundary(False, '<bpmn:timeDuration>"P2D"</bpmn:timeDuration>')
        instance_id = _deploy_and_start(rt, "grens", xml)
    with time_machine.travel(T0 + timedelta(days=2, seconds=1), tick=False):
        assert fire_timers(rt, utc_now()) == 1
    assert _open_task_names(rt, instance_id) == ["Opvolgen", "Werk"]


def test_cycle_timer_fires_once_per_cycle_and_then_stops(wall_clock_runtime) -> None:
    rt = wall_clock_runtime
    with time_machine.travel(T0, tick=False):
        xml = _task_with_boundary(False, '<bpmn:timeCycle>"R3/P7D"</bpmn:timeCycle>')
        instance_id = _deploy_and_start(rt, "grens", xml)
    for week in (1, 2, 3, 4):
        with time_machine.travel(T0 + timedelta(days=7 * week, seconds=1), tick=False):
            fire_timers(rt, utc_now())
    with rt.transaction(write=False) as session:
        follow_ups = session.scalar(
            select(func.count())
            .select_from(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.name == "Opvolgen")
        )
    assert follow_ups == 3
    assert _open_task_names(rt, instance_id).count("Werk") == 1


def test_two_schedulers_at_once_fire_each_timer_once(wall_clock_runtime) -> None:
    rt = wall_clock_runtime
    with time_machine.travel(T0, tick=False):
        ids = [_deploy_and_start(rt, "slaap", timer_process("slaap", '"PT1H"')) for _ in range(6)]
    other = Runtime(settings=rt.settings, db=Database(rt.settings.database_url), forms=rt.forms, clock=utc_now)
    results: list[int] = []
    barrier = threading.Barrier(2)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):

        def scheduler(runtime: Runtime) -> None:
            barrier.wait()
            results.append(fire_timers(runtime, utc_now()))

        threads = [threading.Thread(target=scheduler, args=(r,)) for r in (rt, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    other.db.dispose()
    assert sum(results) == 6
    assert [_fired_events(rt, i) for i in ids] == [1] * 6
    assert all(_status(rt, i) == "completed" for i in ids)


def test_a_failing_step_after_a_timer_is_retried_later_not_every_second(wall_clock_runtime) -> None:
    rt = wall_clock_runtime
    xml = diagram(
        "stuk",
        """
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wacht"/>
    <bpmn:intermediateCatchEvent id="wacht" name="Wachten">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wacht" targetRef="script"/>
    <bpmn:scriptTask id="script" name="Rekenen"><bpmn:script>x = 1 / 0</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="script" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    )
    with time_machine.travel(T0, tick=False):
        instance_id = _deploy_and_start(rt, "stuk", xml)
    with time_machine.travel(T0 + timedelta(hours=1, seconds=1), tick=False):
        assert fire_timers(rt, utc_now()) == 0
        assert fire_timers(rt, utc_now()) == 0  # an incident waiting for its backoff: not retried at once
        assert next_due(rt) is None  # the regular poll finds it again after the backoff
    assert _status(rt, instance_id) == "running"
    with rt.transaction(write=False) as session:
        failed = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "timer_failed")).all()
    assert failed == ["Termijn kon niet worden verwerkt; nieuwe poging volgt"]


def test_a_timer_start_event_starts_the_process_in_every_region_once(wall_clock_runtime) -> None:
    from service.jobs.timer_starts import start_timer_processes

    rt = wall_clock_runtime
    xml = diagram(
        "maandcontrole",
        """
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="coordinator">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>controle</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start" name="Elke maand">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="controle"/>
    """
        + USER_TASK.format(id="controle", name="Maandcontrole", form="ok.json")
        + """
    <bpmn:sequenceFlow id="f2" sourceRef="controle" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    )
    with time_machine.travel(T0, tick=False):
        with rt.transaction(write=True) as session:
            definitions.deploy_files(
                session,
                process_key="maandcontrole",
                files={"maandcontrole.bpmn": xml.decode()},
                now=utc_now(),
                deployed_by="t",
            )
        assert start_timer_processes(rt, utc_now()) == 2  # demo and noord
        assert start_timer_processes(rt, utc_now()) == 0
    with time_machine.travel(T0 + timedelta(hours=1, seconds=1), tick=False):
        assert fire_timers(rt, utc_now()) == 2
    with rt.transaction(write=False) as session:
        tasks = session.execute(
            select(HumanTask.region_code, HumanTask.role).where(HumanTask.name == "Maandcontrole")
        ).all()
    assert sorted(tasks) == [("demo", "coordinator"), ("noord", "coordinator")]
