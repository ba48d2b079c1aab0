"""Scripts and conditions in diagrams run sandboxed: escapes are refused at deployment or fail at run time."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.engine import DiagramError, EngineError, parse_files, start_workflow

from .tiny import condition_process, script_process, timer_process


def test_condition_calling_import_is_refused_when_deployed() -> None:
    xml = condition_process("p", "__import__('os').system('true') == 0")
    with pytest.raises(DiagramError, match="niet toegestaan"):
        parse_files({"p.bpmn": xml})


def test_script_using_dunder_attributes_is_refused_when_deployed() -> None:
    xml = script_process("p", "x = ().__class__.__base__.__subclasses__()")
    with pytest.raises(DiagramError, match="niet toegestaan"):
        parse_files({"p.bpmn": xml})


def test_script_importing_os_fails_at_run_time_and_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    process = parse_files({"p.bpmn": script_process("p", f"import os\nos.system('touch {marker}')")})["p"]
    with pytest.raises(EngineError) as caught:
        start_workflow(process, {})
    assert caught.value.reason == "het script of de voorwaarde gebruikt iets dat niet is toegestaan"
    assert caught.value.task_name == "Script"
    assert not marker.exists()


def test_script_cannot_open_files() -> None:
    process = parse_files({"p.bpmn": script_process("p", "inhoud = open('/etc/passwd').read()")})["p"]
    with pytest.raises(EngineError):
        start_workflow(process, {})


def test_script_cannot_raise_system_exit() -> None:
    process = parse_files({"p.bpmn": script_process("p", "raise SystemExit(3)")})["p"]
    with pytest.raises(EngineError):
        start_workflow(process, {})


def test_ordinary_scripts_still_work() -> None:
    script = "totaal = sum([bedrag, 500])\nregels = [f'{i}: {n}' for i, n in enumerate(['a', 'b'])]\ntotaal += 1"
    process = parse_files({"p.bpmn": script_process("p", script)})["p"]
    outcome = start_workflow(process, {"bedrag": 1000})
    assert outcome.snapshot.data["totaal"] == 1501
    assert outcome.snapshot.data["regels"] == ["0: a", "1: b"]
    assert [t.name for t in outcome.snapshot.ready_tasks] == ["Werk"]


def test_unquoted_iso_duration_in_a_timer_is_refused_with_a_hint() -> None:
    with pytest.raises(DiagramError, match='"P14D"'):
        parse_files({"p.bpmn": timer_process("p", "P14D")})


def test_quoted_timer_is_accepted_and_listed_as_pending() -> None:
    process = parse_files({"p.bpmn": timer_process("p", '"P14D"')})["p"]
    outcome = start_workflow(process, {})
    assert outcome.snapshot.status == "running"
    assert [t.name for t in outcome.snapshot.timers] == ["Wachten"]


def test_decision_table_cell_calling_import_is_refused_when_deployed() -> None:
    from service.settings import ROOT

    from .tiny import decision_process

    dmn = (ROOT / "bpmn" / "wijziging_beoordeling.dmn").read_text()
    cell = '<text>"nieuwe_activiteit" in ?</text>'
    assert cell in dmn  # the cell this test poisons must exist, or the test proves nothing
    evil = dmn.replace(cell, "<text>__import__('os').name</text>", 1)
    files = {"p.bpmn": decision_process("p", "wijziging_beoordeling"), "d.dmn": evil.encode()}
    with pytest.raises(DiagramError, match="decision rule"):
        parse_files(files)


def test_service_task_parameter_calling_import_is_refused_when_deployed() -> None:
    from .tiny import diagram

    xml = diagram(
        "p",
        """
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="svc"/>
    <bpmn:serviceTask id="svc" name="Dienst"><bpmn:extensionElements>
      <spiffworkflow:serviceTaskOperator id="rapportage.opnemen">
        <spiffworkflow:parameters>
          <spiffworkflow:parameter id="titel" type="str" value="__import__('os').name"/>
        </spiffworkflow:parameters>
      </spiffworkflow:serviceTaskOperator></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="svc" targetRef="end"/>
    <bpmn:endEvent id="end"/>""",
    )
    with pytest.raises(DiagramError, match="service parameter titel"):
        parse_files({"p.bpmn": xml})


def test_a_script_that_loops_for_ever_is_stopped_with_a_clear_reason() -> None:
    process = parse_files({"p.bpmn": script_process("p", "n = 0\nwhile True:\n    n += 1")})["p"]
    with pytest.raises(EngineError) as caught:
        start_workflow(process, {})
    assert caught.value.reason == "het script herhaalt te vaak of duurt te lang"


def test_loops_of_normal_length_still_run() -> None:
    script = "totaal = 0\nfor i in range(500):\n    totaal += i\nn = 0\nwhile 5000 > n:\n    n += 1"
    outcome = start_workflow(parse_files({"p.bpmn": script_process("p", script)})["p"], {})
    assert (outcome.snapshot.data["totaal"], outcome.snapshot.data["n"]) == (124750, 5000)
