"""Frozen views of a workflow that the rest of the service works with (no SpiffWorkflow types leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person."""

    task_id: str
    spec_name: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None
    instructions: str | None
    due_in: timedelta | None
    data: dict[str, Any] = field(hash=False, compare=False)
    due_at: datetime | None = None  # from the process data (property dueAt names the variable); wins over due_in
    reminders: tuple[timedelta, ...] = ()  # remind the candidates this long before the due date
    escalate_to: str | None = None  # the role told when the task is overdue (the task stays where it is)
    for_starter: bool = False  # also offered to whoever started the instance (property forStarter="true")


@dataclass(frozen=True)
class PendingTimer:
    """A timer event waiting for its due time."""

    task_id: str
    spec_name: str
    name: str
    due_at: datetime


@dataclass(frozen=True)
class EngineStep:
    """A task the engine completed by itself (script, gateway, decision, service task, event)."""

    task_id: str
    spec_name: str
    name: str
    kind: str
    changes: dict[str, Any] = field(hash=False, compare=False)


@dataclass(frozen=True)
class Snapshot:
    """The state of one workflow after an engine call."""

    status: str  # "running" or "completed"
    ready_tasks: tuple[ReadyTask, ...]
    timers: tuple[PendingTimer, ...]
    data: dict[str, Any] = field(hash=False, compare=False)
    steps: tuple[EngineStep, ...] = ()
