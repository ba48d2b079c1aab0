"""Benchmark part D: the 'Mijn taken' page (GET /) with 20,000 open tasks in the database.

Run with the rest: `make bench` (bench/run.py calls this after its own report); alone:
cd /work/main && .venv/bin/python bench/inbox.py [--profile] [--explain] [--placeholder-state]

The database is built the way bench/run.py builds it (a fresh SQLite file, migrated, demo data with fast_hash=True,
diagrams deployed), then filled with SQLAlchemy core inserts, never through the workflow engine: extra regions and
users, two more (placeholder) process definitions, INSTANCES process instances spread over the regions, each with
a few open and a few completed human_task rows over the four lanes, some claimed, some overdue, some due later;
OPEN_TASKS open tasks in all. The signed-in user (penvoerder@demo.sto, signed in through the sign-in page with its
CSRF token) may act on a small minority of them.

process_instance.state gets filler of the size real engine states have (bench part A/C: 5 KB after the first step,
27 KB after 50 loop steps), not a tiny placeholder: the inbox query joins process_instance and loads whole rows
(contains_eager), so the size of that table matters. `--placeholder-state` stores '{}' instead.

Measured, wall-clock per request (time.perf_counter_ns) after a warm-up, both URLs interleaved:
  D  page: GET / (first page, no filters) and GET /?regio=demo&proces=wijzigingsverzoek&pagina=3 through the Flask
     test client (session cookie, the whole request: auth, queries, template, response). Inside each request the
     calls to list_inbox and render_template of service/web/pages/inbox.py are timed too (wrapped in this process
     only), which splits a request into query, template and the rest (WSGI, session, user, definitions);
  D  query: service.domain.inbox.list_inbox called directly with the same arguments in a read transaction (user
     loaded the way page_call loads it, outside the timed region).
The page's numbers (rows in the table, 'Open taken', 'Door mij opgepakt', 'Te laat') are checked against what the
bench inserted. SQLite's query plan of the statements list_inbox runs is printed in short; `--explain` prints them
in full with the SQL, `--profile` adds a cProfile of the page requests.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import importlib
import io
import json
import pstats
import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from samples import Samples
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import joinedload

from service.domain import demo
from service.domain.inbox import list_inbox
from service.domain.passwords import hash_password
from service.models import (
    ROLES,
    HumanTask,
    Membership,
    ProcessDefinition,
    ProcessInstance,
    Region,
    User,
)
from service.web.app import create_app
from service.web.pages.inbox import PER_PAGE
from service.web.runtime import Runtime

# the module of the inbox page (service.web.pages.inbox is the blueprint there, shadowing the module)
inbox_page = importlib.import_module("service.web.pages.inbox")

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the clock of bench/run.py's runtime
SEED = 20261130

INSTANCES = 5_000
OPEN_TASKS = 20_000
REQUESTS = 200  # measured requests per URL
WARMUP = 20
PROFILE_REQUESTS = 100

STATE_KB = (4, 12)  # most instances: engine state of 4..12 KB ...
LONG_STATE_KB = (20, 30)  # ... and LONG_STATE_SHARE of them long-lived, with more history
LONG_STATE_SHARE = 0.1

TARGET_MEDIAN_MS = 30.0
TARGET_P95_MS = 60.0

USER_EMAIL = "penvoerder@demo.sto"
EXTRA_REGIONS = {"oost": "Regio Oost", "west": "Regio West", "zuid": "Regio Zuid", "midden": "Regio Midden"}
REGION_WEIGHTS = {"demo": 22, "noord": 18, "oost": 16, "west": 16, "zuid": 14, "midden": 14}

URLS = {
    "GET /": "/",
    "GET /?regio=demo&proces=wijzigingsverzoek&pagina=3": "/?regio=demo&proces=wijzigingsverzoek&pagina=3",
}
URL_FILTERS: dict[str, dict[str, Any]] = {
    "/": {"region_code": None, "process_key": None, "page": 1},
    "/?regio=demo&proces=wijzigingsverzoek&pagina=3": {
        "region_code": "demo",
        "process_key": "wijzigingsverzoek",
        "page": 3,
    },
}


# --- the realistic mix of tasks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A user task of a process: its BPMN id, name, lane (None: the requester's own task) and form."""

    spec_name: str
    name: str
    role: str | None
    form: str | None = None
    due_days: int | None = None  # like the diagram's dueIn


