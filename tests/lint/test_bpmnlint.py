"""lint_bpmn under node: what a broken diagram reports (rule, element, category), and LintUnavailable when the
checks cannot run at all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.lint import DEFAULT_NODE_MODULES, LintProblem, LintUnavailable, lint_bpmn

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="defs" targetNamespace="https://example.org/bpmn">
  <bpmn:process id="tiny" isExecutable="true">
"""

# start -> a -> gw, which splits to b or end; b loops back into gw, so gw joins and forks at once.
JOIN_FORK = """
    <bpmn:startEvent id="start" name="Begin"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="a" name="A"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>
    <bpmn:exclusiveGateway id="gw_split_join" name="Nog eens?" default="f4">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:task id="b" name="B"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:task>
    <bpmn:endEvent id="end" name="Klaar"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="a"/>
    <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="gw_split_join"/>
    <bpmn:sequenceFlow id="f3" name="ja" sourceRef="gw_split_join" targetRef="b">
      <bpmn:conditionExpression>again</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" name="nee" sourceRef="gw_split_join" targetRef="end"/>
    <bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="gw_split_join"/>
"""
SHAPES = {
    "start": (0, 0, 36, 36),
    "a": (100, 0, 100, 80),
    "gw_split_join": (260, 0, 50, 50),
    "b": (360, 100, 100, 80),
    "end": (400, 0, 36, 36),
}
EDGES = ("f1", "f2", "f3", "f4", "f5")


def _diagram(flow: str, shapes: dict[str, tuple[int, int, int, int]], edges: tuple[str, ...] = EDGES) -> str:
    di = "".join(
        f'<bpmndi:BPMNShape id="{e}_di" bpmnElement="{e}"><dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/>'
        "</bpmndi:BPMNShape>"
        for e, (x, y, w, h) in shapes.items()
    ) + "".join(
        f'<bpmndi:BPMNEdge id="{e}_di" bpmnElement="{e}"><di:waypoint x="{i}" y="500"/><di:waypoint x="{i}" y="600"/>'
        "</bpmndi:BPMNEdge>"
        for i, e in enumerate(edges)
    )
    return (
        f'{HEAD}{flow}  </bpmn:process>\n  <bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="tiny">'
        f"{di}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n"
    )


def _lint(files: dict[str, str], timeout: float = 30) -> list[LintProblem]:
    return lint_bpmn(files, node_modules=DEFAULT_NODE_MODULES, timeout=timeout)


def test_a_gateway_that_forks_and_joins_is_an_error_naming_the_rule_and_the_gateway() -> None:
    problems = _lint({"lus.bpmn": _diagram(JOIN_FORK, SHAPES)})
    errors = [p for p in problems if p.category == "error"]
    assert errors == [
        LintProblem(
            "lus.bpmn",
            "gw_split_join",
            "no-gateway-join-fork",
            "Splitsing splitst én voegt samen: gebruik twee splitsingen",
            "error",
        )
    ]


def test_a_separate_joining_gateway_clears_the_error_and_leaves_no_problem() -> None:
    # The same loop with a separate joining gateway in front of the split: the error is gone.
    fixed = (
        JOIN_FORK.replace(
            'targetRef="gw_split_join"/>\n    <bpmn:sequenceFlow id="f3"',
            'targetRef="join"/>\n    <bpmn:sequenceFlow id="f3"',
        )
        .replace(
            '<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="gw_split_join"/>',
            '<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="join"/>'
            '<bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="gw_split_join"/>'
            '<bpmn:exclusiveGateway id="join"><bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>'
            "<bpmn:outgoing>f6</bpmn:outgoing></bpmn:exclusiveGateway>",
        )
        .replace(
            "<bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming>\n      <bpmn:outgoing>f3",
            "<bpmn:incoming>f6</bpmn:incoming>\n      <bpmn:outgoing>f3",
        )
    )
    shapes = {**SHAPES, "join": (220, 200, 50, 50)}
    assert _lint({"lus.bpmn": _diagram(fixed, shapes, (*EDGES, "f6"))}) == []


def test_xml_that_does_not_parse_is_reported_with_its_line() -> None:
    broken = _diagram(JOIN_FORK, SHAPES).replace("</bpmn:task>", "</bpmn:taak>", 1)
    problems = _lint({"kapot.bpmn": broken})
    assert [(p.file, p.element, p.rule, p.category) for p in problems] == [("kapot.bpmn", None, "xml", "error")]
    line = next(n for n, text in enumerate(broken.splitlines(), start=1) if "</bpmn:taak>" in text)
    message = problems[0].message
    assert "closing tag mismatch" in message and f"(line {line}," in message, message


def test_a_flow_element_without_a_shape_is_a_bpmndi_problem() -> None:
    shapes = {k: v for k, v in SHAPES.items() if k != "b"}
    problems = _lint({"zonder_vorm.bpmn": _diagram(JOIN_FORK, shapes)})
    assert [(p.element, p.category) for p in problems if p.rule == "bpmndi"] == [("b", "error")]
    assert "no shape" in next(p.message for p in problems if p.rule == "bpmndi")


def test_import_warnings_are_errors_with_the_element() -> None:
    dangling = _diagram(JOIN_FORK, SHAPES).replace(
        'sourceRef="b" targetRef="gw_split_join"', 'sourceRef="bb" targetRef="gw_split_join"'
    )
    problems = _lint({"los.bpmn": dangling})
    assert ("f5", "import", "error") in [(p.element, p.rule, p.category) for p in problems]
    assert any("unresolved reference <bb>" in p.message for p in problems if p.rule == "import")


def test_files_are_checked_apart_and_only_bpmn_files_are_checked() -> None:
    # The same flows in two files are no duplicates; a .dmn or .json in the upload is left alone.
    clean = _lint({"lus.bpmn": _diagram(JOIN_FORK, SHAPES)})
    both = _lint(
        {
            "lus.bpmn": _diagram(JOIN_FORK, SHAPES),
            "ook.bpmn": _diagram(JOIN_FORK, SHAPES),
            "tabel.dmn": "<niet-bpmn/>",
            "form.json": "{",
        }
    )
    assert {p.file for p in both} == {"lus.bpmn", "ook.bpmn"}
    assert sorted((p.rule, p.element) for p in both if p.file == "ook.bpmn") == sorted(
        (p.rule, p.element) for p in clean
    )
    assert _lint({"form.json": "{"}) == []


def test_the_checks_work_from_another_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert [p.rule for p in _lint({"lus.bpmn": _diagram(JOIN_FORK, SHAPES)}) if p.category == "error"] == [
        "no-gateway-join-fork"
    ]


def test_a_wrong_node_modules_path_makes_the_checks_unavailable(tmp_path: Path) -> None:
    with pytest.raises(LintUnavailable, match="does not exist"):
        lint_bpmn({"a.bpmn": "<x/>"}, node_modules=tmp_path / "nergens")
    with pytest.raises(LintUnavailable, match="bpmnlint missing"):
        lint_bpmn({"a.bpmn": "<x/>"}, node_modules=tmp_path)  # exists, but holds no packages


def test_without_node_the_checks_are_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(LintUnavailable, match="node is not installed"):
        _lint({"a.bpmn": "<x/>"})


def test_a_check_that_takes_too_long_is_unavailable() -> None:
    with pytest.raises(LintUnavailable, match="did not finish"):
        _lint({"lus.bpmn": _diagram(JOIN_FORK, SHAPES)}, timeout=0.001)
