"""Deployment versions, timer rows and who is offered a task."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from service.domain import definitions, instances, tasks
from service.domain.errors import NotAllowed, NotFound
from service.domain.forms import FormLibrary
from service.models import DueTimer, HumanTask, User

from ..engine.tiny import USER_TASK, diagram, timer_process

FORM = {"type": "object", "properties": {"ok": {"type": "boolean"}}}


def _user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def _one_task(name: str) -> str:
    return diagram(
        "klus",
        f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="werk"/>
    {USER_TASK.format(id="werk", name=name, form="ok.json")}
    <bpmn:sequenceFlow id="f2" sourceRef="werk" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    ).decode()


def _deploy(session, clock, name: str):
    return definitions.deploy_files(
        session, process_key="klus", files={"klus.bpmn": _one_task(name)}, now=clock(), deployed_by="t"
    )


def test_changed_diagram_becomes_a_new_version_and_running_instances_keep_theirs(runtime, clock, tmp_path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps(FORM))
    with runtime.transaction(write=True) as session:
        first = _deploy(session, clock, "Oude stap")
        assert _deploy(session, clock, "Oude stap") is None  # same content: no new version
        user = _user(session, "projectleider@demo.sto")
        old = instances.start_instance(session, user=user, process_key="klus", region_code="demo", data={}, now=clock())
        second = _deploy(session, clock, "Nieuwe stap")
        new = instances.start_instance(session, user=user, process_key="klus", region_code="demo", data={}, now=clock())
        assert (first.version, second.version) == (1, 2)
        names = {
            t.instance_id: t.name
            for t in session.scalars(select(HumanTask).where(HumanTask.instance_id.in_([old.id, new.id])))
        }
        assert names == {old.id: "Oude stap", new.id: "Nieuwe stap"}
        old_task = session.scalar(select(HumanTask).where(HumanTask.instance_id == old.id))
        finished = tasks.complete_task(
            session, FormLibrary(tmp_path), user=user, task_id=old_task.id, data={"ok": True}, now=clock()
        )
        assert finished.instance.status == "completed" and finished.instance.definition.version == 1


def test_a_waiting_timer_is_written_as_a_due_timer_row(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        definitions.deploy_files(
            session,
            process_key="p",
            files={"p.bpmn": timer_process("p", '"P14D"').decode()},
            now=clock(),
            deployed_by="t",
        )
        user = _user(session, "coordinator@demo.sto")
        instance = instances.start_instance(
            session, user=user, process_key="p", region_code="demo", data={}, now=clock()
        )
        timer = session.scalar(select(DueTimer).where(DueTimer.instance_id == instance.id))
    assert timer is not None and timer.name == "Wachten" and timer.fired_at is None
    # SpiffWorkflow computes the due time from the wall clock when the timer is reached.
    assert 13.9 < (timer.due_at - timer.due_at.now(timer.due_at.tzinfo)).total_seconds() / 86400 <= 14


def test_a_task_without_lane_goes_only_to_the_user_who_started(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        _deploy(session, clock, "Eigen stap")
        starter = _user(session, "coordinator@demo.sto")
        other = _user(session, "penvoerder@demo.sto")
        instance = instances.start_instance(
            session, user=starter, process_key="klus", region_code="demo", data={}, now=clock()
        )
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
        assert [t.id for t in tasks.list_open_tasks(session, user=starter)] == [task.id]
        assert tasks.list_open_tasks(session, user=other) == []
        with pytest.raises(NotAllowed):
            tasks.claim_task(session, user=other, task_id=task.id, now=clock())
        with pytest.raises(NotFound):
            tasks.claim_task(session, user=_user(session, "coordinator@noord.sto"), task_id=task.id, now=clock())


def _parallel() -> str:
    return diagram(
        "parallel",
        f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="a"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="b"/>
    {USER_TASK.format(id="a", name="Stap A", form="ok.json")}
    {USER_TASK.format(id="b", name="Stap B", form="ok.json")}
    <bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    ).decode()


def test_parallel_tasks_stay_open_until_each_is_done(runtime, clock, tmp_path) -> None:
    (tmp_path / "ok.json").write_text(json.dumps(FORM))
    forms = FormLibrary(tmp_path)
    with runtime.transaction(write=True) as session:
        definitions.deploy_files(
            session, process_key="parallel", files={"parallel.bpmn": _parallel()}, now=clock(), deployed_by="t"
        )
        user = _user(session, "coordinator@demo.sto")
        instance = instances.start_instance(
            session, user=user, process_key="parallel", region_code="demo", data={}, now=clock()
        )
        first, second = instances.list_open_tasks_of(session, instance.id)
        after_first = tasks.complete_task(session, forms, user=user, task_id=first.id, data={"ok": True}, now=clock())
        assert [t.id for t in after_first.open_tasks] == [second.id]
        assert [t.id for t in instances.list_open_tasks_of(session, instance.id)] == [second.id]
        done = tasks.complete_task(session, forms, user=user, task_id=second.id, data={"ok": True}, now=clock())
        assert done.open_tasks == [] and done.instance.status == "completed"
        rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
        assert sorted((r.name, r.status) for r in rows) == [("Stap A", "completed"), ("Stap B", "completed")]


def test_a_task_without_a_form_is_a_confirmation_that_takes_no_data(runtime, clock, tmp_path) -> None:
    from service.domain.errors import InvalidInput

    xml = diagram(
        "bevestig",
        """
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ok"/>
    <bpmn:userTask id="ok" name="Bevestigen"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ok" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    ).decode()
    forms = FormLibrary(tmp_path)
    with runtime.transaction(write=True) as session:
        definitions.deploy_files(
            session, process_key="bevestig", files={"bevestig.bpmn": xml}, now=clock(), deployed_by="t"
        )
        user = _user(session, "coordinator@demo.sto")
        instance = instances.start_instance(
            session, user=user, process_key="bevestig", region_code="demo", data={}, now=clock()
        )
        (task,) = instances.list_open_tasks_of(session, instance.id)
        with pytest.raises(InvalidInput):
            tasks.complete_task(
                session, forms, user=user, task_id=task.id, data={"besluit": "goedgekeurd"}, now=clock()
            )
        done = tasks.complete_task(session, forms, user=user, task_id=task.id, data={}, now=clock())
        assert done.instance.status == "completed" and "besluit" not in done.instance.data
