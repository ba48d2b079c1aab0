"""Demo data for `make run`: two regions with the four roles each, a small regioplan with a budget, a handful of
partners, the known deadlines in their calendars, and an administrator without region roles. Loaded into an empty
database only, and never in production."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import PROCESS_OWNER, ROLES, Activity, BudgetLine, ProgrammeLine, User
from .accounts import create_user_bypassing_password_policy, ensure_region, grant_role
from .deadlines import seed_calendar
from .partners import PartnerValues, add_contact, add_partner, link_activity

DEMO_PASSWORD = "demo"
DEMO_ADMIN = "beheerder@demo.sto"
DEMO_PROCESS_OWNER = "procesbeheerder@demo.sto"  # edits and deploys the processes of every region
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
            title = "Coördinator" if role == "coordinator" else role.capitalize()  # the role's name as people write it
            user = create_demo_user(
                session, email=f"{role}@{code}.sto", name=f"{title} {name}", now=now, fast_hash=fast_hash
            )
            grant_role(session, user=user, region_code=code, role=role)
        _load_regioplan(session, code)
        _load_partners(session, code, now)
        seed_calendar(session, region_code=code, now=now)
    admin = create_demo_user(session, email=DEMO_ADMIN, name="Beheerder STO", now=now, fast_hash=fast_hash)
    admin.is_admin = True
    owner = create_demo_user(
        session, email=DEMO_PROCESS_OWNER, name="Procesbeheerder STO", now=now, fast_hash=fast_hash
    )
    owner.is_process_owner = True
    # A process owner of one region only: may deploy Regio Noord's own variants, not the shared processes.
    regional = create_demo_user(
        session, email="procesbeheerder@noord.sto", name="Procesbeheerder Regio Noord", now=now, fast_hash=fast_hash
    )
    grant_role(session, user=regional, region_code="noord", role=PROCESS_OWNER)
    session.flush()


def create_demo_user(session: Session, *, email: str, name: str, now: datetime, fast_hash: bool = False) -> User:
    """A user with the password 'demo', which the password policy would refuse: demo data and tests only."""
    return create_user_bypassing_password_policy(
        session, email=email, name=name, password=DEMO_PASSWORD, now=now, fast_hash=fast_hash
    )


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


# (region, kind, name, BRIN, bevoegd gezag, place, profielen, leerwegen, status, contact, activities joined)
PARTNERS: list[tuple[str, str, str, str, str, str, list[str], list[str], str, tuple[str, str, str], list[str]]] = [
    (
        "demo",
        "vmbo",
        "Vakcollege De Brug",
        "30XY00",
        "Stichting Onderwijs De Brug",
        "Zwolle",
        ["bwi", "pie", "mvi"],
        ["BB", "KB", "GL"],
        "actief",
        ("Ingrid Bakker", "i.bakker@debrug.example", "teamleider techniek"),
        ["Open lessen techniekprofielen", "Gezamenlijke leerlijn PIE-mbo"],
    ),
    (
        "demo",
        "vmbo",
        "Scholengemeenschap Het Anker",
        "12AB01",
        "Vereniging Het Anker",
        "Kampen",
        ["pie", "mt", "zw"],
        ["BB", "KB"],
        "actief",
        ("Mehmet Yilmaz", "m.yilmaz@hetanker.example", "coördinator bovenbouw"),
        ["Techniekmiddagen basisonderwijs", "Scholing docenten robotica"],
    ),
    (
        "demo",
        "mbo",
        "Techniek College Oost",
        "25RK00",
        "Stichting Techniek College Oost",
        "Deventer",
        [],
        [],
        "actief",
        ("Sanne de Vries", "s.devries@tcoost.example", "opleidingsmanager"),
        ["Gezamenlijke leerlijn PIE-mbo"],
    ),
    (
        "demo",
        "po",
        "Basisschool De Tandem",
        "08QZ00",
        "Stichting Primair Onderwijs Zwolle",
        "Zwolle",
        [],
        [],
        "actief",
        ("Joost Smit", "j.smit@detandem.example", "directeur"),
        ["Techniekmiddagen basisonderwijs"],
    ),
    (
        "demo",
        "bedrijf",
        "Installatiebedrijf Van Dijk",
        "",
        "",
        "Zwolle",
        [],
        [],
        "actief",
        ("Peter van Dijk", "peter@vandijk-installatie.example", "eigenaar"),
        ["Gastlessen uit het bedrijfsleven"],
    ),
    (
        "noord",
        "vmbo",
        "Noorderpoort Vmbo Techniek",
        "41NO00",
        "Stichting Noorderpoort",
        "Groningen",
        ["bwi", "pie", "mat"],
        ["BB", "KB", "GL"],
        "actief",
        ("Anke Visser", "a.visser@noorderpoort.example", "teamleider"),
        ["Open lessen techniekprofielen"],
    ),
]
DEMO_PARTNERS_SINCE = "2024-01-01"  # the start of the subsidy period


def _load_partners(session: Session, region_code: str, now: datetime) -> None:
    activities = {a.name: a.id for a in session.scalars(select(Activity).where(Activity.region_code == region_code))}
    for region, kind, name, brin, gezag, place, profielen, leerwegen, status, contact, joined in PARTNERS:
        if region != region_code:
            continue
        values = PartnerValues(
            kind=kind, name=name, brin=brin, bevoegd_gezag=gezag, place=place, profielen=profielen,
            leerwegen=leerwegen, status=status, active_from=DEMO_PARTNERS_SINCE,
        )  # fmt: skip
        partner = add_partner(session, user=None, region_code=region_code, values=values, now=now)
        contact_name, email, role = contact
        add_contact(
            session, user=None, region_code=region_code, partner_id=partner.id, name=contact_name, email=email,
            role=role, now=now,
        )  # fmt: skip
        for activity in joined:
            link_activity(
                session, user=None, region_code=region_code, partner_id=partner.id, activity_id=activities[activity],
                now=now,
            )  # fmt: skip
