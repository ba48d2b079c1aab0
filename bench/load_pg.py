"""Benchmark H: concurrent load on PostgreSQL against gunicorn with 1 and with 4 worker processes.

Run: cd /work/main && .venv/bin/python bench/load_pg.py [--load-seconds 60] [--clients 20]

A fresh database `sto_bench` on the local PostgreSQL (dropped and created as the postgres OS user, owned by
STO_BENCH_DB_OWNER, default sto_ci; STO_BENCH_DATABASE_URL says how the service connects), migrated, with the demo
accounts (real password hashes: signing in costs what it costs in production) and the diagrams. Per phase one
gunicorn (1, then 4 workers) and one scheduler (timers, the "new task" mail to a catch-all), started the way the
fault tests start them (tests/faults/service_processes.py), and enough open first steps waiting to be completed.
Clients (threads, each with its own keep-alive connection) mix for `--load-seconds`, after a short warm-up:
  sign in      GET + POST /aanmelden (a new browser session)       5 %
  inbox page   GET /                                              20 %
  task page    GET /taken/<id> of a waiting first step             20 %
  complete     POST /api/v1/tasks/<id>/complete (bearer token)     35 %
  start        POST /api/v1/processes/wijzigingsverzoek/instances  20 %
Printed per phase: requests, errors (target 0), completions per second, per kind n, median and p95; then the
ratio of completions per second with 4 workers over 1 worker.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from load import SUBMISSION, Client, api_token, sign_in  # bench/load.py: the HTTP client of part F
from samples import Samples

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/faults/service_processes.py: one place that knows how to start the service

from tests.faults.service_processes import SchedulerProcess, WebServer, service_env  # noqa: E402

DATABASE = "sto_bench"
OWNER = os.environ.get("STO_BENCH_DB_OWNER", "sto_ci")
DATABASE_URL = os.environ.get("STO_BENCH_DATABASE_URL", f"postgresql+psycopg://sto_ci:sto_ci@127.0.0.1:5432/{DATABASE}")
MIX = (("sign in", 5), ("inbox page", 20), ("task page", 20), ("complete", 35), ("start", 20))
KINDS = tuple(kind for kind, _weight in MIX)
WORKER_COUNTS = (1, 4)
WARMUP_SECONDS = 5.0
USER = "projectleider@demo.sto"


def recreate_database() -> None:
    """Drop and create the bench database on the local cluster, as the postgres OS user (peer authentication)."""
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    for command in (["dropdb", "--if-exists", "--force", DATABASE], ["createdb", "-O", OWNER, DATABASE]):
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, text=True)


def prepare_database() -> None:
    from service.db import Database
    from service.domain import definitions, demo
    from service.migrate import upgrade_database
    from service.runtime import utc_now
    from service.settings import ROOT as SERVICE_ROOT

    recreate_database()
    upgrade_database(DATABASE_URL)
    db = Database(DATABASE_URL)
    try:
        with db.transaction(write=True) as session:
            demo.load_demo_data(session, now=utc_now())
            definitions.deploy_directory(
                session,
                bpmn_dir=SERVICE_ROOT / "bpmn",
                forms_dir=SERVICE_ROOT / "forms",
                now=utc_now(),
                deployed_by="bench",
            )
    finally:
        db.dispose()


class Phase:
    """One run of the mix against one server: the samples per kind, errors, and the first steps still waiting."""

    def __init__(self, port: int, cookie: str, token: str, waiting: list[int]) -> None:
        self.port, self.cookie, self.token = port, cookie, token
        self.waiting: queue.Queue[int] = queue.Queue()
        for task_id in waiting:
            self.waiting.put(task_id)
        self.samples = {kind: Samples(kind) for kind in KINDS}
        self.errors: dict[str, int] = defaultdict(int)
        self.error_examples: list[str] = []
        self._lock = threading.Lock()

    def run(self, clients: int, seconds: float) -> None:
        stop_at = time.monotonic() + seconds
        threads = [threading.Thread(target=self._client, args=(n, stop_at)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _client(self, seed: int, stop_at: float) -> None:
        chance = random.Random(seed)
        kinds, weights = zip(*MIX, strict=True)
        web, api = Client(self.port, cookie=self.cookie), Client(self.port, token=self.token)
        while time.monotonic() < stop_at:
            kind = chance.choices(kinds, weights)[0]
            began = time.perf_counter_ns()
            try:
                kind, error = self._one(kind, web, api)
            except (OSError, http.client.HTTPException) as err:
                error = repr(err)
                web, api = Client(self.port, cookie=self.cookie), Client(self.port, token=self.token)
            elapsed = time.perf_counter_ns() - began
            with self._lock:
                if error is None:
                    self.samples[kind].add(elapsed)
                else:
                    self.errors[kind] += 1
                    if len(self.error_examples) < 5:
                        self.error_examples.append(f"{kind}: {error}")

    def _one(self, kind: str, web: Client, api: Client) -> tuple[str, str | None]:
        """Do one request of `kind`; returns the kind it was timed as and an error (None when it went right)."""
        task_id: int | None = None
        if kind in ("complete", "task page"):
            try:
                task_id = self.waiting.get_nowait()
            except queue.Empty:
                kind = "start"  # nothing waits: start one instead (timed as a start)
        if kind == "sign in":
            sign_in(self.port, USER)  # asserts the redirect after a correct password
            return kind, None
        if kind == "inbox page":
            status, _, _ = web.request("GET", "/", api=False)
            return kind, None if status == 200 else f"HTTP {status}"
        if kind == "task page":
            status, _, _ = web.request("GET", f"/taken/{task_id}", api=False)
            assert task_id is not None
            self.waiting.put(task_id)
            return kind, None if status == 200 else f"HTTP {status}"
        if kind == "complete":
            status, body, _ = api.request("POST", f"/api/v1/tasks/{task_id}/complete", {"data": SUBMISSION}, api=True)
            return kind, None if status == 200 else f"HTTP {status} {body[:200]!r}"
        status, body, _ = api.request(
            "POST", "/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo"}, api=True
        )
        if status != 201:
            return kind, f"HTTP {status} {body[:200]!r}"
        self.waiting.put(json.loads(body)["open_tasks"][0]["id"])
        return kind, None


def start_waiting(port: int, token: str, count: int) -> list[int]:
    """First steps to complete, started through the API by 4 threads before the timed run."""
    found: list[int] = []
    lock = threading.Lock()

    def starter(share: int) -> None:
        client = Client(port, token=token)
        for _ in range(share):
            status, body, _ = client.request(
                "POST", "/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo"}, api=True
            )
            if status == 201:
                with lock:
                    found.append(json.loads(body)["open_tasks"][0]["id"])

    threads = [threading.Thread(target=starter, args=(count // 4,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def report(workers: int, phase: Phase, seconds: float) -> float:
    requests = sum(len(s.ns) for s in phase.samples.values())
    errors = sum(phase.errors.values())
    per_second = len(phase.samples["complete"].ns) / seconds
    print(
        f"\n{workers} gunicorn worker(s): {requests} requests, {errors} errors (target 0), "
        f"{per_second:.1f} completions/s, {requests / seconds:.1f} requests/s"
    )
    print(f"  {'kind':<11} {'n':>6} {'median ms':>10} {'p95 ms':>9} {'errors':>7}")
    for kind in KINDS:
        s = phase.samples[kind]
        if s.ns:
            print(f"  {kind:<11} {len(s.ns):>6} {s.median_ms:>10.1f} {s.p95_ms:>9.1f} {phase.errors[kind]:>7}")
        else:
            print(f"  {kind:<11} {0:>6} {'-':>10} {'-':>9} {phase.errors[kind]:>7}")
    for example in phase.error_examples:
        print(f"  error: {example}")
    return per_second


def run(*, seconds: float, clients: int) -> None:
    """Both phases on a fresh bench database."""
    began = time.monotonic()
    prepare_database()
    env = service_env(DATABASE_URL, STO_LOGIN_RATE_LIMIT="100000 per minute", STO_ENGINE_WORKERS="2")
    waiting_per_phase = max(100, int(10 * seconds))
    print(
        f"Load bench H: PostgreSQL database {DATABASE}, {clients} clients for {seconds:g} s per phase "
        f"(after {WARMUP_SECONDS:g} s warm-up), {waiting_per_phase} first steps waiting at the start of each"
    )
    rates: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="sto-load-pg-") as tmp:
        logs = Path(tmp)
        with SchedulerProcess(env, logs / "scheduler.log"):
            for workers in WORKER_COUNTS:
                with WebServer(env, workers=workers, log_path=logs / f"gunicorn-{workers}.log") as server:
                    cookie, token = sign_in(server.port, USER), api_token(server.port, USER)
                    waiting = start_waiting(server.port, token, waiting_per_phase)
                    Phase(server.port, cookie, token, []).run(min(clients, 4), WARMUP_SECONDS)
                    phase = Phase(server.port, cookie, token, waiting)
                    phase.run(clients, seconds)
                    rates[workers] = report(workers, phase, seconds)
    low, high = WORKER_COUNTS
    ratio = rates[high] / rates[low] if rates[low] else float("nan")
    print(
        f"\ncompletions/s with {high} workers over {low}: {ratio:.2f}x ({rates[high]:.1f} / {rates[low]:.1f}; "
        f"{os.cpu_count()} CPU cores on this machine)  (bench H took {time.monotonic() - began:.0f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load-seconds", type=float, default=60, help="length of each timed phase")
    parser.add_argument("--clients", type=int, default=20)
    args = parser.parse_args()
    run(seconds=args.load_seconds, clients=args.clients)


if __name__ == "__main__":
    main()
