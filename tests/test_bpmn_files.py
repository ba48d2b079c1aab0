"""Every shipped diagram parses, passes the sandbox checks, and every form it names exists and is valid."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from service.engine import parse_files
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


def test_every_diagram_imports_cleanly_in_the_browser_modeler() -> None:
    """bpmn-js reads diagrams with bpmn-moddle: no warnings, and every flow element has a shape to draw."""
    node, modules = shutil.which("node"), ROOT / "node_modules"
    if node is None or not (modules / "bpmn-moddle").is_dir():
        pytest.fail("node and node_modules/bpmn-moddle are needed: run `make install`")
    files = sorted(str(p) for p in BPMN_DIR.glob("*.bpmn"))
    script = ROOT / "tests" / "bpmn_import_check.mjs"
    result = subprocess.run([node, str(script), str(modules), *files], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {Path(f).name for f in files}
    assert {name: r for name, r in report.items() if r["warnings"] or r["undrawn"]} == {}
