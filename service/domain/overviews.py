"""Overviews for coordinators and penvoerders: the running requests of their regions, and the regioplan with
its begroting after mutations. Queries on tables only (never engine state); other regions never show up."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload

from ..models import (
    Activity,
    BudgetLine,
    BudgetMutation,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    ProgrammeLine,
    User,
)
from .accounts import roles_by_region
from .errors import NotAllowed, NotFound

OVERVIEW_ROLES = frozenset({"coordinator", "penvoerder"})
CENT = Decimal("0.01")


def list_overview_regions(user: User) -> list[str]:
    """The regions in which the user holds coordinator or penvoerder, sorted."""
    return sorted(code for code, roles in roles_by_region(user).items() if roles & OVERVIEW_ROLES)


def _allowed_regions(user: User, region_code: str | None) -> list[str]:
    """The regions to show: all of the user's overview regions, or the one asked for when allowed."""
    allowed = list_overview_regions(user)
    if region_code is None:
        if not allowed:
            raise NotAllowed("De overzichten zijn er voor coördinatoren en penvoerders; die rol heeft u in geen regio.")
        return allowed
    if region_code not in roles_by_region(user):
        raise NotFound("Niet gevonden.")  # not a member: do not even say whether the region exists
    if region_code not in allowed:
        raise NotAllowed("De overzichten van deze regio zijn er voor de coördinator en de penvoerder.")
    return [region_code]


@dataclass(frozen=True)
class CurrentStep:
    name: str
    role: str | None  # None: the task is meant for the requester personally
    assignee: str | None
    due_at: datetime | None


@dataclass(frozen=True)
class RunningInstance:
    id: int
    title: str
    process_name: str
    region_code: str
    started_at: datetime
    age_days: int
    steps: list[CurrentStep] = field(default_factory=list)


@dataclass(frozen=True)
class RunningPage:
    instances: list[RunningInstance]
    regions: list[str]  # the regions the user may filter on
    total: int
    page: int
    pages: int


