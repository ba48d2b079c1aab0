"""Which task reminders are due: a decision over rows, apart from the job that sends them.

A task with a due date has reminder moments (its diagram's offsets before the due date) and, when it has an
escalation role, an overdue moment at the due date. Each (task, moment) is handled once: a row in
`task_reminder` remembers it. `human_task.next_reminder_at` holds the next unhandled moment, so the job reads
only tasks with a moment due (one indexed range) and a run with nothing due reads little and writes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..models import HumanTask

OVERDUE = "te_laat"  # the moment key of the overdue notice and escalation


@dataclass(frozen=True)
class Moment:
    key: str  # the offset in seconds before the due date, or OVERDUE
    at: datetime
    offset: timedelta | None  # None for OVERDUE


@dataclass(frozen=True)
class Decision:
    """For one task at `now`: the moment to send (if any), the moments passed by without sending (after
    downtime nobody needs three reminders in a row: only the latest is sent), and the next moment to wake up."""

    send: Moment | None
    skip: tuple[Moment, ...]
    next_at: datetime | None


def offsets(task: HumanTask) -> list[timedelta]:
    return [timedelta(seconds=int(s)) for s in task.reminder_offsets.split(",") if s.strip()]


def moments(task: HumanTask) -> list[Moment]:
    """Every moment of the task, earliest first; reminder moments before the task existed do not count."""
    if task.due_at is None:
        return []
    found = [
        Moment(str(int(o.total_seconds())), task.due_at - o, o)
        for o in offsets(task)
        if task.created_at <= task.due_at - o < task.due_at
    ]
    if task.escalate_to:
        found.append(Moment(OVERDUE, task.due_at, None))
    return sorted(found, key=lambda m: m.at)


def first_reminder_at(task: HumanTask) -> datetime | None:
    """When a new task first needs the reminder job (None: never)."""
    found = moments(task)
    return found[0].at if found else None


def decide(task: HumanTask, handled: Collection[str], now: datetime) -> Decision:
    """What to do for one task at `now`, given the moment keys handled already."""
    pending = [m for m in moments(task) if m.key not in handled]
    reached = [m for m in pending if m.at <= now]
    later = [m for m in pending if m.at > now]
    next_at = later[0].at if later else None
    if task.status != "open" or not reached:
        return Decision(None, tuple(reached), next_at if task.status == "open" else None)
    overdue = [m for m in reached if m.key == OVERDUE]
    send = overdue[0] if overdue else reached[-1]
    return Decision(send, tuple(m for m in reached if m is not send), next_at)


def label(offset: timedelta) -> str:
    """How a reminder names its offset, in Dutch: "1 week", "3 weken", "2 dagen"."""
    days = offset.days
    if days and days % 7 == 0:
        return f"{days // 7} week" if days == 7 else f"{days // 7} weken"
    return f"{days} dag" if days == 1 else f"{days} dagen"
