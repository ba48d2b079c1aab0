"""Move a running workflow to another deployed version of its process: say whether it can move, and why not.

Built on SpiffWorkflow's spec diff (bpmn.util.diff.SpecDiff). We do not call its `migrate_workflow`: that resets
every ready and waiting task, which re-runs preScripts and re-evaluates timer expressions (diagram code, and a
waiting timer would start counting again from the moment of the move). Instead each task is pointed at its
counterpart in the new spec and only the predicted path ahead of the tasks where the instance is, is drawn again.
That evaluates nothing from the diagram, so a move runs in-process, not in the worker pool of isolation.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from .diagrams import ParsedProcess
from .serializer import StateUnreadable, dump_state, load_state
from .snapshot import Snapshot
from .workflows import read_snapshot

# The diff compares task specs through their serialized form; this registry only describes specs.
_registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)

LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
AHEAD = TaskState.PREDICTED_MASK | TaskState.FUTURE  # drawn ahead of the live tasks, not reached yet
# What may differ on a task where the instance is, without touching what happened there already.
# (A new postScript is fine: it runs when the task completes, on the new version.)
_HARMLESS = {"outputs", "bpmn_name", "documentation", "lane", "extensions", "description", "lookahead", "postscript"}

UNREADABLE = "De opgeslagen stand van dit verzoek kan niet worden gelezen; een beheerder moet die eerst herstellen."
REBUILT = "{target} is rond {what} anders opgebouwd, bijvoorbeeld met een termijn of gebeurtenis erbij of eraf."
UNSURE = "Dit verzoek kan niet veilig naar {target} worden verplaatst: de stand past niet op die versie."


@dataclass(frozen=True)
class MoveCheck:
    """Whether a running instance can move to another version; `reasons` (Dutch) say why not."""

    movable: bool
    reasons: tuple[str, ...]
    waiting_at: tuple[str, ...]  # the steps the instance waits at (user tasks, timers, messages), by name


class MoveRefused(Exception):
    """The instance cannot move; `check.reasons` says why."""

    def __init__(self, check: MoveCheck) -> None:
        super().__init__("; ".join(check.reasons))
        self.check = check


def check_move(old: ParsedProcess, new: ParsedProcess, state: str, *, target: str = "de nieuwe versie") -> MoveCheck:
    """Say whether a workflow stored as `state` on `old` can move to `new` (a dry run: nothing changes).
    `target` names the new version in the reasons, e.g. "versie 4"."""
    check, _moved = _attempt(old, new, state, target)
    return check


def move(
    old: ParsedProcess, new: ParsedProcess, state: str, *, target: str = "de nieuwe versie"
) -> tuple[str, Snapshot]:
    """Move a workflow to `new`: its new stored state (as workflows.py stores it) and snapshot. Every task keeps
    its id, state and data, a waiting timer its due time. Raises MoveRefused (with the reasons of check_move)
    when it cannot move."""
    check, moved = _attempt(old, new, state, target)
    if moved is None:
        raise MoveRefused(check)
    return moved, read_snapshot(new, moved)


def _attempt(old: ParsedProcess, new: ParsedProcess, state: str, target: str) -> tuple[MoveCheck, str | None]:
    """The check, and the moved state when the instance can move."""
    try:
        workflow = load_state(state, old.spec, old.subprocess_specs)
    except StateUnreadable:
        return MoveCheck(False, (UNREADABLE,), ()), None
    waiting_at = tuple(dict.fromkeys(_name(t.task_spec) for t in _all_tasks(workflow) if _is_waiting_point(t)))
    unsure = MoveCheck(False, (UNSURE.format(target=target),), waiting_at), None
    try:
        parts, reasons = _parts(workflow, new, target)
        for part in parts:
            reasons.extend(_problems(part, target))
        if reasons:
            return MoveCheck(False, tuple(dict.fromkeys(reasons)), waiting_at), None
        before = _live_ids(workflow)
        for part in parts:
            _repoint(part)
        moved = dump_state(workflow)
        after = _live_ids(load_state(moved, new.spec, new.subprocess_specs))
    except (_NoCounterpart, SpiffWorkflowException, StateUnreadable, KeyError, AttributeError, ValueError, TypeError):
        # Whatever the library could not do with this tree, we do not guess: the instance stays where it is.
        return unsure
    if after != before:  # a move never changes where the instance is, only the way ahead
        return unsure
    return MoveCheck(True, (), waiting_at), moved


class _NoCounterpart(Exception):
    """A task that stays in the tree has no counterpart in the new spec."""


@dataclass
class _Part:
    """The top workflow or one running sub-process, with its new spec and the diff between the two."""

    workflow: Any  # BpmnWorkflow or BpmnSubWorkflow
    new_spec: Any
    diff: SpecDiff


def _parts(workflow: BpmnWorkflow, new: ParsedProcess, target: str) -> tuple[list[_Part], list[str]]:
    """The diff of the top workflow and of each running sub-process, and the sub-processes that are gone."""
    parts = [_Part(workflow, new.spec, SpecDiff(_registry, workflow.spec, new.spec))]
    gone = []
    for sub in workflow.subprocesses.values():
        new_spec = new.subprocess_specs.get(sub.spec.name)
        if new_spec is None:
            name = sub.spec.description or sub.spec.name
            gone.append(f"Het deelproces '{name}' waar dit verzoek nu is, bestaat niet meer in {target}.")
        else:
            parts.append(_Part(sub, new_spec, SpecDiff(_registry, sub.spec, new_spec)))
    return parts, gone


def _problems(part: _Part, target: str) -> list[str]:
    """Why the tasks of one (sub)workflow cannot be carried over to its new spec."""
    reasons, helpers = [], []
    for task in part.workflow.tasks.values():
        if task.has_state(AHEAD):
            continue  # not reached: drawn again from the new spec
        spec = task.task_spec
        counterpart = part.diff.alignment.get(spec)
        live = task.has_state(LIVE)
        if counterpart is None and not getattr(spec, "bpmn_id", None):
            # An engine helper (e.g. the split before a boundary event): said only when nothing clearer is.
            owner = f"de stap '{_owner_name(spec, part.workflow.spec)}'"
            helpers.append(REBUILT.format(target=_upper_first(target), what=owner))
        elif counterpart is None or (live and counterpart.name != spec.name):
            # The diff also pairs a removed task with a new one in its place; a person's task is not that.
            reasons.append(_gone(task, target))
        elif live:
            reasons.extend(_live_problems(task, counterpart, part, target))
    return reasons or helpers


def _gone(task: SpiffTask, target: str) -> str:
    if not task.has_state(LIVE):
        return f"De stap '{_name(task.task_spec)}', die dit verzoek al heeft doorlopen, bestaat niet meer in {target}."
    return f"{_upper_first(_kind(task))} '{_name(task.task_spec)}' {_where(task)}, bestaat niet meer in {target}."


def _live_problems(task: SpiffTask, counterpart: Any, part: _Part, target: str) -> list[str]:
    spec = task.task_spec
    what = f"{_kind(task)} '{_name(spec)}' {_where(task)}"
    if isinstance(spec, LoopTask):
        # Its running rounds are tied to the old spec's events; let the rounds finish first.
        return [f"{_upper_first(what)}, wordt nog herhaald; verplaats dit verzoek als die herhaling klaar is."]
    changes = set(part.diff.comparisons.get(spec) or [])
    if "inputs" in changes and _same_predecessor(task, counterpart, part.diff):
        changes.discard("inputs")  # another way into this task; this instance already came in
    if "typename" in changes:
        return [f"{_upper_first(what)}, is in {target} een ander soort stap."]
    if "event_definition" in changes:
        return [f"{_upper_first(what)}, is in {target} veranderd; wat al loopt, wordt niet omgerekend."]
    if "prescript" in changes:
        return [
            f"{_upper_first(what)}, wordt in {target} anders voorbereid (het script vooraf is veranderd); "
            "voor dit verzoek is die voorbereiding al gedaan."
        ]
    if "inputs" in changes:
        return [REBUILT.format(target=_upper_first(target), what=f"{_kind(task)} '{_name(spec)}' ({_where(task)})")]
    if changes - _HARMLESS:
        return [f"{_upper_first(what)}, is in {target} veranderd op een manier die niet veilig kan worden omgezet."]
    if _has_reached_children(task) and [s.name for s in spec.outputs] != [s.name for s in counterpart.outputs]:
        return [f"Na {what} gaat {target} anders verder, terwijl daar al iets loopt."]
    return []


def _same_predecessor(task: SpiffTask, counterpart: Any, diff: SpecDiff) -> bool:
    """Whether the task this one came from still leads into it in the new version."""
    parent = task.parent
    if parent is None or parent.task_spec not in task.task_spec.inputs:
        return True  # not reached along a sequence flow (e.g. an instance of a multi-instance task)
    came_from = diff.alignment.get(parent.task_spec)
    return came_from is None or came_from in counterpart.inputs  # None: reported as gone already


def _repoint(part: _Part) -> None:
    """Point every task at its counterpart and draw the path ahead of the live tasks again from the new spec."""
    workflow = part.workflow
    live = [t for t in workflow.tasks.values() if t.has_state(LIVE)]
    for task in live:
        if not _has_reached_children(task):
            for child in list(task.children):
                workflow._remove_task(child.id)  # the library's own way to prune a branch
    workflow.spec = part.new_spec
    for task in workflow.tasks.values():
        counterpart = part.diff.alignment.get(task.task_spec)
        if counterpart is None:
            raise _NoCounterpart(task.task_spec.name)
        task.task_spec = counterpart
    for task in live:
        if not task.children:
            # Predicting only adds children that have not been reached; nothing runs, no data changes.
            task.task_spec._predict_hook(task)
            task.task_spec._predict(task, mask=AHEAD)
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None


def _has_reached_children(task: SpiffTask) -> bool:
    return any(not child.has_state(AHEAD) for child in task.children)


def _all_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    tasks = list(workflow.tasks.values())
    for sub in workflow.subprocesses.values():
        tasks.extend(sub.tasks.values())
    return tasks


def _live_ids(workflow: BpmnWorkflow) -> dict[str, tuple[str, int]]:
    """Where the instance is: the id, step and state of every live task (a move must not change any of it)."""
    return {
        str(t.id): (t.task_spec.bpmn_id or t.task_spec.name, t.state) for t in _all_tasks(workflow) if t.has_state(LIVE)
    }


def _is_waiting_point(task: SpiffTask) -> bool:
    spec = task.task_spec
    if task.state == TaskState.READY and spec.manual:
        return True
    return task.state == TaskState.WAITING and isinstance(spec, CatchingEvent) and bool(spec.bpmn_id)


def _is_timer(spec: Any) -> bool:
    definition = getattr(spec, "event_definition", None)
    nested = getattr(definition, "event_definitions", [])
    return isinstance(definition, TimerEventDefinition) or any(isinstance(d, TimerEventDefinition) for d in nested)


def _kind(task: SpiffTask) -> str:
    spec = task.task_spec
    if spec.manual:
        return "de taak"
    if _is_timer(spec):
        return "de termijn"
    if isinstance(spec, CatchingEvent):
        return "de gebeurtenis"
    return "de stap"


def _where(task: SpiffTask) -> str:
    if not _is_waiting_point(task):
        return "waar dit verzoek nu is"
    return "waar dit verzoek wacht" if task.task_spec.manual else "waarop dit verzoek wacht"


def _name(spec: Any) -> str:
    if isinstance(spec, LoopTask):  # the name is on the task it repeats
        spec = spec._wf_spec.task_specs.get(spec.task_spec, spec)
    return spec.bpmn_name or spec.bpmn_id or spec.name


def _owner_name(spec: Any, old_spec: Any) -> str:
    """The name of the BPMN element an engine helper belongs to ('besluit.BoundaryEventSplit' -> 'besluit')."""
    owner = old_spec.task_specs.get(spec.name.split(".")[0])
    return _name(owner) if owner is not None and getattr(owner, "bpmn_id", None) else spec.name.split(".")[0]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
