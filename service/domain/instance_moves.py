"""Move running instances to another deployed version of their process: a dry run that says per instance whether
it can move and why not, then the move itself, with task rows, timers and the audit trail kept in line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.orm.exc import StaleDataError

from .. import engine
from ..models import HumanTask, ProcessDefinition, ProcessInstance, User
from .audit import record_event
from .definitions import may_edit, parsed_process
from .errors import Conflict, InvalidInput, NotAllowed, NotFound
from .instances import list_open_tasks_of
from .progress import apply_outcome


@dataclass(frozen=True)
class MoveCandidate:
    """One running instance in the dry run: can it move to the chosen version, and if not, why not."""

    instance_id: int
    title: str
    region_code: str
    from_definition_id: int
    from_version: int
    movable: bool
    reasons: tuple[str, ...]  # Dutch, for the process owner
    waiting_at: tuple[str, ...]  # the steps it waits at, by name


@dataclass(frozen=True)
class MoveOutcome:
    """What happened to one instance: moved, or left where it was with the reasons."""

    instance_id: int
    title: str
    moved: bool
    from_version: int
    to_version: int
    reasons: tuple[str, ...]


def require_may_move(user: User, target: ProcessDefinition) -> None:
    """Who may move instances to a version: whoever may deploy it (a region's variant: that region's process
    owner too; the shared version: a process owner of every region)."""
    if not may_edit(user, target.region_code):
        raise NotAllowed("Alleen een procesbeheerder van deze versie kan lopende verzoeken ernaar verplaatsen.")


def check_moves(
    session: Session,
    *,
    user: User,
    to_definition_id: int,
    instance_ids: list[int] | None = None,
    from_definition_id: int | None = None,
) -> list[MoveCandidate]:
    """Say per running instance whether it can move to version `to_definition_id` (nothing changes). Without
    `instance_ids`, every running instance of the process on another version (or on `from_definition_id`)."""
    target = _target(session, user, to_definition_id)
    new = parsed_process(target)
    label = _label(target)
    candidates = []
    for instance in _running_instances(session, target, instance_ids, from_definition_id):
        check = engine.check_move(parsed_process(instance.definition), new, instance.state, target=label)
        candidates.append(
            MoveCandidate(
                instance_id=instance.id,
                title=instance.title,
                region_code=instance.region_code,
                from_definition_id=instance.definition_id,
                from_version=instance.definition.version,
                movable=check.movable,
                reasons=check.reasons,
                waiting_at=check.waiting_at,
            )
        )
    return candidates


def move_instances(
    session: Session, *, user: User, to_definition_id: int, instance_ids: list[int], now: datetime
) -> list[MoveOutcome]:
    """Move each chosen instance that can move to version `to_definition_id`; one that cannot stays as it is.
    Both are recorded in the instance's audit trail. Raises Conflict when an instance changed meanwhile (a
    person's step or a timer was first): then nothing of this call is saved."""
    if not instance_ids:
        message = "Kies ten minste één verzoek."
        raise InvalidInput(message, {"instance_ids": message})
    target = _target(session, user, to_definition_id)
    new = parsed_process(target)
    return [
        _move_one(session, instance, target, new, user=user, now=now)
        for instance in _running_instances(session, target, instance_ids, None)
    ]


def _move_one(
    session: Session,
    instance: ProcessInstance,
    target: ProcessDefinition,
    new: engine.ParsedProcess,
    *,
    user: User,
    now: datetime,
) -> MoveOutcome:
    source = instance.definition
    instance_id = instance.id  # still readable after a failed flush
    outcome = MoveOutcome(instance_id, instance.title, False, source.version, target.version, ())
    try:
        # Runs no diagram code (see engine/migration.py), so no worker process and no time limit are needed.
        state, snapshot = engine.move(parsed_process(source), new, instance.state, target=_label(target))
    except engine.MoveRefused as refused:
        record_event(
            session,
            action="instance_move_refused",
            summary=f"Niet verplaatst naar versie {target.version}",
            now=now,
            actor=user,
            region_code=instance.region_code,
            instance_id=instance.id,
            details={**_versions(source, target), "reasons": list(refused.check.reasons)},
        )
        return replace(outcome, reasons=refused.check.reasons)
    open_rows = list_open_tasks_of(session, instance.id)
    event = record_event(
        session,
        action="instance_moved",
        summary=f"Verplaatst van versie {source.version} naar versie {target.version}",
        now=now,
        actor=user,
        region_code=instance.region_code,
        instance_id=instance.id,
        details=_versions(source, target),
    )
    instance.definition = target
    try:
        carried_over = frozenset(row.engine_task_id for row in open_rows)
        tasks = apply_outcome(
            session, instance, engine.Outcome(state, snapshot, carried_over=carried_over), actor=user, now=now
        )
        event.details = {**event.details, "tasks": _follow_new_version(instance, tasks, snapshot, user)}
        session.flush()  # the instance's version column: fails when someone else changed it since it was read
    except StaleDataError as err:
        raise Conflict("Dit verzoek is net door iemand anders gewijzigd. Probeer het opnieuw.", instance_id) from err
    return replace(outcome, moved=True)


