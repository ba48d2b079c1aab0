"""Run workflows: start, complete a user task, fire due timers. Every call loads the stored state, sets the
sandboxed script engine (the serializer does not keep it), runs the engine and returns new state + snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from .diagrams import DecisionWithoutMatch, ParsedProcess
from .sandbox import ScriptRejected, ScriptTooLong, ServiceHandler, StoScriptEngine
from .serializer import dump_state, load_state
from .snapshot import EngineStep, PendingTimer, ReadyTask, Snapshot


class EngineError(Exception):
    """A diagram step failed. `reason` is safe to show to users; `detail` is for the log and the audit trail."""

    def __init__(self, task_name: str, reason: str, detail: str) -> None:
        super().__init__(f"{task_name}: {reason}")
        self.task_name = task_name
        self.reason = reason
        self.detail = detail


class TaskNotReady(Exception):
    """The user task does not exist in this workflow or is no longer waiting for a person."""


@dataclass(frozen=True)
class Outcome:
    """The new stored state and what it looks like."""

    state: str
    snapshot: Snapshot
    timers_changed: bool = True  # False when no timer was waiting before or after: nothing to sync
    # User tasks that were waiting before this call and were not completed by it; when empty, the caller
    # has no existing task rows to reconcile.
    carried_over: frozenset[str] = frozenset()


def start_workflow(process: ParsedProcess, data: dict[str, Any], services: ServiceHandler | None = None) -> Outcome:
    """Create a workflow with initial data and run it until it waits for people or timers."""
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=StoScriptEngine(services))
    workflow.task_tree.data.update(data)
    steps = _run_engine(workflow)
    return Outcome(dump_state(workflow), _snapshot(workflow, steps))


def complete_user_task(
    process: ParsedProcess,
    state: str,
    task_id: str,
    data: dict[str, Any],
    services: ServiceHandler | None = None,
) -> Outcome:
    """Complete a ready user task with the submitted data and run the engine onward."""
    workflow = _load(process, state, services)
    timers_before = _pending_timers(workflow)
    task = _ready_user_task(workflow, task_id)
    carried_over = frozenset(str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)) - {task_id}
    try:
        task.task_spec.add_data_from_form(task, data)
        task.run()
    except SpiffWorkflowException as err:
        raise _engine_error(err, task) from err
    steps = _run_engine(workflow)
    snapshot = _snapshot(workflow, steps)
    return Outcome(
        dump_state(workflow),
        snapshot,
        timers_changed=bool(timers_before or snapshot.timers),
        carried_over=carried_over,
    )


def fire_due_timers(process: ParsedProcess, state: str, services: ServiceHandler | None = None) -> Outcome:
    """Let every timer whose due time has passed fire, and run the engine onward."""
    workflow = _load(process, state, services)
    carried_over = frozenset(str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True))
    steps = _run_engine(workflow)
    return Outcome(dump_state(workflow), _snapshot(workflow, steps), carried_over=carried_over)


def read_snapshot(process: ParsedProcess, state: str) -> Snapshot:
    """Describe a stored workflow without changing it."""
    return _snapshot(_load(process, state, None), [])


def _load(process: ParsedProcess, state: str, services: ServiceHandler | None) -> BpmnWorkflow:
    workflow = load_state(state, process.spec, process.subprocess_specs)
    workflow.script_engine = StoScriptEngine(services)
    return workflow


def _ready_user_task(workflow: BpmnWorkflow, task_id: str) -> SpiffTask:
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, SpiffWorkflowException, KeyError) as err:
        raise TaskNotReady(task_id) from err
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(task_id)
    return task


def _run_engine(workflow: BpmnWorkflow) -> list[EngineStep]:
    steps: list[EngineStep] = []

    def record(task: SpiffTask) -> None:
        if getattr(task.task_spec, "bpmn_id", None):
            steps.append(
                EngineStep(
                    task_id=str(task.id),
                    spec_name=task.task_spec.name,
                    name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
                    kind=_kind(task.task_spec),
                    changes=_changes(task),
                )
            )

    current: list[SpiffTask] = []
    try:
        workflow.refresh_timers()
        workflow.do_engine_steps(will_complete_task=current.append, did_complete_task=record)
    except SpiffWorkflowException as err:
        raise _engine_error(err, current[-1] if current else None) from err
    return steps


def _engine_error(err: SpiffWorkflowException, task: SpiffTask | None) -> EngineError:
    task_name = task.task_spec.bpmn_name or task.task_spec.name if task is not None else "?"
    chain: list[BaseException] = [err]
    while (inner := getattr(chain[-1], "exception", None) or chain[-1].__cause__) is not None and len(chain) < 8:
        chain.append(inner)
    text = " | ".join(str(e) for e in chain)
    if any(isinstance(e, ScriptTooLong) for e in chain):
        reason = "het script herhaalt te vaak of duurt te lang"
    elif any(isinstance(e, ScriptRejected) for e in chain) or "__import__" in text:
        # `import x` compiles under RestrictedPython but finds no __import__ when it runs.
        reason = "het script of de voorwaarde gebruikt iets dat niet is toegestaan"
    elif any(isinstance(e, DecisionWithoutMatch) for e in chain):
        reason = "de beslistabel heeft geen regel voor deze gegevens"
    else:
        reason = "een stap in het procesmodel gaf een fout"
    return EngineError(task_name, reason, text)


def _kind(spec: object) -> str:
    if isinstance(spec, BusinessRuleTaskMixin):
        return "Business Rule Task"  # the library labels it "BPMN Task"
    return getattr(spec, "description", None) or type(spec).__name__


def _changes(task: SpiffTask) -> dict[str, Any]:
    """The data a step added or changed (a decision's outcome, a script's result)."""
    before = task.parent.data if task.parent is not None else {}
    return {k: v for k, v in _public(task.data).items() if k not in before or before[k] != v}


def _public(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not k.startswith(("spiff__", "_"))}


def _snapshot(workflow: BpmnWorkflow, steps: list[EngineStep]) -> Snapshot:
    ready = tuple(_ready_task(t) for t in workflow.get_tasks(state=TaskState.READY, manual=True))
    completed = workflow.is_completed()
    if completed:
        data = workflow.data
    elif workflow.last_task is not None:
        data = workflow.last_task.data
    else:
        data = workflow.task_tree.data
    return Snapshot(
        status="completed" if completed else "running",
        ready_tasks=ready,
        timers=tuple(_pending_timers(workflow)),
        data=_public(data),
        steps=tuple(steps),
    )


def _ready_task(task: SpiffTask) -> ReadyTask:
    spec = task.task_spec
    extensions = spec.extensions or {}
    properties = extensions.get("properties", {})
    due_in = properties.get("dueIn")
    return ReadyTask(
        task_id=str(task.id),
        spec_name=spec.name,
        name=spec.bpmn_name or spec.name,
        lane=spec.lane,
        form=properties.get("formJsonSchemaFilename"),
        ui_form=properties.get("formUiSchemaFilename"),
        instructions=extensions.get("instructionsForEndUser"),
        due_in=_duration(due_in) if due_in else None,
        data=_public(task.data),
        due_at=_moment(task.data.get(properties["dueAt"])) if properties.get("dueAt") else None,
        reminders=tuple(_duration(p.strip()) for p in properties.get("reminders", "").split(",") if p.strip()),
        escalate_to=properties.get("escalateTo") or None,
    )


def _moment(value: Any) -> datetime | None:
    """An ISO date-time from process data as aware UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.astimezone()).astimezone(UTC)


def _duration(expression: str) -> timedelta:
    parsed = TimerEventDefinition.parse_iso_duration(expression)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return TimerEventDefinition.get_timedelta_from_start(parsed, start)


def _pending_timers(workflow: BpmnWorkflow) -> list[PendingTimer]:
    timers = []
    for task in workflow.event_manager.tasks.values():
        definition = task.task_spec.event_definition
        nested = getattr(definition, "event_definitions", [])
        if not (
            isinstance(definition, TimerEventDefinition) or any(isinstance(d, TimerEventDefinition) for d in nested)
        ):
            continue
        value = task.internal_data.get("event_value")
        due = None
        if isinstance(value, str):
            due = TimerEventDefinition.parse_time_or_duration(value)
        elif isinstance(value, dict) and value.get("cycles") != 0:
            due = datetime.fromisoformat(value["next"])
        if due is not None:
            if due.tzinfo is None:
                due = due.astimezone(UTC)  # a naive timeDate is server-local time
            timers.append(PendingTimer(str(task.id), task.task_spec.name, task.task_spec.bpmn_name or "", due))
    return timers
