"""A step that fails in the process model leaves everything as it was: nothing saved, the task still open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.domain import definitions, instances, tasks
from service.domain.errors import ProcessFailed
from service.domain.forms import FormLibrary
from service.engine import DiagramError
from service.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance, User

from ..engine.tiny import USER_TASK, condition_process, diagram

FORM = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}


def _user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def _process_with_evil_script_after_a_task(marker: Path) -> str:
    return diagram(
        "kwaad",
        f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="werk"/>
    {USER_TASK.format(id="werk", name="Werk", form="ok.json")}
    <bpmn:sequenceFlow id="f2" sourceRef="werk" targetRef="script"/>
    <bpmn:scriptTask id="script" name="Kwaad script"><bpmn:script>import os
os.system('touch {marker}')</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="script" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    ).decode()


def test_deploying_a_diagram_with_an_escaping_condition_is_refused_and_stores_nothing(runtime, clock) -> None:
    xml = condition_process("kwaad", "__import__('os').system('true') == 0").decode()
    with pytest.raises(DiagramError), runtime.transaction(write=True) as session:
        definitions.deploy_files(session, process_key="kwaad", files={"kwaad.bpmn": xml}, now=clock(), deployed_by="t")
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_key == "kwaad")) is None


def test_a_script_that_tries_to_import_os_fails_the_step_and_changes_nothing(runtime, clock, tmp_path) -> None:
    marker = tmp_path / "pwned"
    (tmp_path / "ok.json").write_text(json.dumps(FORM))
    forms = FormLibrary(tmp_path)
    with runtime.transaction(write=True) as session:
        files = {"kwaad.bpmn": _process_with_evil_script_after_a_task(marker)}
        definitions.deploy_files(session, process_key="kwaad", files=files, now=clock(), deployed_by="t")
        user = _user(session, "projectleider@demo.sto")
        instance = instances.start_instance(
            session, user=user, process_key="kwaad", region_code="demo", data={}, now=clock()
        )
        instance_id, state_before = instance.id, instance.state
    with runtime.transaction(write=False) as session:
        task_id = session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id))
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))

    with pytest.raises(ProcessFailed) as caught, runtime.transaction(write=True) as session:
        user = _user(session, "projectleider@demo.sto")
        tasks.complete_task(session, forms, user=user, task_id=task_id, data={"ok": True}, now=clock())

    assert "Kwaad script" in caught.value.message and "niet is toegestaan" in caught.value.message
    assert not marker.exists()
    with runtime.transaction(write=False) as session:
        assert session.get(HumanTask, task_id).status == "open"
        assert session.get(ProcessInstance, instance_id).state == state_before
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
