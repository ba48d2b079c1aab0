"""Demo data for `make run`: two regions with the four roles each, a small regioplan with a budget, the known
deadlines in their calendars, and an administrator without region roles. Loaded into an empty database only,
and never in production."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ROLES, Activity, BudgetLine, ProgrammeLine, User
from .accounts import create_user, ensure_region, grant_role
from .deadlines import seed_calendar

DEMO_PASSWORD = "demo"
DEMO_ADMIN = "beheerder@demo.sto"
REGIONS = {"demo": "Demo-regio", "noord": "Regio Noord"}
PROGRAMME_LINES = {
    "instroombevordering": "Instroombevordering",
    "docentprofessionalisering": "Docentprofessionalisering",
    "doorlopende_leerlijnen": "Doorlopende leerlijnen vmbo-mbo",
    "samenwerking_bedrijfsleven": "Samenwerking met het bedrijfsleven",
}
ACTIVITIES = [  # (name, programme line, goal, budget per year 2025..2028)
    ("Techniekmiddagen basisonderwijs", "instroombevordering", "Meer leerlingen kiezen voor techniek", 60000),
    ("Open lessen techniekprofielen", "instroombevordering", "Meer leerlingen kiezen voor techniek", 25000),
    ("Scholing docenten robotica", "docentprofessionalisering", "Techniekdocenten blijven bij", 40000),
    ("Gezamenlijke leerlijn PIE-mbo", "doorlopende_leerlijnen", "Soepele overstap naar het mbo", 30000),
    (
        "Gastlessen uit het bedrijfsleven",
        "samenwerking_bedrijfsleven",
        "Techniek zichtbaar maken in andere domeinen",
        20000,
    ),
]


def is_empty(session: Session) -> bool:
    """True when no user exists yet."""
    return not session.scalar(select(func.count()).select_from(User))


def load_demo_data(session: Session, *, now: datetime, fast_hash: bool = False) -> None:
    """Create the demo regions, users (password 'demo'), regioplans, deadline calendars and the administrator."""
    for code, name in REGIONS.items():
        ensure_region(session, code=code, name=name)
        for role in ROLES:
            user = create_user(
                session,
                email=f"{role}@{code}.sto",
                name=f"{role.capitalize()} {name}",
                password=DEMO_PASSWORD,
                now=now,
                fast_hash=fast_hash,
            )
            grant_role(session, user=user, region_code=code, role=role)
        _load_regioplan(session, code)
        seed_calendar(session, region_code=code, now=now)
    admin = create_user(
        session, email=DEMO_ADMIN, name="Beheerder STO", password=DEMO_PASSWORD, now=now, fast_hash=fast_hash
    )
    admin.is_admin = True
    session.flush()


def _load_regioplan(session: Session, region_code: str) -> None:
    lines = {}
    for code, name in PROGRAMME_LINES.items():
        lines[code] = ProgrammeLine(region_code=region_code, code=code, name=name)
        session.add(lines[code])
    session.flush()
    for name, line, goal, per_year in ACTIVITIES:
        activity = Activity(
            region_code=region_code,
            programme_line_id=lines[line].id,
            name=name,
            doelstelling=goal,
            in_original_plan=True,
        )
        session.add(activity)
        session.flush()
        for year in (2025, 2026, 2027, 2028):
            session.add(BudgetLine(activity_id=activity.id, year=year, amount=Decimal(per_year)))
    session.flush()