WV_FORM = "wijzigingsverzoek_{}.schema.json"

# wijzigingsverzoek is the real diagram (bpmn/wijzigingsverzoek.bpmn); the other two are placeholder definitions
# the bench inserts so the process filter and the coordinator lane have something to do.
PROCESSES: dict[str, tuple[str, int, list[Step]]] = {  # key -> (name, weight, steps)
    "wijzigingsverzoek": (
        "Wijzigingsverzoek",
        60,
        [  # the real diagram's user tasks with their lanes, forms and dueIn; plus the requester's own task
            Step("indienen", "Wijzigingsverzoek indienen", "projectleider", WV_FORM.format("indienen")),
            Step("toetsen", "Subsidieregels en begroting toetsen", "penvoerder", WV_FORM.format("toetsen")),
            Step("besluiten", "Besluiten over het wijzigingsverzoek", "stuurgroep", WV_FORM.format("besluiten"), 21),
            Step("vastleggen", "Vastleggen in regioplan en begroting", "projectleider", WV_FORM.format("vastleggen")),
            Step("melden_dus_i", "Wijziging schriftelijk melden aan DUS-I", "penvoerder", WV_FORM.format("melden")),
            Step("aanvullen", "Verzoek aanvullen", None, None, 10),
        ],
    ),
    "nieuwe_partner": (
        "Nieuwe partner",
        25,
        [
            Step("aanmelden", "Partner aanmelden", "projectleider"),
            Step("beoordelen", "Aanmelding beoordelen", "coordinator", None, 14),
            Step("besluiten", "Besluiten over toetreding", "stuurgroep", None, 28),
            Step("overeenkomst", "Samenwerkingsovereenkomst vastleggen", "penvoerder"),
        ],
    ),
    "voortgangsrapportage": (
        "Voortgangsrapportage",
        15,
        [
            Step("samenstellen", "Rapportage samenstellen", "coordinator", None, 30),
            Step("aanleveren", "Cijfers aanleveren", "projectleider", None, 14),
            Step("vaststellen", "Rapportage vaststellen", "stuurgroep", None, 21),
            Step("indienen", "Rapportage indienen bij DUS-I", "penvoerder", None, 7),
        ],
    ),
}
TOPICS = (
    "Techniekmiddagen basisonderwijs",
    "Open lessen techniekprofielen",
    "Scholing docenten robotica",
    "Gezamenlijke leerlijn PIE-mbo",
    "Gastlessen uit het bedrijfsleven",
    "Zorgrobots in de praktijk",
    "Lasersnijder voor het praktijklokaal",
    "Zomerschool installatietechniek",
)


