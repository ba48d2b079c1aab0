"""Parse a set of BPMN and DMN files into executable specs, and check them before they are deployed.

A deployment is refused when a file does not parse, when a script, condition or timer expression breaks the
sandbox rules, or when a timer holds an unquoted ISO duration (SpiffWorkflow evaluates timers as Python).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.dmn.specs.model import HitPolicy
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import UserTask

from .sandbox import ScriptRejected, compile_expression, compile_script


@dataclass(frozen=True)
class DiagramProblem:
    """One reason a diagram cannot run: the file and element (BPMN id) it is about, and why (Dutch)."""

    file: str | None
    element: str | None
    message: str


class DiagramError(Exception):
    """A diagram cannot be deployed; each problem says which file and element, and why."""

    def __init__(self, message: str, problems: list[DiagramProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [DiagramProblem(None, None, message)]

    @classmethod
    def of(cls, problems: list[DiagramProblem]) -> DiagramError:
        return cls("; ".join(p.message for p in problems), problems)


class DecisionWithoutMatch(SpiffWorkflowException):
    """A decision table matched no rule for the data it was given (passed up unwrapped by the engine)."""


class StrictDMNEngine(DMNEngine):
    """SpiffWorkflow leaves the outputs silently missing when no rule matches; we fail instead."""

    def result(self, task: Any) -> dict:
        outcome = super().result(task)
        if self.decision_table.hit_policy != HitPolicy.COLLECT.value and not outcome:
            inputs = ", ".join(f"{i.label or i.expression}" for i in self.decision_table.inputs)
            raise DecisionWithoutMatch(
                f"decision table '{self.decision_table.name or self.decision_table.id}' has no rule for "
                f"these inputs ({inputs})"
            )
        return outcome


@dataclass(frozen=True)
class UserTaskInfo:
    """What the domain needs to know about a user task of a diagram."""

    spec_name: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None


@dataclass
class ParsedProcess:
    """One executable process of a deployment: its spec, sub-process specs and user tasks."""

    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    user_tasks: list[UserTaskInfo] = field(default_factory=list)
    start_lane: str | None = None
    # Who may start it: the start event's `startRoles` property (comma-separated), else the lane it sits in.
    start_roles: tuple[str, ...] = ()
    starts_on_timer: bool = False  # a timer start event: the scheduler creates the waiting instances
    # What people call the variables its decision tables set (output name -> label), for readable records.
    decision_labels: dict[str, str] = field(default_factory=dict)
    # The deployment it came from, so an engine worker can parse the same files (key: their content hash).
    key: str = ""
    files: dict[str, bytes] = field(default_factory=dict, repr=False)


_ISO_DURATION = re.compile(r"^R?\d*/?P(?:\d|T\d)", re.IGNORECASE)
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _is_bpmn(filename: str) -> bool:
    return filename.lower().endswith(".bpmn")


def parse_files(files: dict[str, bytes]) -> dict[str, ParsedProcess]:
    """Parse BPMN and DMN files (name -> content) into their executable processes, keyed by process id."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    names: dict[str, str] = {}
    sources: dict[str, str] = {}  # process id -> the file it is in
    try:
        for filename, content in sorted(files.items()):
            if _is_bpmn(filename):
                parser.add_bpmn_str(content, filename=filename)
                names.update(_process_names(content))
            elif filename.lower().endswith(".dmn"):
                parser.add_dmn_str(content, filename=filename)
        key = _content_key(files)
        executable = [pid for pid in parser.get_process_ids() if parser.get_process_parser(pid).process_executable]
        processes = {}
        for pid in executable:
            sources[pid] = parser.get_process_parser(pid).filename
            spec = parser.get_spec(pid)
            subprocess_specs = parser.get_subprocess_specs(pid)
            processes[pid] = ParsedProcess(
                pid, names.get(pid) or pid, spec, subprocess_specs, key=key, files=dict(files)
            )
    except ValidationException as err:
        problem = DiagramProblem(err.file_name or None, err.id or None, _describe_validation(err))
        raise DiagramError.of([problem]) from err
    except etree.XMLSyntaxError as err:
        raise DiagramError.of([DiagramProblem(err.filename, None, f"XML klopt niet: {err}")]) from err
    except SpiffWorkflowException as err:
        raise DiagramError(str(err)) from err
    problems: list[DiagramProblem] = []
    for process in processes.values():
        for spec in _all_specs(process):
            problems.extend(_check_task_spec(process.process_id, sources.get(process.process_id), spec))
            if isinstance(spec, UserTask):
                process.user_tasks.append(_user_task_info(spec))
            if isinstance(spec, BusinessRuleTaskMixin):
                for output in spec.dmnEngine.decision_table.outputs:
                    if output.name and output.label:
                        process.decision_labels.setdefault(output.name, output.label)
        starts = [s for s in process.spec.task_specs.values() if isinstance(s, StartEvent)]
        process.start_lane = next((s.lane for s in starts if s.lane), None)
        process.start_roles = _start_roles(starts, process.start_lane)
        process.starts_on_timer = any(isinstance(s.event_definition, TimerEventDefinition) for s in starts)
    if problems:
        raise DiagramError.of(problems)
    return processes


def _start_roles(starts: list[Any], lane: str | None) -> tuple[str, ...]:
    for start in starts:
        named = ((start.extensions or {}).get("properties") or {}).get("startRoles", "")
        roles = tuple(dict.fromkeys(r.strip() for r in named.split(",") if r.strip()))
        if roles:
            return roles
    return (lane,) if lane else ()