def _follow_new_version(
    instance: ProcessInstance, rows: Sequence[HumanTask], snapshot: engine.Snapshot, actor: User
) -> list[dict[str, Any]]:
    """Give open task rows (same engine task, same row, so links in sent mails keep working) what the new
    version says about them: name, lane, form. Returns what changed, for the audit trail."""
    ready = {task.task_id: task for task in snapshot.ready_tasks}
    changes = []
    for row in rows:
        task = ready.get(row.engine_task_id)
        if task is None:
            continue
        wanted = {
            "spec_name": task.spec_name,
            "name": task.name,
            "role": task.lane,
            "form_key": task.form,
            "ui_form_key": task.ui_form,
            "instructions": task.instructions,
            "escalate_to": task.escalate_to,
            # As progress.py decides it for a new task: a task without a lane is the starter's.
            "candidate_user_id": instance.started_by_id if task.for_starter or not task.lane else None,
        }
        differ = {name: value for name, value in wanted.items() if getattr(row, name) != value}
        if not differ:
            continue
        for name, value in differ.items():
            setattr(row, name, value)
        if {"role", "candidate_user_id"} & differ.keys():
            # Someone else may take it now: a claim made under the old lane ends, and the new candidates are told.
            row.assignee_id = None
            row.mail_pending = True
            row.created_by_id = actor.id
        changes.append({"task_id": row.id, "name": row.name, "changed": sorted(differ)})
    return changes


def _target(session: Session, user: User, definition_id: int) -> ProcessDefinition:
    target = session.get(ProcessDefinition, definition_id)
    if target is None:
        raise NotFound("Deze versie bestaat niet.")
    require_may_move(user, target)
    return target


def _running_instances(
    session: Session, target: ProcessDefinition, instance_ids: list[int] | None, from_definition_id: int | None
) -> list[ProcessInstance]:
    """The running instances of the target's process on other versions; InvalidInput when a chosen instance or
    version is not one of those."""
    query = (
        select(ProcessInstance)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        # The definition's files are only read when the spec cache misses.
        .options(contains_eager(ProcessInstance.definition).defer(ProcessDefinition.files))
        .where(
            ProcessDefinition.process_key == target.process_key,
            ProcessInstance.status == "running",
            ProcessInstance.definition_id != target.id,
        )
        .order_by(ProcessInstance.id)
    )
    if target.region_code is not None:  # a region's variant is only for that region's requests
        query = query.where(ProcessInstance.region_code == target.region_code)
    if from_definition_id is not None:
        source = session.get(ProcessDefinition, from_definition_id)
        if source is None or source.process_key != target.process_key or source.id == target.id:
            message = "Kies een andere versie van hetzelfde proces."
            raise InvalidInput(message, {"from_definition_id": message})
        query = query.where(ProcessInstance.definition_id == from_definition_id)
    if instance_ids is None:
        return list(session.scalars(query))
    wanted = list(dict.fromkeys(instance_ids))
    found = list(session.scalars(query.where(ProcessInstance.id.in_(wanted))))
    missing = sorted(set(wanted) - {instance.id for instance in found})
    if missing:
        listed = ", ".join(str(i) for i in missing)
        raise InvalidInput(
            "Niet elk gekozen verzoek kan naar deze versie.",
            {
                "instance_ids": f"Verzoek {listed}: loopt niet meer, hoort bij een ander proces of staat al op "
                f"versie {target.version}."
            },
        )
    return found


def _versions(source: ProcessDefinition, target: ProcessDefinition) -> dict[str, Any]:
    return {
        "process": target.process_key,
        "from_version": source.version,
        "to_version": target.version,
        "from_definition_id": source.id,
        "to_definition_id": target.id,
    }


def _label(target: ProcessDefinition) -> str:
    return f"versie {target.version}"
