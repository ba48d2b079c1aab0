"""Benchmark F: concurrent load on the server `make run` starts (waitress + scheduler, SQLite file, demo data).

Run: cd /work/main && .venv/bin/python bench/load.py [--seconds 60] [--clients 20]

Clients (threads with their own keep-alive connection) mix four kinds of request for a fixed time:
  inbox page   GET /            as the projectleider (signed-in session cookie)
  api tasks    GET /api/v1/tasks as the penvoerder (bearer token; the first page of 50)
  start        POST /api/v1/processes/wijzigingsverzoek/instances as the projectleider
  complete     POST /api/v1/tasks/<id>/complete: the projectleider submits a request started earlier
Three phases on one server: 1 client (the baseline: its median per kind), 4 clients, then N clients. Each phase
prints requests, errors (target 0) and per kind the p95 beside the single-client median (target: p95 <= 10x).
The server runs on a free port with its own database in a temp dir; it is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path
from typing import Any

from samples import Samples

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("inbox page", "api tasks", "start", "complete")
TARGET_P95_OVER_MEDIAN = 10.0
SUBMISSION = {
    "titel": "Zorgrobots in de praktijk",
    "omschrijving": "Leerlingen programmeren zorgrobots in een simulatie; de school koopt een 3D-printer.",
    "soort": "nieuwe_activiteit",
    "in_regioplan": False,
    "bedrag": 7500,
    "programmalijn": "samenwerking_bedrijfsleven",
    "doelstelling": "Techniek zichtbaar maken in andere domeinen",
    "past_bij_doelen": True,
    "toelichting_doelen": "Sluit aan bij de doelstelling.",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`make run` on a free port with a fresh database; stopped (with the scheduler) on exit."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "PORT": str(self.port),
            "STO_DATABASE_URL": f"sqlite:///{workdir / 'load.sqlite'}",
            "STO_MAIL_CATCHALL_PORT": str(free_port()),
            "STO_LOGIN_RATE_LIMIT": "1000 per minute",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped together at the end
        )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("the server did not start within 180 s")

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class Client:
    """One keep-alive HTTP connection with the cookie and token of the users it acts as."""

    def __init__(self, port: int, cookie: str = "", token: str = "") -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie, self.token = cookie, token

    def request(self, method: str, path: str, body: Any = None, *, api: bool) -> tuple[int, bytes, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if api else {"Cookie": self.cookie}
        payload = None
        if isinstance(body, dict) and api:
            payload, headers["Content-Type"] = json.dumps(body), "application/json"
        elif isinstance(body, dict):
            payload, headers["Content-Type"] = urllib.parse.urlencode(body), "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read(), response


def sign_in(port: int, email: str) -> str:
    """A session cookie for the web pages (through the sign-in form, with its CSRF token)."""
    client = Client(port)
    status, page, response = client.request("GET", "/aanmelden", api=False)
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()  # type: ignore[union-attr]
    client.cookie = cookie
    form = {"csrf_token": token, "email": email, "password": "demo", "next": "/"}
    status, _, response = client.request("POST", "/aanmelden", form, api=False)
    assert status == 302, status
    return response.getheader("Set-Cookie", "").split(";")[0]


def api_token(port: int, email: str) -> str:
    client = Client(port)
    status, body, _ = client.request("POST", "/api/v1/auth/token", {"email": email, "password": "demo"}, api=True)
    assert status == 200, body
    return json.loads(body)["token"]


class Load:
    """The shared state of a run: credentials, the tasks waiting to be completed, the samples per kind."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.projectleider_cookie = sign_in(port, "projectleider@demo.sto")
        self.projectleider_token = api_token(port, "projectleider@demo.sto")
        self.penvoerder_token = api_token(port, "penvoerder@demo.sto")
        self.to_complete: queue.Queue[int] = queue.Queue()

    def phase(self, clients: int, seconds: float) -> tuple[dict[str, Samples], int, int]:
        samples = {kind: Samples(kind) for kind in KINDS}
        errors: dict[str, int] = defaultdict(int)
        lock = threading.Lock()
        stop_at = time.monotonic() + seconds

        def run(seed: int) -> None:
            chance = random.Random(seed)
            web = Client(self.port, cookie=self.projectleider_cookie)
            projectleider = Client(self.port, token=self.projectleider_token)
            penvoerder = Client(self.port, token=self.penvoerder_token)
            while time.monotonic() < stop_at:
                kind = chance.choice(KINDS)
                began = time.perf_counter_ns()
                try:
                    ok = self.one(kind, web, projectleider, penvoerder)
                except (OSError, http.client.HTTPException):
                    ok = False
                    web, projectleider, penvoerder = (
                        Client(self.port, cookie=self.projectleider_cookie),
                        Client(self.port, token=self.projectleider_token),
                        Client(self.port, token=self.penvoerder_token),
                    )
                elapsed = time.perf_counter_ns() - began
                with lock:
                    if ok:
                        samples[kind].ns.append(elapsed)
                    else:
                        errors[kind] += 1

        threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return samples, sum(len(s.ns) for s in samples.values()), sum(errors.values())

    def one(self, kind: str, web: Client, projectleider: Client, penvoerder: Client) -> bool:
        if kind == "complete":
            try:
                task_id = self.to_complete.get_nowait()
            except queue.Empty:
                kind = "start"  # nothing to complete yet: start one (timed as a start would be)
            else:
                status, _, _ = projectleider.request(
                    "POST", f"/api/v1/tasks/{task_id}/complete", {"data": SUBMISSION}, api=True
                )
                return status == 200
        if kind == "start":
            status, body, _ = projectleider.request(
                "POST", "/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {}}, api=True
            )
            if status == 201:
                self.to_complete.put(json.loads(body)["open_tasks"][0]["id"])
            return status == 201
        if kind == "api tasks":
            status, _, _ = penvoerder.request("GET", "/api/v1/tasks", api=True)
            return status == 200
        status, _, _ = web.request("GET", "/", api=False)
        return status == 200


