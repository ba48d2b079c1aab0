"""Moving a running workflow to another version of its process: what may move, what is refused and why, and that
a moved workflow goes on along the new version's path (every state here round-trips through the serializer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from service.engine import (
    MoveRefused,
    ParsedProcess,
    check_move,
    complete_user_task,
    fire_due_timers,
    move,
    parse_files,
    start_workflow,
)
from service.engine.workflows import Outcome

from .tiny import USER_TASK, diagram

BPMN = Path(__file__).parent.parent / "bpmn"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _version(name: str) -> ParsedProcess:
    """A process from tests/bpmn/<name>.bpmn (the process id is the name without its _vN suffix)."""
    return parse_files({f"{name}.bpmn": (BPMN / f"{name}.bpmn").read_bytes()})[name.rsplit("_", 1)[0]]


def _inline(body: str) -> ParsedProcess:
    return parse_files({"p.bpmn": diagram("p", body)})["p"]


def _complete(process: ParsedProcess, outcome: Outcome, name: str, data: dict | None = None) -> Outcome:
    task = next(t for t in outcome.snapshot.ready_tasks if t.name == name)
    return complete_user_task(process, outcome.state, task.task_id, data or {})


def _waiting_at_decision() -> tuple[ParsedProcess, Outcome]:
    v1 = _version("verhuizing_v1")
    outcome = _complete(v1, start_workflow(v1, {"titel": "Nieuwe activiteit"}), "Aanvragen", {"bedrag": 7500})
    assert [t.name for t in outcome.snapshot.ready_tasks] == ["Besluit stuurgroep"]
    return v1, outcome


def test_an_instance_waiting_at_a_kept_task_moves_and_takes_the_new_step_after_it() -> None:
    v1, outcome = _waiting_at_decision()
    v2 = _version("verhuizing_v2")
    check = check_move(v1, v2, outcome.state, target="versie 2")
    assert (check.movable, check.reasons, check.waiting_at) == (True, (), ("Besluit stuurgroep",))

    state, snapshot = move(v1, v2, outcome.state, target="versie 2")
    before = outcome.snapshot.ready_tasks[0]
    (after,) = snapshot.ready_tasks
    assert (after.task_id, after.name) == (before.task_id, "Besluit stuurgroep")  # same task: mail links keep working
    assert after.data == before.data  # what earlier steps produced is kept
    assert '"spec"' not in state

    # On version 1 the decision ends the request; on version 2 the new step follows it.
    assert _complete(v1, outcome, "Besluit stuurgroep").snapshot.status == "completed"
    moved = _complete(v2, Outcome(state, snapshot), "Besluit stuurgroep")
    assert [t.name for t in moved.snapshot.ready_tasks] == ["Vastleggen in regioplan"]
    assert moved.snapshot.data["bedrag"] == 7500
    assert _complete(v2, moved, "Vastleggen in regioplan").snapshot.status == "completed"


def test_an_instance_waiting_at_a_removed_task_is_refused_naming_that_task() -> None:
    v1, outcome = _waiting_at_decision()
    v3 = _version("verhuizing_v3")
    # The library's diff pairs the removed decision with the new step in its place; a person's task is not that.
    check = check_move(v1, v3, outcome.state, target="versie 3")
    assert not check.movable
    assert check.reasons == ("De taak 'Besluit stuurgroep' waar dit verzoek wacht, bestaat niet meer in versie 3.",)
    with pytest.raises(MoveRefused) as refused:
        move(v1, v3, outcome.state, target="versie 3")
    assert refused.value.check.reasons == check.reasons


def test_an_instance_before_the_removed_task_can_move_past_it() -> None:
    v1, v3 = _version("verhuizing_v1"), _version("verhuizing_v3")
    started = start_workflow(v1, {})
    assert check_move(v1, v3, started.state).waiting_at == ("Aanvragen",)
    state, snapshot = move(v1, v3, started.state)
    moved = _complete(v3, Outcome(state, snapshot), "Aanvragen")
    assert [t.name for t in moved.snapshot.ready_tasks] == ["Vastleggen in regioplan"]


def test_a_waiting_timer_keeps_its_due_time_and_fires_onto_the_new_path() -> None:
    v1, v2 = _version("bedenktijd_v1"), _version("bedenktijd_v2")
    with time_machine.travel(T0, tick=False):
        outcome = start_workflow(v1, {})
    (timer,) = outcome.snapshot.timers
    assert timer.due_at == T0 + timedelta(days=2)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):  # the move comes a day later
        assert check_move(v1, v2, outcome.state).waiting_at == ("Twee dagen bedenktijd",)
        state, snapshot = move(v1, v2, outcome.state)
    assert snapshot.timers == (timer,)  # same engine task, same due time: not restarted by the move
    with time_machine.travel(T0 + timedelta(days=2, seconds=1), tick=False):
        fired = fire_due_timers(v2, state)
    assert fired.snapshot.timers == ()
    assert [t.name for t in fired.snapshot.ready_tasks] == ["Controleren"]


def test_a_waiting_timer_whose_duration_changed_is_refused() -> None:
    v1, v3 = _version("bedenktijd_v1"), _version("bedenktijd_v3")
    outcome = start_workflow(v1, {})
    check = check_move(v1, v3, outcome.state, target="versie 3")
    assert not check.movable
    assert check.reasons == (
        "De termijn 'Twee dagen bedenktijd' waarop dit verzoek wacht, is in versie 3 veranderd; "
        "wat al loopt, wordt niet omgerekend.",
    )


def test_a_step_the_instance_already_passed_that_is_gone_is_refused() -> None:
    without_request = _inline(
        '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="besluit"/>'
        + USER_TASK.format(id="besluit", name="Besluit stuurgroep", form="b.json")
        + '<bpmn:sequenceFlow id="f3" sourceRef="besluit" targetRef="end"/><bpmn:endEvent id="end"/>'
    )
    v1_inline = _inline(
        '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="aanvragen"/>'
        + USER_TASK.format(id="aanvragen", name="Aanvragen", form="a.json")
        + '<bpmn:sequenceFlow id="f2" sourceRef="aanvragen" targetRef="besluit"/>'
        + USER_TASK.format(id="besluit", name="Besluit stuurgroep", form="b.json")
        + '<bpmn:sequenceFlow id="f3" sourceRef="besluit" targetRef="end"/><bpmn:endEvent id="end"/>'
    )
    outcome = _complete(v1_inline, start_workflow(v1_inline, {}), "Aanvragen")
    check = check_move(v1_inline, without_request, outcome.state, target="versie 2")
    assert check.reasons == ("De stap 'Aanvragen', die dit verzoek al heeft doorlopen, bestaat niet meer in versie 2.",)


def _with_deadline(extra_step: bool, boundary: bool) -> ParsedProcess:
    after = "vastleggen" if extra_step else "end"
    body = (
        '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="besluit"/>'
        + USER_TASK.format(id="besluit", name="Besluit stuurgroep", form="b.json")
        + f'<bpmn:sequenceFlow id="f2" sourceRef="besluit" targetRef="{after}"/><bpmn:endEvent id="end"/>'
    )
    if extra_step:
        body += USER_TASK.format(id="vastleggen", name="Vastleggen", form="c.json")
        body += '<bpmn:sequenceFlow id="f3" sourceRef="vastleggen" targetRef="end"/>'
    if boundary:
        body += """
    <bpmn:boundaryEvent id="termijn" name="Termijn verstreken" attachedToRef="besluit" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P14D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f9" sourceRef="termijn" targetRef="herinnerd"/><bpmn:endEvent id="herinnerd"/>"""
    return _inline(body)


