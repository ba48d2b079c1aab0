"""What the database holds after a fault, checked against what the clients were told: an acknowledged action is
there exactly once, an unacknowledged one is either wholly there or not at all."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from service.models import AuditEvent, HumanTask, ProcessInstance

from .api_load import Outcome


@dataclass(frozen=True)
class Completion:
    """A task as stored: its status, how many 'task_completed' events name it, how many tasks followed it."""

    status: str
    completed_events: int
    later_tasks: int

    @property
    def untouched(self) -> bool:
        return self.status == "open" and self.completed_events == 0 and self.later_tasks == 0

    @property
    def whole(self) -> bool:
        return self.status == "completed" and self.completed_events == 1 and self.later_tasks == 1


@dataclass(frozen=True)
class Start:
    """The requests stored under one title, and per request its 'instance_started' events and tasks."""

    instances: int
    started_events: tuple[int, ...]
    tasks: tuple[int, ...]

    @property
    def whole(self) -> bool:
        # Its first task at least (a completion checked separately may have added the next one).
        return self.instances == 1 and self.started_events == (1,) and self.tasks[0] >= 1


def read_completions(session: Session, task_ids: list[int]) -> dict[int, Completion]:
    events = Counter(
        session.scalars(
            select(AuditEvent.task_id).where(AuditEvent.action == "task_completed", AuditEvent.task_id.in_(task_ids))
        )
    )
    found = {}
    for task in session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids))):
        later = session.scalar(
            select(func.count(HumanTask.id)).where(HumanTask.instance_id == task.instance_id, HumanTask.id > task.id)
        )
        found[task.id] = Completion(task.status, events[task.id], int(later or 0))
    return found


def read_start(session: Session, title: str, instance_id: int | None = None) -> Start:
    """By the id the answer gave, else by the title it was started with (completing the first task renames an
    instance, but nobody can complete a task of a start that went unanswered)."""
    where = ProcessInstance.id == instance_id if instance_id is not None else ProcessInstance.title == title
    ids = list(session.scalars(select(ProcessInstance.id).where(where)))
    started = tuple(
        int(
            session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.instance_id == i, AuditEvent.action == "instance_started"
                )
            )
            or 0
        )
        for i in ids
    )
    tasks = tuple(
        int(session.scalar(select(func.count(HumanTask.id)).where(HumanTask.instance_id == i)) or 0) for i in ids
    )
    return Start(len(ids), started, tasks)


def check_against_database(database_url: str, outcomes: list[Outcome]) -> list[str]:
    """Every mismatch between the answers and the stored rows, in words (empty: all is well)."""
    problems: list[str] = []
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            completes = [o for o in outcomes if o.kind == "complete"]
            stored = read_completions(session, [int(o.key) for o in completes])
            for o in completes:
                row = stored.get(int(o.key))
                if row is None:
                    problems.append(f"task {o.key} is gone")
                elif o.status == 200 and not row.whole:
                    problems.append(f"task {o.key} acknowledged (200) but stored as {row}")
                elif o.status != 200 and not (row.untouched or row.whole):
                    problems.append(f"task {o.key} answered {o.status} and half applied: {row}")
            for o in (o for o in outcomes if o.kind == "start"):
                start = read_start(session, o.key, o.body.get("id") if o.status == 201 else None)
                if o.status == 201 and not start.whole:
                    problems.append(f"start {o.key!r} acknowledged (201) but stored as {start}")
                elif o.status != 201 and not (start.instances == 0 or start.whole):
                    problems.append(f"start {o.key!r} answered {o.status} and half applied: {start}")
            doubled = [k for k, n in Counter(o.key for o in completes if o.status == 200).items() if n > 1]
            problems += [f"task {k} acknowledged twice" for k in doubled]
    finally:
        engine.dispose()
    return problems
