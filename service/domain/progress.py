"""Write what an engine call produced: instance state, task rows, timer rows and the audit trail, all in the
caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import engine
from ..models import DueTimer, HumanTask, ProcessInstance, User
from .audit import record_event
from .reminders import first_reminder_at

# How the audit trail names what the engine did by itself (the engine's own kind stays in the details).
STEP_LABELS = {
    "Business Rule Task": "Beslistabel",
    "Exclusive Gateway": "Keuze",
    "Parallel Gateway": "Splitsing",
    "Inclusive Gateway": "Keuze",
    "Script Task": "Berekening",
    "Service Task": "Automatische stap",
    "Default Start Event": "Start",
    "Default End Event": "Einde",
    "Timer Start Event": "Start op tijd",
    "Intermediate Catch Event": "Wachten",
    "Boundary Event": "Termijn",
    "Call Activity": "Deelproces",
    "Subprocess": "Deelproces",
}


def apply_outcome(
    session: Session,
    instance: ProcessInstance,
    outcome: engine.Outcome,
    *,
    actor: User | None,
    now: datetime,
    record_steps: bool = True,
) -> list[HumanTask]:
    """Store the new state and bring task rows, timers and the audit trail in line with the snapshot;
    return the instance's open tasks."""
    snapshot = outcome.snapshot
    instance.state = outcome.state
    instance.data = snapshot.data
    if snapshot.data.get("titel"):
        instance.title = str(snapshot.data["titel"])[:300]  # the business title the requester gave
    instance.updated_at = now
    if record_steps:  # False: the caller wrote them itself, in its own order (skipping a step)
        record_engine_steps(session, instance, snapshot.steps, now=now)
    open_tasks = _sync_tasks(session, instance, snapshot, outcome.carried_over, now, actor)
    if outcome.timers_changed:
        _sync_timers(session, instance, snapshot, now)
    if snapshot.status == "completed" and instance.status != "completed":
        instance.status = "completed"
        instance.completed_at = now
        record_event(
            session,
            action="instance_completed",
            summary="Proces afgerond",
            now=now,
            actor=None,
            region_code=instance.region_code,
            instance_id=instance.id,
            details={"data": snapshot.data},
        )
    return open_tasks


def record_engine_steps(
    session: Session, instance: ProcessInstance, steps: Iterable[engine.EngineStep], *, now: datetime
) -> None:
    """One audit event per step the engine took by itself."""
    for step in steps:
        record_event(
            session,
            action="engine_step",
            summary=f"{STEP_LABELS.get(step.kind, 'Stap')}: {step.name}",
            now=now,
            actor=None,
            region_code=instance.region_code,
            instance_id=instance.id,
            details={"task": step.spec_name, "kind": step.kind, "changes": step.changes},
        )


def _sync_tasks(
    session: Session,
    instance: ProcessInstance,
    snapshot: engine.Snapshot,
    carried_over: frozenset[str],
    now: datetime,
    actor: User | None,
) -> list[HumanTask]:
    open_rows: dict[str, HumanTask] = {}
    if carried_over:  # only then can rows of earlier steps still be open (parallel branches)
        with session.no_autoflush:  # pending changes are written once, at commit
            query = select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.engine_task_id.in_(sorted(carried_over))
            )
            open_rows = {row.engine_task_id: row for row in session.scalars(query) if row.status == "open"}
    ready_ids = {task.task_id for task in snapshot.ready_tasks}
    for engine_task_id, row in open_rows.items():
        if engine_task_id not in ready_ids:
            row.status = "cancelled"  # e.g. an interrupting boundary event took it away
            row.completed_at = now
    still_open = []
    for task in snapshot.ready_tasks:
        if task.task_id in open_rows:
            still_open.append(open_rows[task.task_id])
            continue
        row = HumanTask(
            instance=instance,
            engine_task_id=task.task_id,
            spec_name=task.spec_name,
            process_key=instance.definition.process_key,
            name=task.name,
            role=task.lane,
            region_code=instance.region_code,
            form_key=task.form,
            ui_form_key=task.ui_form,
            instructions=task.instructions,
            # A task without a lane is the starter's; one marked forStarter is offered to them besides its lane.
            candidate_user_id=instance.started_by_id if task.for_starter or not task.lane else None,
            status="open",
            created_at=now,
            due_at=task.due_at or (now + task.due_in if task.due_in else None),
            reminder_offsets=",".join(str(int(r.total_seconds())) for r in task.reminders),
            escalate_to=task.escalate_to,
        )
        row.next_reminder_at = first_reminder_at(row)
        session.add(row)
        record_event(
            session,
            action="task_created",
            summary=f"Taak klaargezet: {task.name}",
            now=now,
            actor=None,
            region_code=instance.region_code,
            instance_id=instance.id,
            task=row,
            details={"role": task.lane, "due_at": row.due_at.isoformat() if row.due_at else None},
        )
        # The mail job writes its "new task" mail (notifications.write_new_task_mail): this step stays short.
        row.mail_pending = True
        row.created_by_id = actor.id if actor is not None else None
        still_open.append(row)
    return still_open


def _sync_timers(session: Session, instance: ProcessInstance, snapshot: engine.Snapshot, now: datetime) -> None:
    """Keep one due_timer row per waiting timer; a timer that fired keeps its row with fired_at set (the
    scheduler's record), one that was cancelled (its activity finished first) is removed."""
    fired = {step.task_id for step in snapshot.steps}
    waiting = {timer.task_id: timer for timer in snapshot.timers}
    if not waiting and not fired:
        # The common case (no timer involved): one statement instead of loading rows.
        session.execute(
            delete(DueTimer).where(DueTimer.instance_id == instance.id, DueTimer.fired_at.is_(None)),
            execution_options={"synchronize_session": False},
        )
        return
    pending_query = select(DueTimer).where(DueTimer.instance_id == instance.id, DueTimer.fired_at.is_(None))
    pending = {row.engine_task_id: row for row in session.scalars(pending_query)}
    for engine_task_id, row in pending.items():
        if engine_task_id in waiting:
            continue
        if engine_task_id in fired:
            row.fired_at = now
        else:
            session.delete(row)
    for engine_task_id, timer in waiting.items():
        row = pending.get(engine_task_id)
        if row is None:
            session.add(
                DueTimer(instance_id=instance.id, engine_task_id=engine_task_id, name=timer.name, due_at=timer.due_at)
            )
        elif row.due_at != timer.due_at:
            row.due_at = timer.due_at  # a cycle timer moved on to its next due time
