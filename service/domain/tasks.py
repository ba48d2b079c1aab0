"""Human tasks: the inbox, claiming, and completing a task (one transaction for engine state, rows and audit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.orm.exc import StaleDataError

from .. import engine
from ..models import HumanTask, ProcessDefinition, ProcessInstance, User
from ..observability import metrics
from .access import require_may_act, require_region_member
from .attachments import check_references
from .audit import record_task_event
from .definitions import parsed_process
from .errors import Conflict, InvalidInput, NotAllowed, NotFound, ProcessFailed, StateUnreadable
from .forms import FormLibrary, schema_for_region, validate_submission
from .inbox import INBOX_ORDER, actionable_tasks
from .notifications import notify_if_decided
from .progress import apply_outcome
from .service_tasks import ServiceContext, service_handler


def list_open_tasks(session: Session, *, user: User, region_code: str | None = None) -> list[HumanTask]:
    """Every open task the user may act on, overdue first, then by due date, then oldest."""
    return list(session.scalars(select(HumanTask).where(actionable_tasks(user, region_code)).order_by(*INBOX_ORDER)))


def get_task(session: Session, *, user: User, task_id: int) -> HumanTask:
    """A task of one of the user's regions (NotFound otherwise, so nothing leaks)."""
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("Niet gevonden.")
    require_region_member(user, task.region_code)
    return task


def may_user_act(user: User, task: HumanTask) -> bool:
    """Whether the task page should offer the form (the checks themselves happen on submit)."""
    try:
        require_may_act(user, task)
    except (NotAllowed, NotFound):
        return False
    return task.status == "open"


@dataclass(frozen=True)
class TaskView:
    task: HumanTask
    form_schema: dict[str, Any] | None
    data: dict[str, Any]


def describe_task(session: Session, forms: FormLibrary, *, user: User, task_id: int) -> TaskView:
    """A task with its form (filled with the region's choices) and the data earlier steps produced."""
    task = get_task(session, user=user, task_id=task_id)
    schema = (
        schema_for_region(session, forms.for_task(task, task.form_key), task.region_code) if task.form_key else None
    )
    return TaskView(task, schema, _task_data(task))


WARNING_VARIABLE = "waarschuwing"  # a decision table's note for whoever decides (shown above the form)


def warning_for_deciders(view: TaskView) -> str:
    """The warning a decision table left in the request's data, if any."""
    value = view.data.get(WARNING_VARIABLE)
    return value.strip() if isinstance(value, str) else ""


def _task_data(task: HumanTask) -> dict[str, Any]:
    """The data the task sees in the engine (including what its preScript drafted, e.g. a letter)."""
    instance = task.instance
    if task.status == "open":
        try:
            snapshot = engine.read_snapshot(parsed_process(instance.definition), instance.state)
        except engine.StateUnreadable as err:
            raise StateUnreadable(instance.id, str(err)) from err
        for ready in snapshot.ready_tasks:
            if ready.task_id == task.engine_task_id:
                return ready.data
    return dict(instance.data or {})


def claim_task(session: Session, *, user: User, task_id: int, now: datetime) -> HumanTask:
    """Take a task: it is then offered to nobody else until it is released."""
    task = _open_task_for_update(session, user=user, task_id=task_id)
    require_may_act(user, task)
    if task.assignee_id != user.id:
        task.assignee_id = user.id
        record_task_event(session, task, action="task_claimed", summary="Taak opgepakt", actor=user, now=now)
    return task


def unclaim_task(session: Session, *, user: User, task_id: int, now: datetime) -> HumanTask:
    """Release a task you claimed, so everyone with the role sees it again."""
    task = _open_task_for_update(session, user=user, task_id=task_id)
    require_may_act(user, task)
    if task.assignee_id == user.id:
        task.assignee_id = None
        record_task_event(session, task, action="task_unclaimed", summary="Taak vrijgegeven", actor=user, now=now)
    return task


@dataclass(frozen=True)
class StepResult:
    """An instance after a step, with the tasks now open in it."""

    instance: ProcessInstance
    open_tasks: list[HumanTask]


def complete_task(
    session: Session,
    forms: FormLibrary,
    *,
    user: User,
    task_id: int,
    data: Any,
    now: datetime,
    write: Callable[[], Session] | None = None,
) -> StepResult:
    """Validate the submission, complete the task in the engine, and store everything the step changed.

    With `write` (a write transaction opened on first call), `session` only reads: the engine runs before the
    write transaction begins, so diagram code never holds the database, and the instance is then checked not to
    have moved meanwhile. Without it, everything happens in `session`."""
    task = _open_task_for_update(session, user=user, task_id=task_id, lock=write is None)
    require_may_act(user, task)
    submission = data if data is not None else {}
    if task.form_key:
        schema = schema_for_region(session, forms.for_task(task, task.form_key), task.region_code)
        submission = validate_submission(schema, submission)
        check_references(session, schema, submission, task.instance.id)
    elif submission not in ({}, None):
        # A task without a form is a confirmation; data would silently overwrite process variables.
        raise InvalidInput("Deze taak heeft geen formulier.", {"": "Stuur bij deze taak geen gegevens mee."})
    return _complete_open_task(session, task=task, actor=user, submission=submission, now=now, write=write)


