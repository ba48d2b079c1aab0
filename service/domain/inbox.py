"""The inbox: open tasks a user may act on, overdue first, with counts and pages. One query on human_task
(plus one for the counts); it never opens engine state, so it stays fast with many tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from ..models import HumanTask, ProcessDefinition, ProcessInstance, User
from .accounts import roles_by_region


def actionable_tasks(user: User, region_code: str | None = None) -> Any:
    """The WHERE clause for open tasks the user may act on: in a lane they hold in the task's region, or meant
    for them alone; never tasks someone else has claimed."""
    return actionable_for(user.id, roles_by_region(user), region_code)


def actionable_for(user_id: int, roles_held: dict[str, set[str]], region_code: str | None = None) -> Any:
    """actionable_tasks for a user known by id and roles per region (as the page layout knows them)."""
    offered = [
        and_(HumanTask.region_code == region, HumanTask.role.in_(sorted(roles)))
        for region, roles in roles_held.items()
        if region_code is None or region == region_code
    ]
    personal = HumanTask.candidate_user_id == user_id
    if region_code is not None:
        personal = and_(personal, HumanTask.region_code == region_code)
    return and_(
        HumanTask.status == "open",
        or_(*offered, personal),
        # Unclaimed or claimed by me, written so that SQLite keeps the index plan even after ANALYZE.
        func.coalesce(HumanTask.assignee_id, 0).in_([0, user_id]),
    )


def count_open_tasks(session: Session, *, user_id: int, roles: dict[str, set[str]]) -> int:
    """How many open tasks the user may act on (the number beside 'Mijn taken'): one COUNT on human_task."""
    return session.scalar(select(func.count()).select_from(HumanTask).where(actionable_for(user_id, roles))) or 0


INBOX_ORDER = (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)  # overdue first: earliest due


@dataclass(frozen=True)
class InboxPage:
    tasks: list[HumanTask]
    total: int
    mine: int
    overdue: int
    page: int
    pages: int


def list_inbox(
    session: Session,
    *,
    user: User,
    now: datetime,
    region_code: str | None = None,
    process_key: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> InboxPage:
    """One page of the user's inbox, with the totals the page shows."""
    where = actionable_tasks(user, region_code)
    if process_key:
        where = and_(where, HumanTask.process_key == process_key)
    mine, overdue, total = session.execute(
        select(
            func.coalesce(func.sum(case((HumanTask.assignee_id == user.id, 1), else_=0)), 0),
            func.coalesce(func.sum(case((HumanTask.due_at < now, 1), else_=0)), 0),
            func.count(),
        ).where(where)
    ).one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    # Sort and cut on human_task alone, then load just these rows with their instance's title (never its
    # engine state).
    page_ids = select(HumanTask.id).where(where).order_by(*INBOX_ORDER).limit(per_page).offset((page - 1) * per_page)
    tasks = session.scalars(
        select(HumanTask)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .options(contains_eager(HumanTask.instance).load_only(ProcessInstance.id, ProcessInstance.title))
        .where(HumanTask.id.in_(page_ids.scalar_subquery()))
        .order_by(*INBOX_ORDER)
    ).all()
    return InboxPage(list(tasks), int(total), int(mine), int(overdue), page, pages)


@dataclass(frozen=True)
class TaskSlice:
    """Open tasks from `offset` on, in inbox order, and how many there are in all."""

    tasks: list[HumanTask]
    total: int


def slice_open_tasks(
    session: Session, *, user: User, region_code: str | None = None, limit: int, offset: int
) -> TaskSlice:
    """At most `limit` of the user's open tasks from `offset`, in the inbox's order, with one COUNT for the total."""
    where = actionable_tasks(user, region_code)
    total = session.scalar(select(func.count()).select_from(HumanTask).where(where)) or 0
    if offset >= total:
        return TaskSlice([], total)
    tasks = session.scalars(
        select(HumanTask)
        .where(where)
        .order_by(*INBOX_ORDER)
        .limit(limit)
        .offset(offset)
        # What the API shows of each task, loaded with it (never an instance's engine state, never one row a time).
        .options(
            joinedload(HumanTask.instance)
            .load_only(ProcessInstance.id, ProcessInstance.title, ProcessInstance.definition_id)
            .joinedload(ProcessInstance.definition)
            .load_only(ProcessDefinition.id, ProcessDefinition.process_key),
            joinedload(HumanTask.assignee).load_only(User.id, User.email),
        )
    ).all()
    return TaskSlice(list(tasks), total)
