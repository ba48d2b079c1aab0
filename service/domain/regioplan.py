"""The regioplan and begroting register: what the region plans, and the mutations approved requests made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Activity, BudgetLine, BudgetMutation, Partner, ProgrammeLine, ReportItem, User
from .errors import InvalidInput

YEARS = (2025, 2026, 2027, 2028)


def list_options(session: Session, region_code: str, source: str) -> list[tuple[str, str]]:
    """(value, label) pairs for a form field filled from the region's data: its regioplan or its partners."""
    if source == "programmalijnen":
        lines = session.scalars(
            select(ProgrammeLine).where(ProgrammeLine.region_code == region_code).order_by(ProgrammeLine.name)
        )
        return [(line.code, line.name) for line in lines]
    if source == "activiteiten":
        activities = session.scalars(
            select(Activity).where(Activity.region_code == region_code).order_by(Activity.name)
        )
        return [(a.name, a.name) for a in activities]
    if source == "partners":  # only the active ones: a candidate or a partner that left cannot be chosen
        partners = session.scalars(
            select(Partner).where(Partner.region_code == region_code, Partner.status == "actief").order_by(Partner.name)
        )
        return [(str(p.id), p.name) for p in partners]
    raise ValueError(f"unknown option source {source!r}")


def available_budget(session: Session, activity: Activity, year: int) -> Decimal:
    """Planned budget of an activity in a year, after every mutation into and out of it."""
    planned = session.scalar(
        select(func.coalesce(func.sum(BudgetLine.amount), 0)).where(
            BudgetLine.activity_id == activity.id, BudgetLine.year == year
        )
    )
    incoming = session.scalar(
        select(func.coalesce(func.sum(BudgetMutation.amount), 0)).where(
            BudgetMutation.to_activity_id == activity.id, BudgetMutation.year == year
        )
    )
    outgoing = session.scalar(
        select(func.coalesce(func.sum(BudgetMutation.amount), 0)).where(
            BudgetMutation.from_activity_id == activity.id, BudgetMutation.year == year
        )
    )
    return Decimal(planned) + Decimal(incoming) - Decimal(outgoing)


@dataclass(frozen=True)
class MutationRequest:
    """What an approved change request asks to record."""

    activiteit: str
    programmalijn: str
    doelstelling: str | None
    van_activiteit: str | None
    jaar: int
    bedrag: Decimal
    omschrijving: str


def record_mutation(
    session: Session,
    *,
    region_code: str,
    instance_id: int,
    request: MutationRequest,
    actor: User | None,
    now: datetime,
) -> dict[str, object]:
    """Add the activity to the regioplan when new, and move the budget; InvalidInput when it cannot be done."""
    line = session.scalar(
        select(ProgrammeLine).where(
            ProgrammeLine.region_code == region_code, ProgrammeLine.code == request.programmalijn
        )
    )
    if line is None:
        raise InvalidInput(
            "Onbekende programmalijn.", {"programmalijn": "Deze programmalijn staat niet in het regioplan."}
        )
    if request.jaar not in YEARS:
        raise InvalidInput("Ongeldig jaar.", {"jaar": "Kies een jaar van 2025 tot en met 2028."})
    activity = _find_activity(session, region_code, request.activiteit)
    created = activity is None
    if activity is None:
        activity = Activity(
            region_code=region_code,
            programme_line_id=line.id,
            name=request.activiteit.strip(),
            doelstelling=request.doelstelling,
            in_original_plan=False,
            added_by_instance_id=instance_id,
        )
        session.add(activity)
        session.flush()
    source = None
    if request.van_activiteit:
        source = _find_activity(session, region_code, request.van_activiteit)
        if source is None:
            raise InvalidInput(
                "Onbekende bronactiviteit.", {"van_activiteit": "Deze activiteit staat niet in het regioplan."}
            )
        if source.id == activity.id:
            raise InvalidInput(
                "Zelfde activiteit.", {"van_activiteit": "Kies een andere activiteit dan de ontvangende."}
            )
        room = available_budget(session, source, request.jaar)
        if request.bedrag > room:
            raise InvalidInput(
                "Onvoldoende budget.",
                {"bedrag_mutatie": f"Op '{source.name}' is in {request.jaar} nog EUR {room:,.2f} beschikbaar."},
            )
    mutation = None
    if request.bedrag > 0:
        mutation = BudgetMutation(
            region_code=region_code,
            instance_id=instance_id,
            from_activity_id=source.id if source else None,
            to_activity_id=activity.id,
            year=request.jaar,
            amount=request.bedrag,
            description=request.omschrijving,
            recorded_by_id=actor.id if actor else None,
            recorded_at=now,
        )
        session.add(mutation)
        session.flush()
    return {
        "activiteit_id": activity.id,
        "activiteit_nieuw": created,
        "mutatie_id": mutation.id if mutation else None,
    }


def add_report_item(session: Session, *, region_code: str, instance_id: int, title: str, now: datetime) -> ReportItem:
    """Mark a change for the next progress report."""
    item = ReportItem(
        region_code=region_code,
        instance_id=instance_id,
        report_kind="voortgangsrapportage",
        title=title,
        created_at=now,
    )
    session.add(item)
    session.flush()
    return item


def _find_activity(session: Session, region_code: str, name: str) -> Activity | None:
    return session.scalar(
        select(Activity).where(Activity.region_code == region_code, func.lower(Activity.name) == name.strip().lower())
    )