@dataclass
class Expected:
    """What the bench inserted that the signed-in user may act on, per URL filter (total, mine, overdue)."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def counts(
        self, user_id: int, roles: dict[str, set[str]], region: str | None, process: str | None
    ) -> tuple[int, int, int]:
        total = mine = overdue = 0
        for t in self.rows:
            if t["status"] != "open" or t["assignee_id"] not in (None, user_id):
                continue
            if region is not None and t["region_code"] != region:
                continue
            if process is not None and t["process_key"] != process:
                continue
            offered = t["role"] in roles.get(t["region_code"], set())
            if not (offered or t["candidate_user_id"] == user_id):
                continue
            total += 1
            mine += t["assignee_id"] == user_id
            overdue += t["due_at"] is not None and t["due_at"] < START
        return total, mine, overdue


@dataclass
class Population:
    """Users per (region, role), for starters and assignees."""

    by_role: dict[tuple[str, str], list[int]]
    user_id: int


def _users(connection: Any) -> Population:
    """Extra regions with a holder of each role, and a second holder of every role in every region (so that
    penvoerder2@demo.sto claims some of the tasks our user would otherwise see); the demo users stay as they are."""
    password_hash = hash_password(demo.DEMO_PASSWORD, fast=True)
    connection.execute(insert(Region.__table__), [{"code": c, "name": n} for c, n in EXTRA_REGIONS.items()])
    people = [(f"{role}@{code}.sto", code, role) for code in EXTRA_REGIONS for role in ROLES]
    people += [(f"{role}2@{code}.sto", code, role) for code in REGION_WEIGHTS for role in ROLES]
    connection.execute(
        insert(User.__table__),
        [
            {
                "email": email,
                "name": email.split("@")[0].capitalize(),
                "password_hash": password_hash,
                "is_admin": False,
                "active": True,
                "created_at": START,
            }
            for email, _code, _role in people
        ],
    )
    ids = dict(connection.execute(select(User.email, User.id)).all())
    connection.execute(
        insert(Membership.__table__),
        [{"user_id": ids[email], "region_code": code, "role": role} for email, code, role in people],
    )
    by_role: dict[tuple[str, str], list[int]] = {}
    for user_id, code, role in connection.execute(select(Membership.user_id, Membership.region_code, Membership.role)):
        by_role.setdefault((code, role), []).append(user_id)
    return Population(by_role, ids[USER_EMAIL])


def _definitions(connection: Any) -> dict[str, int]:
    """The newest definition id per process key; placeholder definitions for the processes without a diagram."""
    for key, (name, _weight, _steps) in PROCESSES.items():
        if connection.scalar(select(func.count()).where(ProcessDefinition.process_key == key)):
            continue
        files = {f"{key}.bpmn": f"<!-- bench placeholder for {key}: the inbox never parses it -->"}
        connection.execute(
            insert(ProcessDefinition.__table__),
            {
                "process_key": key,
                "version": 1,
                "name": name,
                "sha256": hashlib.sha256(files[f"{key}.bpmn"].encode()).hexdigest(),
                "files": files,
                "deployed_by": "bench",
                "deployed_at": START,
            },
        )
    rows = connection.execute(
        select(ProcessDefinition.process_key, func.max(ProcessDefinition.id)).group_by(ProcessDefinition.process_key)
    )
    return dict(rows.all())


def _open_counts(rng: random.Random) -> list[int]:
    """Open tasks per instance: 1..7, summing to exactly OPEN_TASKS."""
    counts = [rng.randint(1, 7) for _ in range(INSTANCES)]
    while (diff := sum(counts) - OPEN_TASKS) != 0:
        i = rng.randrange(INSTANCES)
        if diff > 0 and counts[i] > 1:
            counts[i] -= 1
        elif diff < 0 and counts[i] < 7:
            counts[i] += 1
    return counts


def state_filler(rng: random.Random, placeholder: bool) -> str:
    """Stand-in for the engine state of an instance: JSON of a realistic size (the inbox never parses it)."""
    if placeholder:
        return "{}"
    low, high = LONG_STATE_KB if rng.random() < LONG_STATE_SHARE else STATE_KB
    return json.dumps({"bench_filler": "x" * (rng.randint(low, high) * 1024)})


def populate(runtime: Runtime, *, placeholder_state: bool = False) -> Expected:
    """Bulk-insert the instances and tasks with core inserts in one transaction; return what was inserted."""
    rng = random.Random(SEED)
    state_rng = random.Random(SEED + 1)  # apart, so --placeholder-state gives the same tasks
    expected = Expected()
    with runtime.db.write_engine.begin() as connection:
        people = _users(connection)
        definitions = _definitions(connection)
        regions, region_weights = list(REGION_WEIGHTS), list(REGION_WEIGHTS.values())
        keys, key_weights = list(PROCESSES), [w for _name, w, _steps in PROCESSES.values()]
        first_id = (connection.scalar(select(func.max(ProcessInstance.id))) or 0) + 1
        instances: list[dict[str, Any]] = []
        tasks: list[dict[str, Any]] = []
        for n, open_count in enumerate(_open_counts(rng)):
            instance_id = first_id + n
            region = rng.choices(regions, region_weights)[0]
            key = rng.choices(keys, key_weights)[0]
            name, _weight, steps = PROCESSES[key]
            starter = rng.choice(people.by_role[(region, "projectleider")])
            started = START - timedelta(days=rng.uniform(1, 180))
            instances.append(
                {
                    "id": instance_id,
                    "definition_id": definitions[key],
                    "region_code": region,
                    "title": f"{name} {instance_id}: {rng.choice(TOPICS)}",
                    "status": "running",
                    "state": state_filler(state_rng, placeholder_state),
                    "data": {"regio": region, "titel": rng.choice(TOPICS), "bedrag": rng.randrange(500, 60_000, 500)},
                    "started_by_id": starter,
                    "started_at": started,
                    "updated_at": started + (START - started) / 2,
                    "completed_at": None,
                    "version": 1,
                }
            )
            for i in range(rng.randint(1, 4)):  # history: completed tasks
                step = steps[i % len(steps)]
                done = started + timedelta(days=rng.uniform(0, (START - started).days / 2))
                actor = rng.choice(people.by_role[(region, step.role or "projectleider")])
                tasks.append(
                    task_row(
                        rng, instance_id, key, region, step, created=started, completed_by=actor, completed_at=done
                    )
                )
            for _ in range(open_count):  # the open tasks: a few lanes at once (parallel branches, reminders)
                step = rng.choice(steps)
                created = started + timedelta(days=rng.uniform(0, (START - started).days))
                due = None
                if step.due_days is not None or rng.random() < 0.25:
                    due = created + timedelta(days=step.due_days or rng.choice((7, 14, 30)))
                candidate = starter if step.role is None else None
                if step.role is None and region == "demo" and rng.random() < 0.3:
                    candidate = people.user_id  # our penvoerder started a few requests too
                assignee = None
                if rng.random() < 0.2:  # claimed by someone holding the lane in that region
                    pool = people.by_role[(region, step.role)] if step.role else [candidate]
                    assignee = rng.choice(pool)
                tasks.append(
                    task_row(
                        rng,
                        instance_id,
                        key,
                        region,
                        step,
                        created=created,
                        due=due,
                        assignee=assignee,
                        candidate=candidate,
                    )
                )
        connection.execute(insert(ProcessInstance.__table__), instances)
        connection.execute(insert(HumanTask.__table__), tasks)
    expected.rows = tasks
    return expected


def task_row(
    rng: random.Random,
    instance_id: int,
    key: str,
    region: str,
    step: Step,
    *,
    created: datetime,
    due: datetime | None = None,
    assignee: int | None = None,
    candidate: int | None = None,
    completed_by: int | None = None,
    completed_at: datetime | None = None,
) -> dict[str, Any]:
    """A human_task row as service/domain/progress.py writes it; completed when completed_by is given."""
    status = "open" if completed_by is None else "completed"
    return {
        "instance_id": instance_id,
        "engine_task_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "spec_name": step.spec_name,
        "process_key": key,
        "name": step.name,
        "role": step.role,
        "region_code": region,
        "form_key": step.form,
        "ui_form_key": None,
        "instructions": f"Werk de stap '{step.name}' af en leg de uitkomst vast." if step.form else None,
        "candidate_user_id": candidate,
        "assignee_id": completed_by if status == "completed" else assignee,
        "status": status,
        "created_at": min(created, START),
        "due_at": due,
        "completed_by_id": completed_by,
        "completed_at": completed_at,
    }


# --- measuring ----------------------------------------------------------------------------------------------------


class BenchError(Exception):
    """The page did not do what the bench expects; the numbers would mean nothing."""


@dataclass
class PageCounts:
    rows: int
    total: int
    mine: int
    overdue: int
    page: str


def sign_in(client: FlaskClient) -> None:
    """Sign in through the page, with the CSRF token the page hands out."""
    page = client.get("/aanmelden").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if match is None:
        raise BenchError("no csrf_token on the sign-in page")
    response = client.post(
        "/aanmelden", data={"email": USER_EMAIL, "password": demo.DEMO_PASSWORD, "csrf_token": match.group(1)}
    )
    if response.status_code != 302:
        raise BenchError(f"sign-in failed: HTTP {response.status_code}")


def page_counts(html: str) -> PageCounts:
    def count(name: str) -> int:
        match = re.search(rf'data-count="{name}">(\d+)<', html)
        if match is None:
            raise BenchError(f"no '{name}' count on the page")
        return int(match.group(1))

    pager = re.search(r"Pagina (\d+) van (\d+)", html)
    return PageCounts(
        rows=html.count("<tr data-task-id="),
        total=count("total"),
        mine=count("mine"),
        overdue=count("overdue"),
        page=f"{pager.group(1)}/{pager.group(2)}" if pager else "1/1",
    )


def get_page(client: FlaskClient, url: str) -> tuple[int, int, str]:
    """GET a page: wall-clock time, CPU time of this thread (what the request costs without waiting for a CPU
    on a busy machine), and the HTML."""
    cpu_began, began = time.thread_time_ns(), time.perf_counter_ns()
    response = client.get(url)
    elapsed, cpu = time.perf_counter_ns() - began, time.thread_time_ns() - cpu_began
    if response.status_code != 200:
        raise BenchError(f"GET {url}: HTTP {response.status_code}")
    return elapsed, cpu, response.get_data(as_text=True)


def query_once(runtime: Runtime, user_id: int, filters: dict[str, Any]) -> int:
    """list_inbox in a read transaction, user loaded as page_call does; only the call is timed."""
    with runtime.transaction(write=False) as session:
        user = session.get(User, user_id, options=[joinedload(User.memberships)])
        began = time.perf_counter_ns()
        result = list_inbox(session, user=user, now=START, per_page=PER_PAGE, **filters)
        elapsed = time.perf_counter_ns() - began
        if not result.tasks:
            raise BenchError("list_inbox returned no tasks")
        return elapsed


@contextmanager
def page_split() -> Iterator[dict[str, list[int]]]:
    """Time list_inbox and render_template as the inbox page calls them (in this process only)."""
    split: dict[str, list[int]] = {"list_inbox": [], "render_template": []}
    originals: dict[str, Callable[..., Any]] = {name: getattr(inbox_page, name) for name in split}

    def timed(name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter_ns()
            try:
                return originals[name](*args, **kwargs)
            finally:
                split[name].append(time.perf_counter_ns() - began)

        return call

    for name in split:
        setattr(inbox_page, name, timed(name))
    try:
        yield split
    finally:
        for name, original in originals.items():
            setattr(inbox_page, name, original)


@contextmanager
def captured_sql(runtime: Runtime) -> Iterator[list[tuple[str, Any]]]:
    """The statements the read engine runs inside the block, with their parameters."""
    statements: list[tuple[str, Any]] = []

    def _capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, parameters))

    engine = runtime.db.read_engine
    event.listen(engine, "before_cursor_execute", _capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _capture)


@dataclass
class Plan:
    """SQLite's EXPLAIN QUERY PLAN of one statement list_inbox runs."""

    kind: str  # counts or page
    statement: str
    parameters: Any
    steps: list[str]


