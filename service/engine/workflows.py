"""Run workflows: start, complete a user task, fire due timers. Every call loads the stored state, sets the
sandboxed script engine (the serializer does not keep it), runs the engine and returns new state + snapshot.

These functions run inside an engine worker process (isolation.py); the rest of the service calls them through
`service.engine.calls`. Only JSON values of bounded depth may stay in the data: anything else fails the step."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import timer as timer_module
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from .diagrams import DecisionWithoutMatch, ParsedProcess
from .sandbox import ScriptRejected, ScriptTooLong, ServiceHandler, StoScriptEngine, time_budget
from .serializer import StateUnreadable, dump_state, load_state
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


OnTask = Callable[[str], None]  # told the name of each task before it runs (for reasons when a worker is stopped)
MAX_DEPTH = 20  # nesting of lists and objects in process data
MAX_STATE_BYTES = 8 * 1024 * 1024  # the stored state of one instance


def start_workflow(
    process: ParsedProcess, data: dict[str, Any], services: ServiceHandler | None = None, on_task: OnTask | None = None
) -> Outcome:
    """Create a workflow with initial data and run it until it waits for people or timers."""
    check_storable_data(data)
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=StoScriptEngine(services))
    workflow.task_tree.data.update(data)
    steps = _run_engine(workflow, on_task)
    snapshot = _snapshot(workflow, steps)
    return Outcome(_dump(workflow, snapshot), snapshot)


def complete_user_task(
    process: ParsedProcess,
    state: str,
    task_id: str,
    data: dict[str, Any],
    services: ServiceHandler | None = None,
    on_task: OnTask | None = None,
) -> Outcome:
    """Complete a ready user task with the submitted data and run the engine onward."""
    workflow = _load(process, state, services)
    timers_before = _pending_timers(workflow)
    task = _ready_user_task(workflow, task_id)
    carried_over = frozenset(str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)) - {task_id}
    check_storable_data(data)
    try:
        task.task_spec.add_data_from_form(task, data)
        task.run()
    except SpiffWorkflowException as err:
        raise _engine_error(err, task) from err
    steps = _run_engine(workflow, on_task)
    snapshot = _snapshot(workflow, steps)
    return Outcome(
        _dump(workflow, snapshot),
        snapshot,
        timers_changed=bool(timers_before or snapshot.timers),
        carried_over=carried_over,
    )


def fire_due_timers(
    process: ParsedProcess, state: str, services: ServiceHandler | None = None, on_task: OnTask | None = None
) -> Outcome:
    """Let every timer whose due time has passed fire, and run the engine onward."""
    workflow = _load(process, state, services)
    carried_over = frozenset(str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True))
    steps = _run_engine(workflow, on_task)
    snapshot = _snapshot(workflow, steps)
    return Outcome(_dump(workflow, snapshot), snapshot, carried_over=carried_over)


def read_snapshot(process: ParsedProcess, state: str) -> Snapshot:
    """Describe a stored workflow without changing it (runs no diagram code)."""
    workflow = _load(process, state, None)
    try:
        return _snapshot(workflow, [])
    except RecursionError as err:  # data nested too deep to walk
        raise StateUnreadable(repr(err)[:500]) from err


OPERATIONS = {"start": start_workflow, "complete": complete_user_task, "fire": fire_due_timers}


def run_operation(
    op: str,
    process: ParsedProcess,
    args: tuple[Any, ...],
    services: ServiceHandler | None,
    current: Any,
    seconds: float,
) -> Outcome:
    """Run one of OPERATIONS (in a worker); `current` is shared memory told the running task's name."""

    def on_task(name: str) -> None:
        current.value = name.encode("utf-8", "replace")[: len(current) - 1]

    with time_budget(seconds):
        return OPERATIONS[op](process, *args, services=services, on_task=on_task)


class _EngineClock(datetime):
    """What SpiffWorkflow's timer module sees as `datetime`: its now() is the moment engine_clock set."""

    moment: datetime | None = None

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        moment = cls.moment or datetime.now(UTC)
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


@contextlib.contextmanager
def engine_clock(now: datetime) -> Iterator[None]:
    """Make SpiffWorkflow's timers read `now` (the caller's clock) instead of this process's wall clock."""
    timer_module.datetime = _EngineClock  # type: ignore[misc]
    _EngineClock.moment = now
    try:
        yield
    finally:
        _EngineClock.moment = None