def test_a_task_with_a_deadline_moves_with_its_deadline() -> None:
    old, new = _with_deadline(False, True), _with_deadline(True, True)
    outcome = start_workflow(old, {})
    assert check_move(old, new, outcome.state).waiting_at == ("Besluit stuurgroep", "Termijn verstreken")
    state, snapshot = move(old, new, outcome.state)
    assert snapshot.timers == outcome.snapshot.timers
    assert [t.task_id for t in snapshot.ready_tasks] == [t.task_id for t in outcome.snapshot.ready_tasks]
    moved = _complete(new, Outcome(state, snapshot), "Besluit stuurgroep")
    assert [t.name for t in moved.snapshot.ready_tasks] == ["Vastleggen"]
    assert moved.snapshot.timers == ()  # the deadline ended with its task, as on the old version


def test_a_deadline_added_to_the_waiting_task_is_refused() -> None:
    old, new = _with_deadline(False, False), _with_deadline(False, True)
    outcome = start_workflow(old, {})
    check = check_move(old, new, outcome.state, target="versie 2")
    assert check.reasons == (
        "Versie 2 is rond de taak 'Besluit stuurgroep' (waar dit verzoek wacht) anders opgebouwd, "
        "bijvoorbeeld met een termijn of gebeurtenis erbij of eraf.",
    )