def report(title: str, samples: dict[str, Samples], requests: int, errors: int, base: dict[str, float]) -> None:
    print(f"\n{title}: {requests} requests, {errors} errors (target 0)")
    print(f"  {'kind':<12} {'n':>6} {'median ms':>10} {'p95 ms':>9} {'1-client median':>16} {'p95/that':>9}")
    for kind in KINDS:
        s = samples[kind]
        if not s.ns:
            continue
        ratio = s.p95_ms / base[kind] if base.get(kind) else float("nan")
        verdict = "PASS" if ratio <= TARGET_P95_OVER_MEDIAN else "FAIL"
        print(
            f"  {kind:<12} {len(s.ns):>6} {s.median_ms:>10.1f} {s.p95_ms:>9.1f} {base.get(kind, 0):>16.1f} "
            f"{ratio:>8.1f}x {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the N-client phase")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--baseline-seconds", type=float, default=20, help="length of the 1- and 4-client phases")
    args = parser.parse_args()
    run(seconds=args.seconds, clients=args.clients, baseline_seconds=args.baseline_seconds)


def run(*, seconds: float, clients: int, baseline_seconds: float) -> None:
    """All three phases against a fresh `make run` server."""
    workdir = Path(tempfile.mkdtemp(prefix="sto-load-"))
    try:
        with Server(workdir) as server:
            load = Load(server.port)
            print(f"Load bench F: server from `make run` on port {server.port}, SQLite file in {workdir}")
            load.phase(2, 3)  # warm-up: workers started, specs parsed, caches filled
            single, requests, errors = load.phase(1, baseline_seconds)
            base = {kind: s.median_ms for kind, s in single.items() if s.ns}
            report("1 client (baseline)", single, requests, errors, base)
            four, requests, errors = load.phase(4, baseline_seconds)
            report("4 clients", four, requests, errors, base)
            many, requests, errors = load.phase(clients, seconds)
            report(f"{clients} clients for {seconds:g} s", many, requests, errors, base)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
