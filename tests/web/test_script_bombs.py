"""Diagram code that tries to run for ever, eat the memory or escape is stopped within 2 s with a Dutch reason,
the server keeps its memory, and another user starting a request at that very moment is not held up."""

from __future__ import annotations

import threading
import time
from itertools import pairwise
from typing import Any

import pytest
from flask import Flask

from service.domain import definitions
from service.models import AuditEvent, HumanTask, ProcessInstance
from service.web.runtime import Runtime
from tests.conftest import ApiUser
from tests.engine.tiny import USER_TASK, diagram
from tests.web.change_request import ZORGROBOTS, only_task, start
from tests.web.flow import count, events

FORM = "wijzigingsverzoek_indienen.schema.json"  # any real form: the bomb's user task is never reached
BOMBS = {
    "generator product": "n = sum(1 for a in 'x' * 25000 for b in 'x' * 25000)",
    "power tower": "n = 9 ** 9 ** 9",
    "gigabyte string": "n = len('x' * 10 ** 9)",
    "BaseException": "raise BaseException()",
    "endless loop": "while True:\n    pass",
    "nested comprehension": "n = len([1 for a in 'x' * 10000 for b in 'x' * 10000])",
    "generator left in data": "rest = (i for i in [1, 2, 3])",
}
REASONS = ("te lang", "te vaak", "te veel geheugen", "afgebroken", "niet bewaard")


def _bomb_after(first: str, script: str) -> str:
    """start -> [user task] -> script -> user task -> end."""
    steps = [USER_TASK.format(id="eerst", name="Eerst", form=FORM)] if first == "task" else []
    chain = ["start", *(["eerst"] if steps else []), "bomscript", "werk", "end"]
    flows = "".join(
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>' for i, (a, b) in enumerate(pairwise(chain))
    )
    return diagram(
        "bom",
        f"""
    <bpmn:startEvent id="start"/>{"".join(steps)}
    <bpmn:scriptTask id="bomscript" name="Bomscript"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    {USER_TASK.format(id="werk", name="Werk", form=FORM)}
    <bpmn:endEvent id="end"/>{flows}""",
    ).decode()


def _deploy(runtime: Runtime, clock: Any, xml: str) -> None:
    with runtime.transaction(write=True) as session:
        definitions.deploy_files(session, process_key="bom", files={"bom.bpmn": xml}, now=clock(), deployed_by="tests")


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def _while_running(bomb: Any, other: Any) -> tuple[Any, float, Any, float]:
    """Run `bomb` and, once it is under way, `other` beside it; both results with their wall times."""
    results: dict[str, Any] = {}

    def timed(name: str, call: Any) -> None:
        began = time.monotonic()
        results[name] = call()
        results[name + "_s"] = time.monotonic() - began

    thread = threading.Thread(target=timed, args=("bomb", bomb))
    thread.start()
    time.sleep(0.15)  # the bomb's request is in the engine now
    timed("other", other)
    thread.join(timeout=10)
    return results["bomb"], results["bomb_s"], results["other"], results["other_s"]


@pytest.mark.parametrize("script", BOMBS.values(), ids=BOMBS.keys())
def test_a_script_bomb_is_stopped_in_time_and_holds_up_nobody(
    app: Flask, runtime: Runtime, clock: Any, login: Any, script: str
) -> None:
    _deploy(runtime, clock, _bomb_after("start", script))
    attacker, other = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    other_start = ApiUser(app.test_client(), "projectleider@demo.sto", attacker.token)
    instances_before = count(runtime, ProcessInstance)
    memory_before = _resident_mb()

    bombed, bomb_seconds, started, other_seconds = _while_running(
        lambda: attacker.post("/api/v1/processes/bom/instances", {"region": "demo", "data": {}}),
        lambda: other_start.post("/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {}}),
    )

    assert bombed.status_code == 422, bombed.json
    assert "Het proces kon niet starten bij 'Bomscript'" in bombed.json["message"]
    assert any(reason in bombed.json["message"] for reason in REASONS), bombed.json["message"]
    assert bomb_seconds < 2.0
    assert started.status_code == 201, started.json
    assert other_seconds < 1.0
    assert _resident_mb() - memory_before < 100
    assert count(runtime, ProcessInstance) == instances_before + 1  # only the other user's request
    assert other.get("/api/v1/tasks").status_code == 200  # and the server answers as before


def test_a_bomb_after_a_task_fails_that_step_saves_nothing_and_is_written_on_the_instance(
    runtime: Runtime, clock: Any, login: Any
) -> None:
    _deploy(runtime, clock, _bomb_after("task", "n = 9 ** 9 ** 9"))
    projectleider = login("projectleider@demo.sto")
    started = projectleider.post("/api/v1/processes/bom/instances", {"region": "demo", "data": {}}).json
    task = only_task(started)
    tasks_before, events_before = count(runtime, HumanTask), count(runtime, AuditEvent)

    response = projectleider.post(f"/api/v1/tasks/{task['id']}/complete", {"data": ZORGROBOTS})

    assert response.status_code == 422
    assert "De stap 'Bomscript' kon niet worden uitgevoerd" in response.json["message"]
    assert "duurde te lang" in response.json["message"] and "Er is niets opgeslagen" in response.json["message"]
    assert count(runtime, HumanTask) == tasks_before
    assert [t["id"] for t in projectleider.get(f"/api/v1/instances/{started['id']}").json["open_tasks"]] == [task["id"]]
    failed = events(projectleider, started["id"], "step_failed")
    assert len(failed) == 1 and "duurde te lang" in failed[0]["summary"]
    assert count(runtime, AuditEvent) == events_before + 1  # the failure note, nothing of the step itself


def test_start_data_nested_900_deep_is_refused_and_nothing_is_saved(runtime: Runtime, login: Any) -> None:
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(900):
        inner["a"] = {}
        inner = inner["a"]
    projectleider = login("projectleider@demo.sto")
    instances_before = count(runtime, ProcessInstance)

    response = projectleider.post(
        "/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {"omschrijving": deep}}
    )

    assert 400 <= response.status_code < 500, response.json
    assert "omschrijving" in response.json["message"] + str(response.json.get("fields"))
    assert count(runtime, ProcessInstance) == instances_before
    assert start(projectleider)["open_tasks"]  # the server answers normally afterwards