def _content_key(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name, content in sorted(files.items()):
        digest.update(name.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


class SpecCache:
    """Parsed processes per deployed definition version (key: its content hash). Specs never change after
    deployment, so each version is parsed once per process; the files are only read on a miss."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: OrderedDict[str, dict[str, ParsedProcess]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, files: Callable[[], dict[str, bytes]]) -> dict[str, ParsedProcess]:
        """The processes of a version, parsing `files()` the first time."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        parsed = parse_files(files())  # outside the lock: a rare double parse beats blocking every request
        with self._lock:
            self._entries[key] = parsed
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return parsed

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


spec_cache = SpecCache()


def _process_names(content: bytes) -> dict[str, str]:
    root = etree.fromstring(content)
    return {p.get("id"): p.get("name") or p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process")}


def _describe_validation(err: ValidationException) -> str:
    where = " ".join(x for x in [err.file_name, f"regel {err.line_number}" if err.line_number else "", err.id] if x)
    return f"{err} ({where})" if where else str(err)


def _all_specs(process: ParsedProcess) -> list[Any]:
    specs = list(process.spec.task_specs.values())
    for sub in process.subprocess_specs.values():
        specs.extend(sub.task_specs.values())
    return specs


def _user_task_info(spec: Any) -> UserTaskInfo:
    properties = (spec.extensions or {}).get("properties", {})
    return UserTaskInfo(
        spec_name=spec.name,
        name=spec.bpmn_name or spec.name,
        lane=spec.lane,
        form=properties.get("formJsonSchemaFilename"),
        ui_form=properties.get("formUiSchemaFilename"),
    )


def _check_task_spec(process_id: str, filename: str | None, spec: Any) -> list[DiagramProblem]:
    label = f"{process_id}/{getattr(spec, 'bpmn_name', None) or spec.name}"
    if isinstance(spec, BusinessRuleTaskMixin):
        spec.dmnEngine.__class__ = StrictDMNEngine
    problems = []
    try:
        for what, source, is_expression in _code_of(label, spec):
            try:
                compile(source, "<diagram>", "eval" if is_expression else "exec")  # plain syntax errors first
                (compile_expression if is_expression else compile_script)(source)
            except ScriptRejected as err:
                problems.append(DiagramProblem(filename, spec.name, f"{label}: {what} is niet toegestaan: {err}"))
            except SyntaxError as err:
                hint = " (scripts en voorwaarden zijn Python, geen FEEL of JUEL)" if _foreign(source) else ""
                message = f"{label}: {what} bevat een fout: {err.msg}{hint}"
                problems.append(DiagramProblem(filename, spec.name, message))
    except DiagramError as err:  # an unquoted timer expression
        problems.extend(DiagramProblem(filename, spec.name, p.message) for p in err.problems)
    return problems


def _foreign(source: str) -> bool:
    """Whether code looks written for another engine: JUEL (${...}) or FEEL (=...)."""
    text = source.strip()
    return text.startswith(("${", "#{", "=")) and not text.startswith("==")


def _code_of(label: str, spec: Any) -> Iterator[tuple[str, str, bool]]:
    """Every piece of Python a task spec will run: (what, source, is it an expression)."""
    if isinstance(spec, ScriptTask):
        yield "script", spec.script or "", False
    for attr in ("prescript", "postscript"):
        if getattr(spec, attr, None):
            yield attr, getattr(spec, attr), False
    for condition, _target in getattr(spec, "cond_task_specs", []) or []:
        if condition is not None:
            yield "condition", condition.args[0], True
    for attr in ("condition", "cardinality"):  # loops and multi-instance tasks
        if isinstance(getattr(spec, attr, None), str):
            yield f"loop {attr}", getattr(spec, attr), True
    for name, param in (getattr(spec, "operation_params", None) or {}).items():
        yield f"service parameter {name}", param.get("value") or "None", True
    yield from _timer_code(label, spec)
    if isinstance(spec, BusinessRuleTaskMixin):
        yield from _decision_code(spec.dmnEngine.decision_table)


def _timer_code(label: str, spec: Any) -> Iterator[tuple[str, str, bool]]:
    event_definition = getattr(spec, "event_definition", None)
    for timer in [event_definition, *getattr(event_definition, "event_definitions", [])]:
        if isinstance(timer, TimerEventDefinition):
            expression = (timer.expression or "").strip()
            if _ISO_DURATION.match(expression):
                raise DiagramError(
                    f"{label}: de timer-expressie {expression} moet tussen aanhalingstekens staan "
                    f'("{expression}"): timers zijn Python-expressies'
                )
            yield "timer", expression, True


def _decision_code(table: Any) -> Iterator[tuple[str, str, bool]]:
    for column in table.inputs:
        yield f"decision input {column.label or column.id}", column.expression, True
    for rule in table.rules:
        for entry in rule.inputEntries:
            for cell in entry.lhs:
                if cell is not None:
                    # The DMN engine turns a cell into `(input) == (cell)`, `input <cell>` or, with `?`, an
                    # expression on a placeholder; checking the cell on a placeholder name covers all three.
                    text = cell.replace("?", "dmninput")
                    yield f"decision rule {rule.row_number}", text if _parses(text) else f"dmninput {text}", True
        for entry in rule.outputEntries:
            if entry.text:
                yield f"decision rule {rule.row_number}", entry.text, True


def _parses(expression: str) -> bool:
    try:
        compile(expression, "<cell>", "eval")
    except SyntaxError:
        return False
    return True
