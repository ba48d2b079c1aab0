"""Try a draft: replay a process that is not deployed from its start, with sample data and the answers a process
owner chose, in an engine worker under the limits of real instances. Service tasks are recorded, not run; the
result says which elements and sequence flows the tokens took, so the diagram can show the path."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins import (
    EventBasedGatewayMixin,
    ExclusiveGatewayMixin,
    InclusiveGatewayMixin,
    ManualTaskMixin,
    ParallelGatewayMixin,
    ScriptTaskMixin,
    ServiceTaskMixin,
    SubWorkflowTaskMixin,
    UserTaskMixin,
)
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent
from SpiffWorkflow.dmn.specs.business_rule_task_mixin import BusinessRuleTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from . import workflows
from .diagrams import BPMN_NS, ParsedProcess
from .sandbox import StoScriptEngine, time_budget
from .serializer import load_state
from .workflows import EngineError, check_storable, engine_clock


@dataclass(frozen=True)
class TrialServiceCall:
    """What a service task would have asked for, and the result the process owner said it returns."""

    operation: str
    parameters: dict[str, Any] = field(hash=False, compare=False)
    result: Any = field(default=None, hash=False, compare=False)


@dataclass(frozen=True)
class TrialStep:
    """One element the trial completed. `kind` is Dutch: taak, script, beslissing, service, gebeurtenis,
    gateway, deelproces or stap."""

    element_id: str
    name: str
    kind: str
    lane: str | None
    changes: dict[str, Any] = field(hash=False, compare=False)  # the data it added or changed
    service_call: TrialServiceCall | None = None


@dataclass(frozen=True)
class TrialWaiting:
    """Where the trial stopped: a user task to answer ({"task": element_id, "data": ...}) or a timer to let
    fire ({"timer": element_id}). `kind` is "taak" or "timer"."""

    kind: str
    element_id: str
    name: str
    lane: str | None = None
    form: str | None = None
    ui_form: str | None = None
    due: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)  # to prefill the form


@dataclass(frozen=True)
class TrialRun:
    """The outcome of a trial. `path` holds, in order, the ids of the flow nodes completed and of every sequence
    flow a token took (also the one into a task that waits now). `error` is Dutch and names the element;
    `error_element` is its id when known; `answers_used` counts the answers applied before the trial stopped."""

    path: tuple[str, ...]
    steps: tuple[TrialStep, ...]
    waiting: tuple[TrialWaiting, ...]
    finished: bool
    data: dict[str, Any] = field(hash=False, compare=False)
    error: str | None = None
    error_element: str | None = None
    answers_used: int = 0


class _Stop(Exception):
    """The trial cannot go on; the message is Dutch."""

    def __init__(self, message: str, element: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.element = element


class _TrialScriptEngine(StoScriptEngine):
    """Sandboxed scripts as in real instances; a service task only records its call and returns the given result."""

    def __init__(self, results: dict[str, Any], calls: dict[str, TrialServiceCall]) -> None:
        super().__init__(None)
        self.results = results
        self.calls = calls

    def call_service(self, task: Any, **kwargs: Any) -> str:
        params = {name: p["value"] for name, p in (kwargs.get("operation_params") or {}).items()}
        result = self.results.get(task.task_spec.bpmn_id)
        self.calls[str(task.id)] = TrialServiceCall(kwargs["operation_name"], _json_safe(params), result)
        return json.dumps(result)


# A task in one of these states was reached by a token (CANCELLED: a join that merged it, or a task interrupted).
_REACHED = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.COMPLETED | TaskState.ERROR
_REACHED |= TaskState.CANCELLED
TIMER_MARGIN = timedelta(seconds=1)  # a timer fires once the clock is past its due time


def replay_trial(
    process: ParsedProcess,
    start_data: dict[str, Any],
    answers: list[dict[str, Any]],
    service_results: dict[str, Any],
    now: datetime,
    *,
    current: Any,
    seconds: float,
    next_step: Callable[[], None],
) -> TrialRun:
    """Run a trial (in a worker). `current` is told the id of each element before it runs; `next_step` is called
    before each answer, so that every step gets the time a real engine call gets."""

    def on_task(element_id: str) -> None:
        current.value = element_id.encode("utf-8", "replace")[: len(current) - 1]

    replay = _Replay(process, service_results, now, on_task)
    with time_budget(seconds):
        replay.run(start_data, answers, next_step)
    return replay.result()


def stopped_trial(process: ParsedProcess, err: EngineError) -> TrialRun:
    """The outcome of a trial whose worker was stopped (time or memory): only the element it was in is known."""
    spec = _find_spec(process, err.task_name)
    name = (spec.bpmn_name or spec.name) if spec is not None else err.task_name
    where = f"Bij '{name}': " if name != "?" else ""
    error = f"{where}{err.reason}."
    return TrialRun((), (), (), False, {}, error[0].upper() + error[1:], spec.name if spec is not None else None)


class _Replay:
    """One trial in progress: the workflow, what completed in which order, and the service calls made."""

    def __init__(self, process: ParsedProcess, results: dict[str, Any], now: datetime, on_task: Callable) -> None:
        self.process = process
        self.calls: dict[str, TrialServiceCall] = {}
        self.script_engine = _TrialScriptEngine(results, self.calls)
        self.clock = now
        self.on_task = on_task
        self.workflow: BpmnWorkflow | None = None
        self.stored: str | None = None  # the state after the last step that went through, as an instance keeps it
        self.completed: list[tuple[str, TrialStep]] = []  # (engine task id, step), in the order they completed
        self.checked = 0  # how many of them passed the checks on stored data
        self.error: _Stop | None = None
        self.answers_used = 0

    def run(self, start_data: dict[str, Any], answers: list[dict[str, Any]], next_step: Callable[[], None]) -> None:
        try:
            self._start(start_data)
            for number, answer in enumerate(answers, 1):
                next_step()
                self._answer(number, answer)
                self.answers_used = number
        except _Stop as stop:
            self.error = stop

    def _start(self, data: dict[str, Any]) -> None:
        # The data was checked before it was sent (calls.run_trial), as start_workflow's is.
        self.workflow = BpmnWorkflow(self.process.spec, self.process.subprocess_specs, script_engine=self.script_engine)
        self.workflow.task_tree.data.update(data)
        with engine_clock(self.clock):
            self._run_engine()
        self._round_trip()

    def _answer(self, number: int, answer: Any) -> None:
        if isinstance(answer, dict) and isinstance(answer.get("timer"), str):
            self.clock = max(self.clock, self._due(number, answer["timer"]))
            with engine_clock(self.clock):
                self._run_engine()
        elif isinstance(answer, dict) and isinstance(answer.get("task"), str):
            with engine_clock(self.clock):
                self._complete(number, answer["task"], answer.get("data") or {})
                self._run_engine()
        else:
            raise _Stop(f"Antwoord {number} noemt geen taak en geen timer.")
        self._round_trip()

    def _complete(self, number: int, element_id: str, data: Any) -> None:
        assert self.workflow is not None
        ready = [
            t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.name == element_id
        ]
        if not ready:
            message = f"Antwoord {number}: {self._describe(element_id, 'taak')} wacht nu niet. {self._now_waiting()}"
            raise _Stop(message, element_id if _find_spec(self.process, element_id) else None)
        if not isinstance(data, dict):
            raise _Stop(f"Antwoord {number}: de gegevens voor '{element_id}' moeten een object zijn.", element_id)
        task = ready[0]
        self.on_task(element_id)
        try:
            task.task_spec.add_data_from_form(task, data)
            task.run()  # runs its postScript
        except SpiffWorkflowException as err:
            raise self._failed(workflows._engine_error(err, task), task) from err
        self._record(task)

    def _due(self, number: int, element_id: str) -> datetime:
        assert self.workflow is not None
        dues = [t.due_at for t in workflows._pending_timers(self.workflow) if t.spec_name == element_id]
        if not dues:
            message = f"Antwoord {number}: {self._describe(element_id, 'timer')} wacht nu niet. {self._now_waiting()}"
            raise _Stop(message, element_id if _find_spec(self.process, element_id) else None)
        return min(dues) + TIMER_MARGIN

    def _run_engine(self) -> None:
        assert self.workflow is not None
        running: list[SpiffTask] = []

        def starting(task: SpiffTask) -> None:
            running.append(task)
            self.on_task(task.task_spec.name)

        try:
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps(will_complete_task=starting, did_complete_task=self._record)
        except SpiffWorkflowException as err:
            task = getattr(err, "task", None) or (running[-1] if running else None)
            raise self._failed(workflows._engine_error(err, task), task) from err

    def _record(self, task: SpiffTask) -> None:
        spec = task.task_spec
        if not getattr(spec, "bpmn_id", None):
            return  # the engine's own bookkeeping tasks (joins of boundary events, process ends)
        step = TrialStep(
            element_id=spec.bpmn_id,
            name=spec.bpmn_name or spec.bpmn_id,
            kind=_kind(spec),
            lane=spec.lane,
            changes=workflows._changes(task),
            service_call=self.calls.get(str(task.id)),
        )
        self.completed.append((str(task.id), step))

    def _round_trip(self) -> None:
        """Store and load the state as a real instance does after every call: the same checks on what the data
        may hold, and the same values afterwards (a tuple comes back as a list)."""
        assert self.workflow is not None
        for _task_id, step in self.completed[self.checked :]:
            for name, value in step.changes.items():
                try:
                    check_storable(name, value, step.name)
                except EngineError as err:
                    raise self._stopped(err, step.element_id) from err
        try:
            self.stored = workflows._dump(self.workflow, workflows._snapshot(self.workflow, []))
        except EngineError as err:
            raise self._stopped(err, None) from err
        self.checked = len(self.completed)
        self.workflow = self._stored_workflow()

    def _stored_workflow(self) -> BpmnWorkflow | None:
        if self.stored is None:
            return None
        workflow = load_state(self.stored, self.process.spec, self.process.subprocess_specs)
        workflow.script_engine = self.script_engine
        return workflow

    def _failed(self, err: EngineError, task: SpiffTask | None) -> _Stop:
        return self._stopped(err, getattr(task.task_spec, "bpmn_id", None) if task is not None else None)

    @staticmethod
    def _stopped(err: EngineError, element_id: str | None) -> _Stop:
        where = f"Bij '{err.task_name}': " if err.task_name != "?" else ""
        error = f"{where}{err.reason}."
        return _Stop(error[0].upper() + error[1:], element_id)

    def _describe(self, element_id: str, kind: str) -> str:
        spec = _find_spec(self.process, element_id)
        if spec is None:
            return f"de {kind} '{element_id}' bestaat niet in dit proces en"
        return f"de {kind} '{spec.bpmn_name or element_id}' ({element_id})"

    def _now_waiting(self) -> str:
        assert self.workflow is not None
        waiting = self._waiting(self.workflow)
        if not waiting:
            return "Het proces is klaar." if self.workflow.is_completed() else "Er wacht niets."
        return "Nu wacht: " + ", ".join(f"'{w.name}' ({w.element_id})" for w in waiting) + "."

    def _waiting(self, workflow: BpmnWorkflow) -> list[TrialWaiting]:
        snapshot = workflows._snapshot(workflow, [])
        tasks = [
            TrialWaiting("taak", t.spec_name, t.name, t.lane, t.form, t.ui_form, None, t.data)
            for t in snapshot.ready_tasks
        ]
        lanes = {t.spec_name: _lane(self.process, t.spec_name) for t in snapshot.timers}
        timers = [
            TrialWaiting("timer", t.spec_name, t.name or t.spec_name, lanes[t.spec_name], due=t.due_at)
            for t in snapshot.timers
        ]
        return tasks + timers

    def result(self) -> TrialRun:
        """The path as far as the tokens got (up to a step that failed); what waits and the data as an instance
        would keep them (a failed step changes nothing, so its task still waits)."""
        error = self.error
        if self.workflow is not None:
            self._sweep(self.workflow)
        stored = self._stored_workflow() if error is not None else self.workflow
        return TrialRun(
            path=self._path(self.workflow) if self.workflow is not None else (),
            steps=tuple(step for _task_id, step in self.completed),
            waiting=tuple(self._waiting(stored)) if stored is not None else (),
            finished=error is None and stored is not None and stored.is_completed(),
            data=_json_safe(workflows._snapshot(stored, []).data) if stored is not None else {},
            error=error.message if error else None,
            error_element=error.element if error else None,
            answers_used=self.answers_used,
        )

    def _sweep(self, workflow: BpmnWorkflow) -> None:
        """Add completed elements the callbacks did not report (none are known; this keeps the path whole)."""
        seen = {task_id for task_id, _step in self.completed}
        missed = [t for t in _all_tasks(workflow) if t.state == TaskState.COMPLETED and str(t.id) not in seen]
        for task in sorted(missed, key=lambda t: t.last_state_change):
            self._record(task)

    def _path(self, workflow: BpmnWorkflow) -> tuple[str, ...]:
        """Each completed element followed by the sequence flows its token took out of it."""
        flows = _sequence_flows(self.process)
        taken: dict[str, list[str]] = {}
        for task in _all_tasks(workflow):
            if not getattr(task.task_spec, "bpmn_id", None) or not task.state & _REACHED:
                continue
            source = _bpmn_parent(task)
            if source is not None and source.state == TaskState.COMPLETED:
                taken.setdefault(str(source.id), []).extend(
                    flows.get((source.task_spec.bpmn_id, task.task_spec.bpmn_id), [])
                )
        path: list[str] = []
        for task_id, step in self.completed:
            path.append(step.element_id)
            path.extend(taken.pop(task_id, []))
        for rest in taken.values():
            path.extend(rest)
        return tuple(path)


def _all_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    tasks = list(workflow.tasks.values())
    for sub in workflow.subprocesses.values():
        tasks.extend(sub.tasks.values())
    return tasks


def _bpmn_parent(task: SpiffTask) -> SpiffTask | None:
    """The nearest ancestor that is a BPMN element (the engine puts tasks of its own in between)."""
    parent = task.parent
    while parent is not None and not getattr(parent.task_spec, "bpmn_id", None):
        parent = parent.parent
    return parent


def _sequence_flows(process: ParsedProcess) -> dict[tuple[str, str], list[str]]:
    """(source id, target id) -> ids of the sequence flows between them; the engine's specs do not keep them."""
    flows: dict[tuple[str, str], list[str]] = {}
    for filename, content in sorted(process.files.items()):
        if filename.lower().endswith(".bpmn"):
            for flow in etree.fromstring(content).iter(f"{{{BPMN_NS}}}sequenceFlow"):
                flows.setdefault((flow.get("sourceRef"), flow.get("targetRef")), []).append(flow.get("id"))
    return flows


