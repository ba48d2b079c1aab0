"""Every shipped diagram parses, passes the sandbox checks, imports cleanly in bpmn-js, passes bpmnlint's recommended
rules, and every form it names exists and is valid."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from service.engine import parse_files
from service.lint import DEFAULT_NODE_MODULES, lint_bpmn
from service.settings import ROOT

BPMN_DIR = ROOT / "bpmn"
FORMS_DIR = ROOT / "forms"
ROLES = {"projectleider", "penvoerder", "stuurgroep", "coordinator"}


def _processes():
    files = {p.name: p.read_bytes() for p in BPMN_DIR.iterdir() if p.suffix in (".bpmn", ".dmn")}
    return parse_files(files)


def test_every_bpmn_file_holds_its_process_named_after_the_file() -> None:
    processes = _processes()
    for path in BPMN_DIR.glob("*.bpmn"):
        assert path.stem in processes, f"{path.name} must hold an executable process with id {path.stem}"


@pytest.mark.parametrize("process_id", sorted(_processes()))
def test_every_user_task_names_a_valid_form_and_a_known_lane(process_id: str) -> None:
    process = _processes()[process_id]
    assert process.user_tasks
    assert set(process.start_roles) <= ROLES, process.start_roles
    for task in process.user_tasks:
        assert task.lane in ROLES, task
        assert task.form, f"{task.name} names no form"
        schema = json.loads((FORMS_DIR / task.form).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object" and schema["properties"], task.form


def test_every_ui_schema_names_only_fields_of_its_form() -> None:
    for process in _processes().values():
        for task in process.user_tasks:
            if task.ui_form:
                ui = json.loads((FORMS_DIR / task.ui_form).read_text(encoding="utf-8"))
                fields = set(json.loads((FORMS_DIR / task.form).read_text(encoding="utf-8"))["properties"])
                assert set(ui.get("ui:order", [])) <= fields, task.ui_form
                assert {k for k in ui if not k.startswith("ui:")} <= fields, task.ui_form


def test_every_form_file_is_used_by_a_diagram() -> None:
    used = {f for p in _processes().values() for t in p.user_tasks for f in (t.form, t.ui_form) if f}
    assert {p.name for p in FORMS_DIR.glob("*.json")} <= used


def test_every_diagram_imports_cleanly_and_passes_bpmnlint() -> None:
    """bpmn-js reads each diagram (bpmn-moddle) without warnings, draws every flow element, and bpmnlint's
    recommended rules find no error (warnings, such as fake-join on a task a loop returns to, are allowed)."""
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted(BPMN_DIR.glob("*.bpmn"))}
    assert files
    problems = lint_bpmn(files, node_modules=DEFAULT_NODE_MODULES)
    assert {p.file for p in problems} <= set(files)
    assert [p for p in problems if p.category == "error" or p.rule in ("xml", "import", "bpmndi")] == []