def list_running_instances(
    session: Session,
    *,
    user: User,
    now: datetime,
    region_code: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> RunningPage:
    """Running instances of the user's overview regions, oldest first, with their open human tasks."""
    regions = _allowed_regions(user, region_code)
    where = (ProcessInstance.status == "running", ProcessInstance.region_code.in_(regions))
    total = session.scalar(select(func.count()).select_from(ProcessInstance).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.execute(
        select(
            ProcessInstance.id,
            ProcessInstance.title,
            ProcessInstance.region_code,
            ProcessInstance.started_at,
            ProcessDefinition.name,
        )
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(*where)
        .order_by(ProcessInstance.started_at, ProcessInstance.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    steps = _open_steps(session, [row.id for row in rows])
    instances = [
        RunningInstance(
            id=row.id,
            title=row.title,
            process_name=row.name,
            region_code=row.region_code,
            started_at=row.started_at,
            age_days=max(0, (now - row.started_at).days),
            steps=steps.get(row.id, []),
        )
        for row in rows
    ]
    return RunningPage(instances, list_overview_regions(user), total, page, pages)


def _open_steps(session: Session, instance_ids: list[int]) -> dict[int, list[CurrentStep]]:
    if not instance_ids:
        return {}
    tasks = session.scalars(
        select(HumanTask)
        .options(joinedload(HumanTask.assignee))
        .where(HumanTask.instance_id.in_(instance_ids), HumanTask.status == "open")
        .order_by(HumanTask.id)
    )
    steps: dict[int, list[CurrentStep]] = defaultdict(list)
    for task in tasks:
        assignee = task.assignee.name if task.assignee else None
        steps[task.instance_id].append(CurrentStep(task.name, task.role, assignee, task.due_at))
    return steps


@dataclass(frozen=True)
class ActivityRow:
    name: str
    programme_line: str
    planned: Decimal
    current: Decimal
    in_original_plan: bool
    added_by_instance_id: int | None
    added_by_title: str | None


@dataclass(frozen=True)
class LineTotal:
    code: str
    name: str
    planned: Decimal
    current: Decimal


@dataclass(frozen=True)
class MutationRow:
    from_activity: str | None  # None: new money, not moved from another activity
    to_activity: str
    year: int
    amount: Decimal
    description: str
    instance_id: int
    instance_title: str
    recorded_by: str | None  # None: recorded by the system
    recorded_at: datetime


@dataclass(frozen=True)
class Begroting:
    region_code: str
    regions: list[str]  # the regions the user may switch to
    lines: list[LineTotal]
    activities: list[ActivityRow]
    mutations: list[MutationRow]

    @property
    def planned(self) -> Decimal:
        return sum((line.planned for line in self.lines), Decimal(0))

    @property
    def current(self) -> Decimal:
        return sum((line.current for line in self.lines), Decimal(0))


def get_begroting(session: Session, *, user: User, region_code: str | None = None) -> Begroting:
    """The regioplan of one region: budgets per programme line and activity (all years), and every mutation."""
    region = _allowed_regions(user, region_code)[0]
    planned, current = _activity_budgets(session, region)
    added_by = aliased(ProcessInstance)
    rows = session.execute(
        select(Activity, ProgrammeLine.name, added_by.title)
        .join(ProgrammeLine, ProgrammeLine.id == Activity.programme_line_id)
        .outerjoin(added_by, added_by.id == Activity.added_by_instance_id)
        .where(Activity.region_code == region)
        .order_by(ProgrammeLine.name, Activity.name)
    ).all()
    activities = [
        ActivityRow(
            name=activity.name,
            programme_line=line_name,
            planned=planned.get(activity.id, Decimal(0)),
            current=current.get(activity.id, Decimal(0)),
            in_original_plan=activity.in_original_plan,
            added_by_instance_id=activity.added_by_instance_id,
            added_by_title=title,
        )
        for activity, line_name, title in rows
    ]
    by_line: dict[int, list[int]] = defaultdict(list)
    for activity, _line_name, _title in rows:
        by_line[activity.programme_line_id].append(activity.id)
    lines = [
        LineTotal(
            code=line.code,
            name=line.name,
            planned=sum((planned.get(i, Decimal(0)) for i in by_line[line.id]), Decimal(0)),
            current=sum((current.get(i, Decimal(0)) for i in by_line[line.id]), Decimal(0)),
        )
        for line in session.scalars(
            select(ProgrammeLine).where(ProgrammeLine.region_code == region).order_by(ProgrammeLine.name)
        )
    ]
    return Begroting(region, list_overview_regions(user), lines, activities, _mutations(session, region))


def _activity_budgets(session: Session, region_code: str) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Planned and after-mutation budget per activity id, over all years: three grouped queries, whatever the size."""
    planned = _sums(
        session,
        select(BudgetLine.activity_id, func.sum(BudgetLine.amount))
        .join(Activity, Activity.id == BudgetLine.activity_id)
        .where(Activity.region_code == region_code)
        .group_by(BudgetLine.activity_id),
    )
    incoming = _sums(
        session,
        select(BudgetMutation.to_activity_id, func.sum(BudgetMutation.amount))
        .where(BudgetMutation.region_code == region_code)
        .group_by(BudgetMutation.to_activity_id),
    )
    outgoing = _sums(
        session,
        select(BudgetMutation.from_activity_id, func.sum(BudgetMutation.amount))
        .where(BudgetMutation.region_code == region_code, BudgetMutation.from_activity_id.is_not(None))
        .group_by(BudgetMutation.from_activity_id),
    )
    current = {
        activity_id: planned.get(activity_id, Decimal(0))
        + incoming.get(activity_id, Decimal(0))
        - outgoing.get(activity_id, Decimal(0))
        for activity_id in planned.keys() | incoming.keys() | outgoing.keys()
    }
    return planned, current


def _sums(session: Session, query: Any) -> dict[int, Decimal]:
    return {key: Decimal(str(total or 0)).quantize(CENT) for key, total in session.execute(query)}


def _mutations(session: Session, region_code: str) -> list[MutationRow]:
    """The region's budget mutations, newest first, with the request that caused them and who recorded them."""
    source, target = aliased(Activity), aliased(Activity)
    rows = session.execute(
        select(BudgetMutation, source.name, target.name, ProcessInstance.title, User.name)
        .outerjoin(source, source.id == BudgetMutation.from_activity_id)
        .join(target, target.id == BudgetMutation.to_activity_id)
        .join(ProcessInstance, ProcessInstance.id == BudgetMutation.instance_id)
        .outerjoin(User, User.id == BudgetMutation.recorded_by_id)
        .where(BudgetMutation.region_code == region_code)
        .order_by(BudgetMutation.recorded_at.desc(), BudgetMutation.id.desc())
    ).all()
    return [
        MutationRow(
            from_activity=from_name,
            to_activity=to_name,
            year=mutation.year,
            amount=Decimal(str(mutation.amount)),
            description=mutation.description,
            instance_id=mutation.instance_id,
            instance_title=title,
            recorded_by=who,
            recorded_at=mutation.recorded_at,
        )
        for mutation, from_name, to_name, title, who in rows
    ]
