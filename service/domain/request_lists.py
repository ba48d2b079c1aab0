"""Lists to find a request again: 'mine' (requests the user started or took a step in) and 'all' (every request of
the regions where the user holds a role; administrators see every region), filtered, searched, sorted and paged in
SQL on process_instance and human_task. Engine state is never opened; another region's requests never appear."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import HumanTask, ProcessDefinition, ProcessInstance, Region, User
from .accounts import roles_by_region
from .errors import InvalidInput
from .statuses import DECIDED as _DECIDED
from .statuses import STATUSES, status_word
from .texts import N_

SCOPES = ("mine", "all")
SORTS = ("-started", "started", "due", "-due", "title", "-title")
MAX_QUERY = 200
EXPORT_BATCH = 500

_BESLUIT = ProcessInstance.data["besluit"].as_string()
_OMSCHRIJVING = ProcessInstance.data["omschrijving"].as_string()


@dataclass(frozen=True)
class RequestFilter:
    """What the list is narrowed to and how it is ordered; empty means everything. Unknown values are refused."""

    scope: str = "mine"
    process: str = ""
    region: str = ""
    status: str = ""
    q: str = ""
    sort: str = "-started"


@dataclass(frozen=True)
class Step:
    """An open task of a request: who holds it is the person who claimed it, else its lane (None: the requester)."""

    name: str
    role: str | None
    holder: str | None
    due_at: datetime | None


@dataclass(frozen=True)
class RequestRow:
    id: int
    title: str
    process_key: str
    process_name: str
    region_code: str
    region_name: str
    status: str  # one of STATUSES
    started_at: datetime
    amount: Decimal | None
    may_open: bool  # False for an administrator outside the request's region: the detail page is for members
    steps: list[Step] = field(default_factory=list)

    @property
    def due_at(self) -> datetime | None:
        """The earliest due date of the open tasks."""
        return min((step.due_at for step in self.steps if step.due_at), default=None)

    def overdue(self, now: datetime) -> bool:
        return self.due_at is not None and self.due_at < now


@dataclass(frozen=True)
class RequestPage:
    rows: list[RequestRow]
    total: int
    page: int
    pages: int


def visible_regions(session: Session, user: User) -> list[str]:
    """The regions whose requests the user may list: where they hold a role, or every region for an administrator."""
    if user.is_admin:
        return list(session.scalars(select(Region.code).order_by(Region.code)))
    return sorted(roles_by_region(user))


def check_filter(session: Session, user: User, wanted: RequestFilter) -> None:
    """InvalidInput naming each field (scope, process, region, status, q, sort) whose value is not allowed."""
    fields = {}
    if wanted.scope not in SCOPES:
        fields["scope"] = N_("Kies mijn of alle verzoeken.")
    if wanted.process and wanted.process not in _process_keys(session):
        fields["process"] = N_("Onbekend proces.")
    if wanted.region and wanted.region not in visible_regions(session, user):
        fields["region"] = N_("Onbekende regio.")  # the same for a region that exists elsewhere: nothing leaks
    if wanted.status and wanted.status not in STATUSES:
        fields["status"] = N_("Onbekende status.")
    if len(wanted.q) > MAX_QUERY:
        fields["q"] = N_("Gebruik hoogstens %(max)s tekens.", max=MAX_QUERY)
    if wanted.sort not in SORTS:
        fields["sort"] = N_("Onbekende sortering.")
    if fields:
        raise InvalidInput(N_("Het filter klopt niet."), fields)


def list_requests(
    session: Session, *, user: User, wanted: RequestFilter, page: int = 1, per_page: int = 25, clamp: bool = True
) -> RequestPage:
    """One page of the list with its total; `clamp` turns a page past the last into the last one."""
    check_filter(session, user, wanted)
    where = _where(session, user, wanted)
    total = session.scalar(select(func.count()).select_from(ProcessInstance).where(where)) or 0
    pages = max(1, -(-total // per_page))
    if clamp:
        page = min(max(page, 1), pages)
    rows = _rows(session, user, where, wanted.sort, limit=per_page, offset=(page - 1) * per_page)
    return RequestPage(rows, int(total), page, pages)


def iter_requests(session: Session, *, user: User, wanted: RequestFilter) -> Iterator[RequestRow]:
    """Every row of the list (all pages), in the list's order, read in batches."""
    check_filter(session, user, wanted)
    where = _where(session, user, wanted)
    offset = 0
    while True:
        batch = _rows(session, user, where, wanted.sort, limit=EXPORT_BATCH, offset=offset)
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH


def _process_keys(session: Session) -> set[str]:
    return set(session.scalars(select(ProcessDefinition.process_key).distinct()))


def _status_condition(word: str) -> Any:
    completed = ProcessInstance.status == "completed"
    if word == "ingetrokken":
        return ProcessInstance.status == "withdrawn"
    if word in _DECIDED:
        return and_(completed, word == _BESLUIT)
    if word == "afgerond":
        return and_(completed, func.coalesce(_BESLUIT, "").not_in(_DECIDED))
    running = ProcessInstance.status.not_in(("completed", "withdrawn"))
    if word == "gepauzeerd":
        return and_(running, ProcessInstance.suspended_at.is_not(None))
    return and_(running, ProcessInstance.suspended_at.is_(None))


def _where(session: Session, user: User, wanted: RequestFilter) -> Any:
    regions = [wanted.region] if wanted.region else visible_regions(session, user)
    conditions = [ProcessInstance.region_code.in_(regions)]
    if wanted.scope == "mine":
        took_a_step = exists().where(HumanTask.instance_id == ProcessInstance.id, HumanTask.completed_by_id == user.id)
        conditions.append(or_(ProcessInstance.started_by_id == user.id, took_a_step))
    if wanted.process:
        versions = select(ProcessDefinition.id).where(ProcessDefinition.process_key == wanted.process)
        conditions.append(ProcessInstance.definition_id.in_(versions))
    if wanted.status:
        conditions.append(_status_condition(wanted.status))
    text = wanted.q.strip()
    if text:
        conditions.append(
            or_(ProcessInstance.title.icontains(text, autoescape=True), _OMSCHRIJVING.icontains(text, autoescape=True))
        )
    return and_(*conditions)


def _order(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    if sort.lstrip("-") == "due":
        earliest = (
            select(func.min(HumanTask.due_at))
            .where(HumanTask.instance_id == ProcessInstance.id, HumanTask.status == "open")
            .scalar_subquery()
        )
        # Requests without a due date come last either way: they are the least urgent.
        return [earliest.is_(None), earliest.desc() if descending else earliest, ProcessInstance.id]
    column = func.lower(ProcessInstance.title) if sort.lstrip("-") == "title" else ProcessInstance.started_at
    if descending:
        return [column.desc(), ProcessInstance.id.desc()]
    return [column, ProcessInstance.id]


def _rows(session: Session, user: User, where: Any, sort: str, *, limit: int, offset: int) -> list[RequestRow]:
    definition = aliased(ProcessDefinition)
    found = session.execute(
        select(
            ProcessInstance.id,
            ProcessInstance.title,
            ProcessInstance.region_code,
            ProcessInstance.status,
            ProcessInstance.suspended_at,
            ProcessInstance.started_at,
            _BESLUIT.label("besluit"),
            ProcessInstance.data["bedrag"].label("bedrag"),
            definition.process_key,
            definition.name,
            Region.name.label("region_name"),
        )
        .join(definition, definition.id == ProcessInstance.definition_id)
        .join(Region, Region.code == ProcessInstance.region_code)
        .where(where)
        .order_by(*_order(sort))
        .limit(limit)
        .offset(offset)
    ).all()
    steps = _open_steps(session, [row.id for row in found])
    member_of = roles_by_region(user)
    return [
        RequestRow(
            id=row.id,
            title=row.title,
            process_key=row.process_key,
            process_name=row.name,
            region_code=row.region_code,
            region_name=row.region_name,
            status=status_word(row.status, row.besluit, row.suspended_at),
            started_at=row.started_at,
            amount=_amount(row.bedrag),
            may_open=row.region_code in member_of,
            steps=steps.get(row.id, []),
        )
        for row in found
    ]


def _amount(value: Any) -> Decimal | None:
    """The request's `bedrag` as a number; anything else (absent, text, a list) is no amount."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _open_steps(session: Session, instance_ids: list[int]) -> dict[int, list[Step]]:
    if not instance_ids:
        return {}
    found = session.execute(
        select(HumanTask.instance_id, HumanTask.name, HumanTask.role, HumanTask.due_at, User.name.label("holder"))
        .outerjoin(User, User.id == HumanTask.assignee_id)
        .where(HumanTask.instance_id.in_(instance_ids), HumanTask.status == "open")
        .order_by(HumanTask.id)
    )
    steps: dict[int, list[Step]] = defaultdict(list)
    for row in found:
        steps[row.instance_id].append(Step(row.name, row.role, row.holder, row.due_at))
    return steps
