"""The console's list of instances: every region, filtered by process, region, status and "with an open
incident", in pages, with how many instances each status has under the other filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, joinedload

from ...models import Incident, ProcessDefinition, ProcessInstance, Region, User
from ..errors import InvalidInput
from ..texts import N_
from .guard import require_operator

# Operator status words and what each means in the columns. "ingetrokken" is the one stopped status:
# withdrawn by a region's staff or stopped ("geannuleerd") by an operator, both status "withdrawn".
OPERATOR_STATUSES = ("lopend", "gepauzeerd", "afgerond", "ingetrokken")
PAGE_SIZE = 50


@dataclass(frozen=True)
class ConsoleFilter:
    process: str = ""
    region: str = ""
    status: str = ""
    incident: bool = False
    page: int = 1


@dataclass(frozen=True)
class ConsoleRow:
    instance: ProcessInstance
    status: str
    open_incidents: int


@dataclass(frozen=True)
class ConsolePage:
    rows: list[ConsoleRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]  # per status word, under the other filters
    processes: list[tuple[str, str]]  # (key, name) to choose from
    regions: list[tuple[str, str]]


def operator_status(instance: ProcessInstance) -> str:
    if instance.status == "withdrawn":
        return "ingetrokken"
    if instance.status == "completed":
        return "afgerond"
    return "gepauzeerd" if instance.suspended_at is not None else "lopend"


def read_filter(args: dict[str, str]) -> ConsoleFilter:
    """The filter from query parameters; InvalidInput naming the field that is not understood."""
    status = args.get("status", "")
    if status and status not in OPERATOR_STATUSES:
        raise InvalidInput(N_("Onbekende filter."), {"status": N_("Onbekende status.")})
    page_text = args.get("pagina", "1") or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= 100_000:
        raise InvalidInput(N_("Onbekende filter."), {"pagina": N_("Geef een paginanummer vanaf 1.")})
    return ConsoleFilter(
        process=args.get("proces", "")[:100],
        region=args.get("regio", "")[:40],
        status=status,
        incident=args.get("storing", "") in ("1", "ja", "on"),
        page=int(page_text),
    )


def _status_condition(word: str) -> Any:
    if word == "ingetrokken":
        return ProcessInstance.status == "withdrawn"
    if word == "afgerond":
        return ProcessInstance.status == "completed"
    running = ProcessInstance.status.not_in(("completed", "withdrawn"))
    if word == "gepauzeerd":
        return and_(running, ProcessInstance.suspended_at.is_not(None))
    return and_(running, ProcessInstance.suspended_at.is_(None))


def _has_open_incident() -> Any:
    return exists().where(Incident.instance_id == ProcessInstance.id, Incident.resolved_at.is_(None))


def list_instances(session: Session, *, user: User, wanted: ConsoleFilter) -> ConsolePage:
    require_operator(user)
    others: list[Any] = []
    if wanted.process:
        versions = select(ProcessDefinition.id).where(ProcessDefinition.process_key == wanted.process)
        others.append(ProcessInstance.definition_id.in_(versions))
    if wanted.region:
        others.append(ProcessInstance.region_code == wanted.region)
    if wanted.incident:
        others.append(_has_open_incident())
    counts = {
        word: session.scalar(select(func.count()).select_from(ProcessInstance).where(*others, _status_condition(word)))
        or 0
        for word in OPERATOR_STATUSES
    }
    where = [*others, _status_condition(wanted.status)] if wanted.status else others
    total = session.scalar(select(func.count()).select_from(ProcessInstance).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(wanted.page, pages)
    instances = list(
        session.scalars(
            select(ProcessInstance)
            .options(joinedload(ProcessInstance.definition).defer(ProcessDefinition.files))
            .where(*where)
            .order_by(ProcessInstance.started_at.desc(), ProcessInstance.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    incident_counts = dict(
        session.execute(
            select(Incident.instance_id, func.count())
            .where(Incident.instance_id.in_([i.id for i in instances]), Incident.resolved_at.is_(None))
            .group_by(Incident.instance_id)
        ).all()
    )
    rows = [ConsoleRow(i, operator_status(i), incident_counts.get(i.id, 0)) for i in instances]
    # One name per key: the newest version's (versions may rename a process).
    names: dict[str, str] = {}
    for key, name in session.execute(
        select(ProcessDefinition.process_key, ProcessDefinition.name).order_by(ProcessDefinition.version)
    ):
        names[key] = name
    processes = sorted(names.items(), key=lambda pair: pair[1].lower())
    regions = [(r.code, r.name) for r in session.scalars(select(Region).order_by(func.lower(Region.name)))]
    return ConsolePage(rows, total, page, pages, counts, processes, regions)