def _find_spec(process: ParsedProcess, element_id: str) -> Any:
    for specs in [process.spec, *process.subprocess_specs.values()]:
        spec = specs.task_specs.get(element_id)
        if spec is not None and getattr(spec, "bpmn_id", None):
            return spec
    return None


def _lane(process: ParsedProcess, element_id: str) -> str | None:
    spec = _find_spec(process, element_id)
    return spec.lane if spec is not None else None


_KINDS: list[tuple[tuple[type, ...], str]] = [
    ((BusinessRuleTaskMixin,), "beslissing"),
    ((ServiceTaskMixin,), "service"),
    ((ScriptTaskMixin,), "script"),
    ((UserTaskMixin, ManualTaskMixin), "taak"),
    ((ExclusiveGatewayMixin, InclusiveGatewayMixin, ParallelGatewayMixin, EventBasedGatewayMixin), "gateway"),
    ((SubWorkflowTaskMixin,), "deelproces"),
    ((CatchingEvent, ThrowingEvent), "gebeurtenis"),
]


def _kind(spec: object) -> str:
    return next((word for classes, word in _KINDS if isinstance(spec, classes)), "stap")


def _json_safe(value: Any) -> Any:
    """A copy that JSON can hold (what scripts compute for parameters may be a tuple or a date)."""
    return json.loads(json.dumps(value, default=str))