def query_plans(runtime: Runtime, user_id: int, filters: dict[str, Any]) -> list[Plan]:
    """Run list_inbox once, capture its two statements on human_task, and ask SQLite for their plans."""
    with captured_sql(runtime) as statements:
        query_once(runtime, user_id, filters)
    plans = []
    connection = runtime.db.read_engine.raw_connection()
    try:
        for statement, parameters in statements:
            if "FROM human_task" not in statement:
                continue
            rows = connection.cursor().execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            kind = "page" if "ORDER BY" in statement else "counts"
            plans.append(Plan(kind, " ".join(statement.split()), parameters, [row[3] for row in rows]))
    finally:
        connection.close()
    return plans


@dataclass
class UrlResult:
    counts: PageCounts
    page: Samples
    page_cpu: Samples
    query: Samples
    in_page: dict[str, list[int]] = field(default_factory=dict)  # list_inbox, render_template inside the page
    plans: list[Plan] = field(default_factory=list)

    def in_page_ms(self, name: str) -> float:
        return statistics.median(self.in_page[name]) / 1e6


@dataclass
class InboxResult:
    urls: dict[str, UrlResult]
    open_tasks: int
    all_tasks: int
    instances: int
    state_mb: float
    fill_seconds: float


def measure(runtime: Runtime, *, placeholder_state: bool = False) -> tuple[InboxResult, FlaskClient]:
    began = time.perf_counter()
    expected = populate(runtime, placeholder_state=placeholder_state)
    fill_seconds = time.perf_counter() - began
    with runtime.transaction(write=False) as session:
        user = session.scalar(select(User).where(User.email == USER_EMAIL).options(joinedload(User.memberships)))
        user_id = user.id
        roles: dict[str, set[str]] = {}
        for m in user.memberships:
            roles.setdefault(m.region_code, set()).add(m.role)
        open_tasks = session.scalar(select(func.count()).where(HumanTask.status == "open"))
        all_tasks = session.scalar(select(func.count()).select_from(HumanTask))
        instances = session.scalar(select(func.count()).select_from(ProcessInstance))
        state_bytes = session.scalar(select(func.sum(func.length(ProcessInstance.state))))
    client = create_app(runtime=runtime).test_client()
    sign_in(client)
    result = InboxResult({}, open_tasks, all_tasks, instances, state_bytes / 1e6, fill_seconds)
    for label, url in URLS.items():
        *_ns, html = get_page(client, url)
        counts = page_counts(html)
        filters = URL_FILTERS[url]
        want = expected.counts(user_id, roles, filters["region_code"], filters["process_key"])
        if (counts.total, counts.mine, counts.overdue) != want or counts.rows != PER_PAGE:
            raise BenchError(f"{url}: page shows {counts}, the bench inserted (total, mine, overdue) {want}")
        result.urls[label] = UrlResult(
            counts,
            Samples(f"D  page  {label}"),
            Samples(f"D  page CPU time {label}"),
            Samples(f"D  query {label}"),
            {"list_inbox": [], "render_template": []},
            query_plans(runtime, user_id, filters),
        )
    gc.collect()
    with page_split() as split:
        for i in range(WARMUP + REQUESTS):
            for label, url in URLS.items():
                page_ns, cpu_ns, _html = get_page(client, url)
                query_ns = query_once(runtime, user_id, URL_FILTERS[url])
                if i >= WARMUP:
                    measured = result.urls[label]
                    measured.page.ns.append(page_ns)
                    measured.page_cpu.ns.append(cpu_ns)
                    measured.query.ns.append(query_ns)
                    for name, calls in split.items():
                        measured.in_page[name].append(calls[-1])
    return result, client


