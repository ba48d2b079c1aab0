"""Skip a failed step: an operator marks the failing element (a script, service task or timer whose code raises)
done without running it, and the engine runs on to the next wait state under the usual limits.

After a failure nothing of the failed call was stored, so the stored state is the one BEFORE the failing step:
the element is READY, or becomes READY once due timers fire and the steps before it run. We run the engine the
way do_engine_steps does, but the first READY element with the failing name is completed (`Task.complete()`,
the library's own transition, which also readies what follows) instead of run (`Task.run()` runs its code)."""

from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from .diagrams import ParsedProcess
from .sandbox import ServiceHandler
from .snapshot import EngineStep
from .workflows import (
    OPERATIONS,
    EngineError,
    OnTask,
    Outcome,
    TaskNotReady,
    _dump,
    _engine_error,
    _load,
    _run_engine,
    _snapshot,
)

SKIPPED = "skipped"  # the kind of the step that marks the skipped element among the engine's steps
MAX_ROUNDS = 10_000  # engine passes before the element must have been reached (guards against a loop)


class ElementNotWaiting(TaskNotReady):
    """The named element is not where the instance stands: nothing to skip (a TaskNotReady, so a worker passes
    it back as one)."""


def skip_failed_step(
    process: ParsedProcess,
    state: str,
    element: str,
    services: ServiceHandler | None = None,
    on_task: OnTask | None = None,
) -> Outcome:
    """Complete the first READY non-manual task named `element` (its bpmn name, id or spec name) without running
    it, running the steps before it as usual; then run on. Raises ElementNotWaiting when the engine comes to rest
    without reaching it, EngineError when another step fails (nothing is stored then)."""
    workflow = _load(process, state, services)
    carried_over = frozenset(str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True))
    steps: list[EngineStep] = []
    skipped = _run_until(workflow, element, steps, on_task)
    if skipped is None:
        raise ElementNotWaiting(element)
    spec = skipped.task_spec
    # Where in the steps the skip happened, so the audit trail tells them in order.
    steps.append(EngineStep(str(skipped.id), spec.name, spec.bpmn_name or spec.bpmn_id or spec.name, SKIPPED, {}))
    steps.extend(_run_engine(workflow, on_task))
    snapshot = _snapshot(workflow, steps)
    return Outcome(_dump(workflow, snapshot), snapshot, carried_over=carried_over)


def _matches(task: SpiffTask, element: str) -> bool:
    spec = task.task_spec
    return element in {getattr(spec, "bpmn_name", None), getattr(spec, "bpmn_id", None), spec.name}


def _run_until(
    workflow: BpmnWorkflow, element: str, steps: list[EngineStep], on_task: OnTask | None
) -> SpiffTask | None:
    """Run READY engine tasks one at a time until the element is READY; complete it unrun and return it."""
    current: SpiffTask | None = None
    try:
        workflow.refresh_timers()  # due timers become READY (a failed timer firing is retried this way)
        for _ in range(MAX_ROUNDS):
            ready = [t for t in workflow.get_tasks(state=TaskState.READY) if not t.task_spec.manual]
            target = next((t for t in ready if _matches(t, element)), None)
            if target is not None:
                target.complete()
                return target
            if not ready:
                return None
            current = ready[0]
            if on_task is not None:
                on_task(current.task_spec.bpmn_name or current.task_spec.name)
            current.run()
            if getattr(current.task_spec, "bpmn_id", None):
                steps.append(
                    EngineStep(
                        task_id=str(current.id),
                        spec_name=current.task_spec.name,
                        name=current.task_spec.bpmn_name or current.task_spec.bpmn_id,
                        kind=getattr(current.task_spec, "description", None) or type(current.task_spec).__name__,
                        changes={},
                    )
                )
            workflow.refresh_timers()
    except SpiffWorkflowException as err:
        raise _engine_error(err, current) from err
    raise EngineError(element, "het procesmodel komt niet tot rust", f"more than {MAX_ROUNDS} steps")


# Registered here so a worker runs it like the other operations (the package imports this module).
OPERATIONS["skip"] = skip_failed_step