def test_a_task_moved_to_another_lane_moves_and_says_its_new_lane() -> None:
    old = _with_deadline(False, False)
    lanes = """
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="l1" name="stuurgroep"><bpmn:flowNodeRef>besluit</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="l2" name="coordinator">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>"""
    new = _inline(lanes + _body_of(old))
    outcome = start_workflow(old, {})
    assert outcome.snapshot.ready_tasks[0].lane is None
    _state, snapshot = move(old, new, outcome.state)
    assert (snapshot.ready_tasks[0].task_id, snapshot.ready_tasks[0].lane) == (
        outcome.snapshot.ready_tasks[0].task_id,
        "stuurgroep",
    )


def _body_of(process: ParsedProcess) -> str:
    text = next(iter(process.files.values())).decode()
    return text.split('isExecutable="true">', 1)[1].rsplit("</bpmn:process>", 1)[0]


def test_a_running_sub_process_moves_with_its_inner_steps() -> None:
    def version(extra_inside: bool) -> ParsedProcess:
        inner_end = "binnen_b" if extra_inside else "s_end"
        inner = (
            '<bpmn:startEvent id="s_start"/><bpmn:sequenceFlow id="s1" sourceRef="s_start" targetRef="binnen_a"/>'
            + USER_TASK.format(id="binnen_a", name="Beoordelen", form="a.json")
            + f'<bpmn:sequenceFlow id="s2" sourceRef="binnen_a" targetRef="{inner_end}"/><bpmn:endEvent id="s_end"/>'
        )
        if extra_inside:
            inner += USER_TASK.format(id="binnen_b", name="Tweede lezing", form="b.json")
            inner += '<bpmn:sequenceFlow id="s3" sourceRef="binnen_b" targetRef="s_end"/>'
        return _inline(
            '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="deel"/>'
            f'<bpmn:subProcess id="deel" name="Beoordeling">{inner}</bpmn:subProcess>'
            '<bpmn:sequenceFlow id="f2" sourceRef="deel" targetRef="end"/><bpmn:endEvent id="end"/>'
        )

    old, new = version(False), version(True)
    outcome = start_workflow(old, {})
    state, snapshot = move(old, new, outcome.state)
    moved = _complete(new, Outcome(state, snapshot), "Beoordelen")
    assert [t.name for t in moved.snapshot.ready_tasks] == ["Tweede lezing"]


def test_a_repeated_task_still_running_is_refused() -> None:
    def version(end: str) -> ParsedProcess:
        return _inline(
            '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="lezen"/>'
            '<bpmn:userTask id="lezen" name="Meelezen"><bpmn:multiInstanceLoopCharacteristics isSequential="false">'
            "<bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"
            f'<bpmn:sequenceFlow id="f2" sourceRef="lezen" targetRef="{end}"/><bpmn:endEvent id="{end}"/>'
        )

    old = version("end")
    outcome = start_workflow(old, {})
    check = check_move(old, version("einde"), outcome.state, target="versie 2")
    assert check.reasons == (
        "De stap 'Meelezen' waar dit verzoek nu is, wordt nog herhaald; verplaats dit verzoek als die herhaling "
        "klaar is.",
    )


def test_a_damaged_state_is_not_movable_and_says_so() -> None:
    v1, v2 = _version("verhuizing_v1"), _version("verhuizing_v2")
    check = check_move(v1, v2, '{"sto_format": 1, "workflow": {}}')
    assert not check.movable
    assert "kan niet worden gelezen" in check.reasons[0]
    with pytest.raises(MoveRefused):
        move(v1, v2, "not json")


def test_moving_runs_no_diagram_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """SpiffWorkflow's own migrate_workflow re-runs the preScript of a waiting task and re-evaluates a waiting
    timer; a move here must evaluate nothing, which is why it may run outside the engine's worker processes."""

    def version(end: str) -> ParsedProcess:
        return _inline(
            '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="brief"/>'
            '<bpmn:userTask id="brief" name="Brief nakijken"><bpmn:extensionElements>'
            "<spiffworkflow:preScript>keer = keer + 1</spiffworkflow:preScript>"
            "</bpmn:extensionElements></bpmn:userTask>"
            f'<bpmn:sequenceFlow id="f2" sourceRef="brief" targetRef="{end}"/><bpmn:endEvent id="{end}"/>'
        )

    old, new = version("end"), version("einde")
    outcome = start_workflow(old, {"keer": 0})

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("diagram code ran during a move")

    monkeypatch.setattr(PythonScriptEngine, "execute", refuse)
    monkeypatch.setattr(PythonScriptEngine, "evaluate", refuse)
    _state, snapshot = move(old, new, outcome.state)
    assert snapshot.ready_tasks[0].data["keer"] == 1