def profile_pages(client: FlaskClient, requests: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        for url in URLS.values():
            get_page(client, url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"\n--- cProfile, {requests} x {len(URLS)} inbox page requests, by own time (tottime) ---\n")
    stats.sort_stats("tottime").print_stats(20)
    out.write("\n--- same, by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(35)
    return out.getvalue()


# --- output -------------------------------------------------------------------------------------------------------


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "FAIL"


def print_report(result: InboxResult, *, full_plans: bool = False) -> None:
    print()
    print(
        f"D  inbox 'Mijn taken' as {USER_EMAIL}: {result.open_tasks} open tasks ({result.all_tasks} task rows) in "
        f"{result.instances} instances over {len(REGION_WEIGHTS)} regions ({result.state_mb:.0f} MB engine state), "
        f"bulk-inserted in {result.fill_seconds:.1f} s;\n   {REQUESTS} requests per URL (+{WARMUP} warm-up), "
        "URLs interleaved"
    )
    header = (
        f"{'measurement':<60} {'n':>4} {'median ms':>9} {'p95 ms':>9} {'query ms':>8} {'tmpl ms':>7} "
        f"{'rows':>4} {'page':>5} {'total':>5} {'mine':>4} {'late':>4}"
    )
    print()
    print(header)
    print("-" * len(header))
    for url in result.urls.values():
        c = url.counts
        counts = f"{c.rows:>4} {c.page:>5} {c.total:>5} {c.mine:>4} {c.overdue:>4}"
        for samples, query, template in (
            (url.page, f"{url.in_page_ms('list_inbox'):8.2f}", f"{url.in_page_ms('render_template'):7.2f}"),
            (url.query, f"{url.query.median_ms:8.2f}", f"{'-':>7}"),
        ):
            print(
                f"{samples.label:<60} {len(samples.ns):>4} {samples.median_ms:>9.2f} {samples.p95_ms:>9.2f} "
                f"{query} {template} {counts}"
            )
    print("-" * len(header))
    print(
        "query ms, tmpl ms = medians of list_inbox and render_template inside the page request (page rows) or of\n"
        "list_inbox called directly (query rows); rows = tasks in the table; page = page shown/pages; total, mine,\n"
        "late = the page's counts 'Open taken', 'Door mij opgepakt', 'Te laat' (checked against the inserted rows)."
    )
    print()
    print("Summary")
    for label, url in result.urls.items():
        page = url.page
        query, template = url.in_page_ms("list_inbox"), url.in_page_ms("render_template")
        print(
            f"  D    {label:<52} median {page.median_ms:6.2f} ms  target <= {TARGET_MEDIAN_MS:g} ms  "
            f"{verdict(page.median_ms, TARGET_MEDIAN_MS)}"
        )
        print(
            f"       {'':<52} p95    {page.p95_ms:6.2f} ms  target <= {TARGET_P95_MS:g} ms  "
            f"{verdict(page.p95_ms, TARGET_P95_MS)}"
        )
        print(
            f"       {'':<52} CPU time of the request: median {url.page_cpu.median_ms:6.2f} ms, "
            f"p95 {url.page_cpu.p95_ms:6.2f} ms"
        )
        print(
            f"       {'':<52} median split: list_inbox {query:.2f} + template {template:.2f} + rest "
            f"{page.median_ms - query - template:.2f} ms"
        )
    print()
    print("SQLite query plans of list_inbox (EXPLAIN QUERY PLAN)")
    for label, url in result.urls.items():
        for plan in url.plans:
            print(f"  {label} [{plan.kind}]: " + "; ".join(plan.steps))
            if full_plans:
                print(f"      {plan.statement}\n      params: {plan.parameters}")


def run(runtime: Runtime, *, profile: bool = False, full_plans: bool = False, placeholder_state: bool = False) -> None:
    """Part D on a fresh runtime built by bench/run.py's build_runtime (its database gets the extra rows)."""
    result, client = measure(runtime, placeholder_state=placeholder_state)
    print_report(result, full_plans=full_plans)
    if profile:
        print(profile_pages(client, PROFILE_REQUESTS))


def main(build_runtime: Callable[[Path], Runtime]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the page requests")
    parser.add_argument("--explain", action="store_true", help="print the inbox statements with their plans")
    parser.add_argument("--placeholder-state", action="store_true", help="store '{}' as every instance's state")
    args = parser.parse_args()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sto-bench-inbox-") as tmp:
        runtime = build_runtime(Path(tmp))
        try:
            run(runtime, profile=args.profile, full_plans=args.explain, placeholder_state=args.placeholder_state)
        finally:
            runtime.db.dispose()
    print(f"  (inbox bench run time {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    from run import build_runtime  # bench/ is on sys.path when this file runs as a script

    main(build_runtime)