def complete_task_on_behalf(
    session: Session,
    *,
    instance_id: int,
    spec_name: str,
    data: dict[str, Any],
    actor: User,
    now: datetime,
    write: Callable[[], Session] | None = None,
    before_write: Callable[[Session], None] | None = None,
) -> StepResult:
    """Complete the open task `spec_name` of an instance for someone without an account (a partner's contact
    through a personal link). `data` is made by the service's own code, never typed into a form; `actor` is the
    system account; `before_write` adds what the step records besides (in the same write transaction)."""
    task_id = session.scalar(
        select(HumanTask.id).where(
            HumanTask.instance_id == instance_id, HumanTask.spec_name == spec_name, HumanTask.status == "open"
        )
    )
    if task_id is None:
        raise Conflict("Deze stap staat niet meer open.", instance_id=instance_id)
    task = _load_open_task(session, task_id, lock=write is None)
    return _complete_open_task(
        session, task=task, actor=actor, submission=data, now=now, write=write, before_write=before_write
    )


def _complete_open_task(
    session: Session,
    *,
    task: HumanTask,
    actor: User,
    submission: dict[str, Any],
    now: datetime,
    write: Callable[[], Session] | None,
    before_write: Callable[[Session], None] | None = None,
) -> StepResult:
    """Run the engine for a checked submission, then store everything the step changed."""
    user = actor
    instance = task.instance
    if instance.suspended_at is not None:  # an operator paused it (service/domain/console)
        raise Conflict(
            "Dit verzoek is gepauzeerd door de beheerder; deze taak kan nu niet worden afgerond.", instance.id
        )
    process = parsed_process(instance.definition)
    instance_id = instance.id
    writes = write or (lambda: session)
    in_write: list[HumanTask] = [] if write is not None else [task]

    def writable_task() -> HumanTask:
        # The rows as read, handed to the write transaction without reading them again: the instance's
        # version column makes its UPDATE fail when someone else changed it meanwhile (StaleDataError).
        if not in_write:
            _take_open_task(writes(), task)
            in_write.append(writes().merge(task, load=False))
        return in_write[0]

    services = service_handler(ServiceContext(writes, lambda: writable_task().instance, user, now))
    try:
        outcome = engine.complete_user_task(process, instance.state, task.engine_task_id, submission, services)
    except engine.TaskNotReady as err:
        raise Conflict("Deze taak staat niet meer open.", instance_id=instance.id) from err
    except engine.StateUnreadable as err:
        raise StateUnreadable(instance.id, str(err)) from err
    except engine.EngineError as err:
        raise ProcessFailed(
            f"De stap '{err.task_name}' kon niet worden uitgevoerd: {err.reason}. Er is niets opgeslagen.",
            err.detail,
            instance_id=instance.id,
            actor_id=user.id,
        ) from err
    task = writable_task()
    instance = task.instance
    session = writes()
    if before_write is not None:
        before_write(session)
    try:
        task.status = "completed"
        task.completed_by_id = user.id
        task.completed_at = now
        task.assignee_id = user.id
        metrics.task_completed(session, process_key=task.process_key, created_at=task.created_at, completed_at=now)
        record_task_event(
            session,
            task,
            action="task_completed",
            summary="Taak afgerond",
            actor=user,
            now=now,
            details={"data": submission},
        )
        open_tasks = apply_outcome(session, instance, outcome, actor=user, now=now)
        session.flush()
    except StaleDataError as err:
        raise Conflict("Dit verzoek is net door iemand anders gewijzigd. Probeer het opnieuw.", instance_id) from err
    notify_if_decided(session, instance, completed=task, steps=outcome.snapshot.steps, now=now)
    return StepResult(instance, open_tasks)


def _take_open_task(session: Session, task: HumanTask) -> None:
    """Mark the task completed if it is still open (one statement, which also takes the write lock); of two
    people completing it at once, the second hears that the first was earlier."""
    taken = session.execute(
        update(HumanTask).where(HumanTask.id == task.id, HumanTask.status == "open").values(status="completed")
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        status = session.scalar(select(HumanTask.status).where(HumanTask.id == task.id))
        raise _not_open(status, task.instance_id)


def _not_open(status: str | None, instance_id: int) -> Conflict:
    if status == "completed":
        return Conflict("Deze taak is al afgerond door iemand anders.", instance_id=instance_id)
    return Conflict("Deze taak staat niet meer open.", instance_id=instance_id)


def _open_task_for_update(session: Session, *, user: User, task_id: int, lock: bool = True) -> HumanTask:
    """Read the task afresh while locking it and its instance (PostgreSQL: FOR UPDATE; SQLite: the write
    transaction already holds the lock), so of two racing actions exactly one wins. `lock=False` only reads."""
    task = session.scalar(_task_query(task_id, lock=lock))
    if task is None:
        raise NotFound("Niet gevonden.")
    require_region_member(user, task.region_code)
    if task.status != "open":
        raise _not_open(task.status, task.instance_id)
    return task


def _load_open_task(session: Session, task_id: int, *, lock: bool) -> HumanTask:
    """The task with its instance, for a step taken on someone's behalf (no region member to check)."""
    task = session.scalar(_task_query(task_id, lock=lock))
    if task is None or task.status != "open":
        raise Conflict("Deze stap staat niet meer open.")
    return task


def _task_query(task_id: int, *, lock: bool) -> Select[tuple[HumanTask]]:
    query = (
        select(HumanTask)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .options(
            # The definition's files are only read when the spec cache misses.
            contains_eager(HumanTask.instance).contains_eager(ProcessInstance.definition).defer(ProcessDefinition.files)
        )
        .where(HumanTask.id == task_id)
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update(of=[HumanTask.__table__, ProcessInstance.__table__])
    return query