def _load(process: ParsedProcess, state: str, services: ServiceHandler | None) -> BpmnWorkflow:
    workflow = load_state(state, process.spec, process.subprocess_specs)
    workflow.script_engine = StoScriptEngine(services)
    return workflow


def _dump(workflow: BpmnWorkflow, snapshot: Snapshot) -> str:
    """The state to store, after checking that every value in it can be stored and read back."""
    for step in snapshot.steps:
        for name, value in step.changes.items():
            check_storable(name, value, step.name)
    for name, value in snapshot.data.items():
        check_storable(name, value)
    try:
        state = dump_state(workflow)
    except (TypeError, ValueError, RecursionError) as err:  # a value hidden where the checks above do not look
        raise EngineError("?", "de procesgegevens bevatten een waarde die niet bewaard kan worden", repr(err)) from err
    if len(state) > MAX_STATE_BYTES:
        raise EngineError(
            "?", f"de procesgegevens worden te groot (meer dan {MAX_STATE_BYTES // 2**20} MB)", f"{len(state)} bytes"
        )
    return state


def check_storable_data(data: dict[str, Any]) -> None:
    """Check each variable of submitted or start data (see check_storable)."""
    for name, value in data.items():
        check_storable(name, value)


def check_storable(name: str, value: Any, task_name: str = "?") -> None:
    """Only JSON values (finite numbers, strings, booleans, null, lists, objects with text keys) nested at most
    MAX_DEPTH deep may stay in the data: anything else fails the step, naming the variable."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise EngineError(task_name, f"de variabele '{name}' is te diep genest (meer dan {MAX_DEPTH} lagen)", name)
        if item is None or isinstance(item, (str, bool, int)):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise EngineError(task_name, f"de variabele '{name}' bevat geen geldig getal ({item})", name)
            continue
        if isinstance(item, (list, tuple)):
            pending.extend((child, depth + 1) for child in item)
        elif isinstance(item, dict) and all(isinstance(key, str) for key in item):
            pending.extend((child, depth + 1) for child in item.values())
        else:
            raise EngineError(
                task_name,
                f"de variabele '{name}' bevat een waarde die niet bewaard kan worden ({type(item).__name__})",
                f"{name}: {type(item).__name__}",
            )


def _ready_user_task(workflow: BpmnWorkflow, task_id: str) -> SpiffTask:
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (ValueError, SpiffWorkflowException, KeyError) as err:
        raise TaskNotReady(task_id) from err
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(task_id)
    return task


def _run_engine(workflow: BpmnWorkflow, on_task: OnTask | None = None) -> list[EngineStep]:
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

    def starting(task: SpiffTask) -> None:
        current.append(task)
        if on_task is not None:
            on_task(task.task_spec.bpmn_name or task.task_spec.name)

    try:
        workflow.refresh_timers()
        workflow.do_engine_steps(will_complete_task=starting, did_complete_task=record)
    except SpiffWorkflowException as err:
        raise _engine_error(err, current[-1] if current else None) from err
    return steps


def _engine_error(err: SpiffWorkflowException, task: SpiffTask | None) -> EngineError:
    task_name = task.task_spec.bpmn_name or task.task_spec.name if task is not None else "?"
    chain: list[BaseException] = [err]
    while (
        inner := getattr(chain[-1], "exception", None) or chain[-1].__cause__ or chain[-1].__context__
    ) is not None and len(chain) < 8:
        chain.append(inner)
    text = " | ".join(str(e) for e in chain)
    if any(isinstance(e, ScriptTooLong) for e in chain):
        reason = "het script herhaalt te vaak of duurt te lang"
    elif any(isinstance(e, MemoryError) for e in chain):
        reason = "het script gebruikte te veel geheugen"
    elif any(isinstance(e, RecursionError) for e in chain):
        reason = "het script roept zichzelf te vaak aan of de gegevens zijn te diep genest"
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
        for_starter=str(properties.get("forStarter", "")).strip().lower() == "true",
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
            due = datetime.combine(due.date(), due.time(), due.tzinfo)  # a plain datetime, not the engine clock's
            timers.append(PendingTimer(str(task.id), task.task_spec.name, task.task_spec.bpmn_name or "", due))
    return timers
