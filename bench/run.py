"""Benchmark: what one user-task completion costs through the STO Flow REST API, against bare SpiffWorkflow.

Run: cd /work/main && .venv/bin/python bench/run.py [--profile]

Measured in one run (times are wall-clock per completion, time.perf_counter_ns, after a warm-up):

A. API: `POST /api/v1/tasks/<id>/complete` through the Flask test client, bearer token, real SQLite file database
   (fresh temp dir, migrated, demo data, diagrams deployed), completing the first user task ("indienen") of
   bpmn/wijzigingsverzoek.bpmn with the ZORGROBOTS submission, once per fresh instance. Instances are started
   outside the timed region. This is everything a user waits for: auth, form validation, load state, engine,
   dump state, task rows, audit trail, commit, response JSON.
B. Bare SpiffWorkflow, stateless: deserialize the stored JSON (spec embedded, as the library stores it), complete
   the same task with the same data, do_engine_steps(), serialize_json. This is the floor the service builds on;
   the ratio A/B says what the service adds (target <= 3x).
C. A long-lived instance: bench/loop.bpmn repeats one user task with standardLoopCharacteristics. The completion
   time of step 5 and step 50 is measured per instance, through the API and on bare SpiffWorkflow, to show how the
   cost of a step grows with the history an instance carries (target for the API: step 50 <= 5x step 5).

A and B, and the API and bare variants of C, are interleaved so that noise on the (shared) machine hits both
sides alike. Nothing in the real bpmn/ or forms/ changes: the bench runs on copies in a temp dir, plus the bench's
own diagram and form. `--profile` adds a cProfile of the API completions of A (top costs by own and total time).

E. Timers: see bench/timers.py. F. Concurrent load on the server `make run` starts (20 clients for 60 s; see
   bench/load.py, which also runs on its own; `--load-seconds 0` skips it). G. The cost of the limits on diagram
   code: one engine call in a worker against the same call in-process (bench/isolation_cost.py).
H. Concurrent load on PostgreSQL: 20 clients against gunicorn with 1 and with 4 workers (bench/load_pg.py, which
   also runs on its own); `--load-seconds` sets the length of F's and H's timed phases (0 skips both).

D. The inbox page 'Mijn taken' with 20,000 open tasks, on a second fresh database built the same way: see
   bench/inbox.py (which also runs on its own). `--profile` profiles its page requests too, `--explain` prints the
   inbox statements with their SQLite query plans.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import logging
import pstats
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import inbox  # bench/inbox.py: part D (bench/ is on sys.path when this file runs as a script)
import isolation_cost  # bench/isolation_cost.py: part G
import load  # bench/load.py: part F
import load_pg  # bench/load_pg.py: part H
import timers  # bench/timers.py: part E
from flask.testing import FlaskClient
from samples import Samples
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from service import engine as service_engine
from service.db import Database
from service.domain import definitions, demo
from service.domain.forms import FormLibrary
from service.migrate import upgrade_database
from service.models import HumanTask, ProcessInstance
from service.settings import Settings
from service.web.app import create_app
from service.web.runtime import Runtime

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

CHANGE_REQUESTS = 200  # measured completions in A and B
CHANGE_REQUEST_WARMUP = 20
LOOP_INSTANCES = 30  # measured instances in C (each runs LOOP_STEPS steps)
LOOP_WARMUP_INSTANCES = 1
LOOP_STEPS = 50
EARLY_STEP, LATE_STEP = 5, 50
PROFILE_COMPLETIONS = 100

TARGET_API_OVER_BARE = 3.0
TARGET_LATE_OVER_EARLY = 5.0

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
REGION = "demo"
REGION_NAME = demo.REGIONS[REGION]
USER_EMAIL = "projectleider@demo.sto"
CHANGE_REQUEST_FILES = ("wijzigingsverzoek.bpmn", "wijziging_beoordeling.dmn")
LOOP_DIAGRAM = BENCH_DIR / "loop.bpmn"
LOOP_FORM = BENCH_DIR / "bench_loop_stap.schema.json"

# The submission of tests/web/change_request.py (copied: bench code does not import the tests).
ZORGROBOTS: dict[str, Any] = {
    "titel": "Zorgrobots in de praktijk",
    "omschrijving": "Leerlingen programmeren zorgrobots in een simulatie met het programma Zorg en Welzijn; "
    "de school koopt daarvoor een 3D-printer van ongeveer EUR 7.500.",
    "soort": "nieuwe_activiteit",
    "ook_soorten": ["budgetverschuiving"],
    "in_regioplan": False,
    "bedrag": 7500,
    "programmalijn": "samenwerking_bedrijfsleven",
    "doelstelling": "Techniek zichtbaar maken in andere domeinen",
    "past_bij_doelen": True,
    "toelichting_doelen": "Sluit aan bij de doelstelling om techniek zichtbaar te maken in de zorg.",
}


def loop_submission(step: int) -> dict[str, Any]:
    """What the bench form of loop.bpmn receives at a step (never 'klaar', so the loop goes on)."""
    return {"ronde": step, "opmerking": f"Ronde {step} afgerond.", "klaar": False}


# --- statistics -----------------------------------------------------------------------------------------------


# --- the service, set up the way tests/conftest.py does it ----------------------------------------------------


def fixed_clock() -> datetime:
    return START


def copy_tree_with(source: Path, target: Path, extra: Path) -> Path:
    """A copy of a directory plus one extra file, so the bench never writes into the real one."""
    shutil.copytree(source, target)
    shutil.copy2(extra, target / extra.name)
    return target


def build_runtime(workdir: Path) -> Runtime:
    """A migrated SQLite file database with demo data and every diagram (the bench's too) deployed."""
    forms_dir = copy_tree_with(ROOT / "forms", workdir / "forms", LOOP_FORM)
    bpmn_dir = copy_tree_with(ROOT / "bpmn", workdir / "bpmn", LOOP_DIAGRAM)
    database_url = f"sqlite:///{workdir / 'bench.sqlite'}"
    upgrade_database(database_url)
    settings = Settings(
        env="test",
        database_url=database_url,
        secret_key="bench-secret-key-not-for-production",
        bpmn_dir=bpmn_dir,
        forms_dir=forms_dir,
        fast_password_hashing=True,
    )
    runtime = Runtime(settings=settings, db=Database(database_url), forms=FormLibrary(forms_dir), clock=fixed_clock)
    with runtime.transaction(write=True) as session:
        demo.load_demo_data(session, now=START, fast_hash=True)
        definitions.deploy_directory(session, bpmn_dir=bpmn_dir, now=START, deployed_by="bench")
    return runtime


class BenchError(Exception):
    """The service or the engine did not do what the bench expects; the numbers would mean nothing."""


class Api:
    """One signed-in API user on the Flask test client."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.client: FlaskClient = create_app(runtime=runtime).test_client()
        response = self.client.post("/api/v1/auth/token", json={"email": USER_EMAIL, "password": demo.DEMO_PASSWORD})
        self._check(response, 200)
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    @staticmethod
    def _check(response: Any, status: int) -> None:
        if response.status_code != status:
            raise BenchError(f"{response.request.path}: HTTP {response.status_code} {response.get_data(as_text=True)}")

    def start(self, process_key: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Start an instance (not timed) and return its JSON."""
        response = self.client.post(
            f"/api/v1/processes/{process_key}/instances",
            json={"region": REGION, "data": data or {}},
            headers=self.headers,
        )
        self._check(response, 201)
        return response.get_json()

    def complete(self, task_id: int, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Complete a task; return the time the request took and the instance JSON of the response."""
        path = f"/api/v1/tasks/{task_id}/complete"
        began = time.perf_counter_ns()
        response = self.client.post(path, json={"data": data}, headers=self.headers)
        elapsed = time.perf_counter_ns() - began
        self._check(response, 200)
        return elapsed, response.get_json()

    def state_bytes(self, instance_id: int) -> int:
        """The size of the stored engine state of an instance."""
        with self.runtime.transaction(write=False) as session:
            instance = session.get(ProcessInstance, instance_id)
            return len(instance.state.encode()) if instance is not None else 0


def only_open_task(instance: dict[str, Any], expected_name: str) -> int:
    """The id of the one open task of an instance JSON, checked by name."""
    tasks = instance["open_tasks"]
    if len(tasks) != 1 or tasks[0]["name"] != expected_name:
        raise BenchError(f"expected one open task '{expected_name}', got {[t['name'] for t in tasks]}")
    return tasks[0]["id"]


@dataclass
class EngineShare:
    """Time spent in the engine adapter (load state, run, dump state, snapshot) during API calls."""

    ns: list[int] = field(default_factory=list)


@contextmanager
def engine_share() -> Iterator[EngineShare]:
    """Wrap service.engine.complete_user_task (in this process only) to time the engine part of a request."""
    share = EngineShare()
    original: Callable[..., Any] = service_engine.complete_user_task

    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter_ns()
        try:
            return original(*args, **kwargs)
        finally:
            share.ns.append(time.perf_counter_ns() - began)

    service_engine.complete_user_task = timed
    try:
        yield share
    finally:
        service_engine.complete_user_task = original


# --- bare SpiffWorkflow ---------------------------------------------------------------------------------------

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


@dataclass
class BareProcess:
    spec: Any
    subprocess_specs: dict[str, Any]


def parse_bare(process_id: str, bpmn: Path, dmn: list[Path]) -> BareProcess:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(bpmn))
    for path in dmn:
        parser.add_dmn_file(str(path))
    return BareProcess(parser.get_spec(process_id), parser.get_subprocess_specs(process_id))


def ready_user_task_id(workflow: BpmnWorkflow) -> str:
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    if len(ready) != 1:
        raise BenchError(f"expected one ready user task, got {[t.task_spec.bpmn_name for t in ready]}")
    return str(ready[0].id)


def start_bare(process: BareProcess) -> tuple[str, str]:
    """Start a workflow with the data the service would give it; return its JSON and the ready task id."""
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs)
    workflow.task_tree.data.update(regio=REGION, regio_naam=REGION_NAME)
    workflow.do_engine_steps()
    return SERIALIZER.serialize_json(workflow), ready_user_task_id(workflow)


def complete_bare(state: str, task_id: str, data: dict[str, Any]) -> tuple[int, str, BpmnWorkflow]:
    """Stateless step: load, complete the task, run the engine, store. Returns time, new JSON, workflow."""
    began = time.perf_counter_ns()
    workflow = SERIALIZER.deserialize_json(state)
    task = workflow.get_task_from_id(UUID(task_id))
    task.task_spec.add_data_from_form(task, data)
    task.run()
    workflow.do_engine_steps()
    new_state = SERIALIZER.serialize_json(workflow)
    elapsed = time.perf_counter_ns() - began
    return elapsed, new_state, workflow


# --- the measurements -----------------------------------------------------------------------------------------


@dataclass
class ChangeRequestResult:
    api: Samples
    bare: Samples
    engine_ms: float


def measure_change_request(api: Api, bare: BareProcess) -> ChangeRequestResult:
    """A and B: the first user task of a change request, once per fresh instance, interleaved."""
    total = CHANGE_REQUEST_WARMUP + CHANGE_REQUESTS
    api_tasks = [only_open_task(api.start("wijzigingsverzoek"), "Wijzigingsverzoek indienen") for _ in range(total)]
    bare_instances = [start_bare(bare) for _ in range(total)]
    result = ChangeRequestResult(Samples("A  API complete 'indienen'"), Samples("B  bare stateless, spec embedded"), 0)
    result.bare.json_bytes = len(bare_instances[0][0].encode())
    gc.collect()
    with engine_share() as share:
        for i, (task_id, (state, bare_task_id)) in enumerate(zip(api_tasks, bare_instances, strict=True)):
            api_ns, instance = api.complete(task_id, ZORGROBOTS)
            bare_ns, _state, workflow = complete_bare(state, bare_task_id, ZORGROBOTS)
            if i == 0:
                check_change_request_step(instance, workflow)
                result.api.json_bytes = api.state_bytes(instance["id"])
            if i >= CHANGE_REQUEST_WARMUP:
                result.api.add(api_ns)
                result.bare.add(bare_ns)
    result.engine_ms = statistics.median(share.ns[CHANGE_REQUEST_WARMUP:]) / 1e6
    return result


def engine_inputs(api: Api) -> tuple[service_engine.ParsedProcess, str, str]:
    """G's input: the stored state of a fresh change request and its first task, as the service reads them."""
    task_id = only_open_task(api.start("wijzigingsverzoek"), "Wijzigingsverzoek indienen")
    with api.runtime.transaction(write=False) as session:
        task = session.get(HumanTask, task_id)
        assert task is not None
        return definitions.parsed_process(task.instance.definition), task.instance.state, task.engine_task_id


def check_change_request_step(instance: dict[str, Any], workflow: BpmnWorkflow) -> None:
    """Both sides must have run the decision table and be waiting at 'toetsen'."""
    only_open_task(instance, "Subsidieregels en begroting toetsen")
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    if [t.task_spec.bpmn_id for t in ready] != ["toetsen"] or ready[0].data.get("stuurgroep_beslist") is not True:
        raise BenchError("bare SpiffWorkflow did not reach 'toetsen' with the decision's outcome")


@dataclass
class LoopResult:
    api: dict[int, Samples]
    bare: dict[int, Samples]
    engine_ms: dict[int, float]


def run_api_loop(api: Api, record: dict[int, Samples] | None) -> None:
    """One loop instance through the API, LOOP_STEPS completions; record the measured steps."""
    instance = api.start("loop")
    for step in range(1, LOOP_STEPS + 1):
        task_id = only_open_task(instance, "Ronde afronden")
        elapsed, instance = api.complete(task_id, loop_submission(step))
        if record is not None and step in record:
            record[step].add(elapsed)
            record[step].json_bytes = api.state_bytes(instance["id"])
    if instance["status"] != "running":
        raise BenchError("the loop instance ended early")


def run_bare_loop(bare: BareProcess, record: dict[int, Samples] | None) -> None:
    """One loop instance on bare SpiffWorkflow, stateless, LOOP_STEPS completions."""
    state, task_id = start_bare(bare)
    for step in range(1, LOOP_STEPS + 1):
        elapsed, state, workflow = complete_bare(state, task_id, loop_submission(step))
        task_id = ready_user_task_id(workflow)
        if record is not None and step in record:
            record[step].add(elapsed)
            record[step].json_bytes = len(state.encode())


def measure_loop(api: Api, bare: BareProcess) -> LoopResult:
    """C: step 5 and step 50 of long-lived loop instances, API and bare interleaved per instance."""
    steps = (EARLY_STEP, LATE_STEP)
    result = LoopResult(
        api={s: Samples(f"C  API complete, step {s}") for s in steps},
        bare={s: Samples(f"C  bare stateless, step {s}") for s in steps},
        engine_ms={},
    )
    engine_by_step: dict[int, list[int]] = {s: [] for s in steps}
    gc.collect()
    for i in range(LOOP_WARMUP_INSTANCES + LOOP_INSTANCES):
        measured = i >= LOOP_WARMUP_INSTANCES
        with engine_share() as share:
            run_api_loop(api, result.api if measured else None)
        if measured:
            for s in steps:
                engine_by_step[s].append(share.ns[s - 1])  # one engine call per step, none for the start
        run_bare_loop(bare, result.bare if measured else None)
    result.engine_ms = {s: statistics.median(ns) / 1e6 for s, ns in engine_by_step.items()}
    return result


def profile_api(api: Api, completions: int) -> str:
    """cProfile of API completions of the change request's first task: the top costs."""
    task_ids = [
        only_open_task(api.start("wijzigingsverzoek"), "Wijzigingsverzoek indienen") for _ in range(completions)
    ]
    profiler = cProfile.Profile()
    profiler.enable()
    for task_id in task_ids:
        api.complete(task_id, ZORGROBOTS)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"\n--- cProfile, {completions} API completions of 'indienen', by own time (tottime) ---\n")
    stats.sort_stats("tottime").print_stats(25)
    out.write("\n--- same, by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(40)
    return out.getvalue()


# --- output ---------------------------------------------------------------------------------------------------


def row(samples: Samples, engine_ms: float | None = None) -> str:
    size = f"{samples.json_bytes / 1024:7.1f}" if samples.json_bytes is not None else "      -"
    engine = f"{engine_ms:9.2f}" if engine_ms is not None else "        -"
    return f"{samples.label:<36} {len(samples.ns):>4} {samples.median_ms:>9.2f} {samples.p95_ms:>9.2f} {engine} {size}"


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "FAIL"


def print_report(change: ChangeRequestResult, loop: LoopResult, seconds: float) -> None:
    header = f"{'measurement':<36} {'n':>4} {'median ms':>9} {'p95 ms':>9} {'engine ms':>9} {'JSON KB':>7}"
    print()
    print(header)
    print("-" * len(header))
    print(row(change.api, change.engine_ms))
    print(row(change.bare))
    for step in (EARLY_STEP, LATE_STEP):
        print(row(loop.api[step], loop.engine_ms[step]))
    for step in (EARLY_STEP, LATE_STEP):
        print(row(loop.bare[step]))
    print("-" * len(header))
    print(
        "engine ms = median time inside service.engine.complete_user_task (load state, run, dump state, snapshot);"
        "\nJSON KB = stored state after the step (API: spec kept apart; bare: spec embedded)."
    )
    api_over_bare = change.api.median_ms / change.bare.median_ms
    api_growth = loop.api[LATE_STEP].median_ms / loop.api[EARLY_STEP].median_ms
    bare_growth = loop.bare[LATE_STEP].median_ms / loop.bare[EARLY_STEP].median_ms
    print()
    print("Summary")
    print(
        f"  A/B  API median / bare median            {api_over_bare:6.2f}x  "
        f"target <= {TARGET_API_OVER_BARE:g}x  {verdict(api_over_bare, TARGET_API_OVER_BARE)}"
    )
    print(
        f"  C    API step {LATE_STEP} / step {EARLY_STEP} (median)        {api_growth:6.2f}x  "
        f"target <= {TARGET_LATE_OVER_EARLY:g}x  {verdict(api_growth, TARGET_LATE_OVER_EARLY)}"
    )
    print(f"  C    bare step {LATE_STEP} / step {EARLY_STEP} (median)       {bare_growth:6.2f}x  (no target)")
    print(
        f"  A    API time outside the engine adapter   {change.api.median_ms - change.engine_ms:6.2f} ms "
        f"(HTTP, auth, form, ORM/SQLite, audit, response); engine adapter {change.engine_ms:.2f} ms"
    )
    print(f"  (total run time {seconds:.0f} s; targets are informational, the exit code is always 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of the API completions")
    parser.add_argument("--explain", action="store_true", help="print the inbox statements of D with their plans")
    parser.add_argument("--load-seconds", type=float, default=60, help="length of F and H (0: skip both)")
    args = parser.parse_args()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sto-bench-") as tmp:
        workdir = Path(tmp)
        runtime = build_runtime(workdir)
        try:
            api = Api(runtime)
            change_bare = parse_bare(
                "wijzigingsverzoek", ROOT / "bpmn" / CHANGE_REQUEST_FILES[0], [ROOT / "bpmn" / CHANGE_REQUEST_FILES[1]]
            )
            loop_bare = parse_bare("loop", LOOP_DIAGRAM, [])
            print(
                f"STO Flow bench: {CHANGE_REQUESTS} change requests (+{CHANGE_REQUEST_WARMUP} warm-up), "
                f"{LOOP_INSTANCES} loop instances x {LOOP_STEPS} steps (+{LOOP_WARMUP_INSTANCES} warm-up); "
                f"SQLite file in {workdir}"
            )
            change = measure_change_request(api, change_bare)
            loop = measure_loop(api, loop_bare)
            print_report(change, loop, time.perf_counter() - began)
            isolation_cost.measure(*engine_inputs(api), ZORGROBOTS)
            if args.profile:
                print(profile_api(api, PROFILE_COMPLETIONS))
        finally:
            runtime.db.dispose()
        for noisy in ("alembic", "apscheduler", "service", "mail.log"):  # create_app turned on INFO logging
            logging.getLogger(noisy).setLevel(logging.WARNING)
        inbox_runtime = build_runtime(workdir / "inbox")  # fresh: A-C left open tasks behind
        try:
            inbox.run(inbox_runtime, profile=args.profile, full_plans=args.explain)
        finally:
            inbox_runtime.db.dispose()
        timer_runtime = build_runtime(workdir / "timers")
        try:
            timers.run(timer_runtime)
        finally:
            timer_runtime.db.dispose()
    if args.load_seconds > 0:
        print()
        load.run(seconds=args.load_seconds, clients=20, baseline_seconds=20)
        print()
        load_pg.run(seconds=args.load_seconds, clients=20)
    print(f"  (total run time with D to G {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
