"""Skipping a failed step in the engine: the failing script is completed without running, the steps before it
run as usual, and the workflow waits at the next user task; an element that is not waiting cannot be skipped."""

from __future__ import annotations

from uuid import UUID

import pytest

from service.engine import EngineError, TaskNotReady, complete_user_task, parse_files, skip_failed_step, start_workflow
from service.engine.workflows import _dump, _load, _snapshot

from .tiny import USER_TASK, diagram

XML = diagram(
    "overslaan",
    f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="invoer"/>
    {USER_TASK.format(id="invoer", name="Invoer", form="none.json")}
    <bpmn:sequenceFlow id="f2" sourceRef="invoer" targetRef="voor"/>
    <bpmn:scriptTask id="voor" name="Voorwerk"><bpmn:script>voorwerk = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="voor" targetRef="delen"/>
    <bpmn:scriptTask id="delen" name="Delen"><bpmn:script>uitkomst = 10 / deler</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="delen" targetRef="na"/>
    <bpmn:scriptTask id="na" name="Nawerk"><bpmn:script>nawerk = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f5" sourceRef="na" targetRef="controle"/>
    {USER_TASK.format(id="controle", name="Controle", form="none.json")}
    <bpmn:sequenceFlow id="f6" sourceRef="controle" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
)


def _waiting_at_invoer() -> tuple[object, str, str]:
    process = parse_files({"overslaan.bpmn": XML})["overslaan"]
    started = start_workflow(process, {"deler": 0})
    [ready] = started.snapshot.ready_tasks
    with pytest.raises(EngineError) as failed:
        complete_user_task(process, started.state, ready.task_id, {})
    assert failed.value.task_name == "Delen"
    return process, started.state, ready.task_id


def _state_before_delen(process: object, state: str, invoer: str) -> str:
    """A stored state whose engine still has to run up to 'Delen' (as after a timer that fired): 'Invoer' marked
    done without running the engine on."""
    workflow = _load(process, state, None)  # type: ignore[arg-type]
    workflow.get_task_from_id(UUID(invoer)).complete()  # 'Voorwerk' is READY, nothing ran yet
    return _dump(workflow, _snapshot(workflow, []))


def test_the_failing_script_is_completed_without_running_and_the_steps_around_it_run() -> None:
    process, state, invoer = _waiting_at_invoer()
    outcome = skip_failed_step(process, _state_before_delen(process, state, invoer), "Delen")
    assert [t.name for t in outcome.snapshot.ready_tasks] == ["Controle"]
    data = outcome.snapshot.data
    assert data["voorwerk"] is True and data["nawerk"] is True and "uitkomst" not in data
    assert [(s.name, s.kind) for s in outcome.snapshot.steps] == [
        ("Voorwerk", "Script Task"),
        ("Delen", "skipped"),
        ("Nawerk", "Script Task"),
    ]


def test_an_element_that_is_not_waiting_cannot_be_skipped() -> None:
    process, state, _invoer = _waiting_at_invoer()
    with pytest.raises(TaskNotReady):
        skip_failed_step(process, state, "Delen")  # it waits for a person at 'Invoer', not at 'Delen'
