"""Client threads that complete tasks and start change requests through the REST API of a running server, and
keep a record of every answer (or broken connection) for the checks afterwards."""

from __future__ import annotations

import http.client
import json
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ..web.change_request import ZORGROBOTS

START_PATH = "/api/v1/processes/wijzigingsverzoek/instances"


@dataclass
class Outcome:
    """One request a client made: what, which task or title, the answer (None: no answer at all), and when."""

    kind: str  # "complete" or "start"
    key: str  # the task id completed, or the title of the request started
    status: int | None
    began: float
    ended: float
    body: dict[str, Any] = field(default_factory=dict)
    retry_after: str | None = None


class ApiClient:
    """One keep-alive connection with a bearer token; reconnects after a broken connection."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=90)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any], http.client.HTTPResponse]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            self.connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
            raise
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {"raw": raw[:300].decode(errors="replace")}
        return response.status, parsed if isinstance(parsed, dict) else {"list": parsed}, response


def api_token(port: int, email: str, password: str = "demo") -> str:
    status, body, _ = ApiClient(port).call("POST", "/api/v1/auth/token", {"email": email, "password": password})
    assert status == 200, body
    return str(body["token"])


def start_requests(port: int, token: str, count: int) -> list[int]:
    """Start `count` change requests before the load; returns their first tasks (the projectleider's 'indienen')."""
    client = ApiClient(port, token)
    tasks = []
    for i in range(count):
        status, body, _ = client.call("POST", START_PATH, {"region": "demo", "data": {"titel": f"Voorraad {i}"}})
        assert status == 201, body
        tasks.append(int(body["open_tasks"][0]["id"]))
    return tasks


class Load:
    """`clients` threads, each with its own connection, completing queued tasks (60 %) and starting requests."""

    def __init__(self, port: int, token: str, open_tasks: list[int], clients: int) -> None:
        self.port, self.token, self.clients = port, token, clients
        self.tasks: queue.Queue[int] = queue.Queue()
        for task_id in open_tasks:
            self.tasks.put(task_id)
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Load:
        for n in range(self.clients):
            thread = threading.Thread(target=self._client, args=(n,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def answered_since(self, moment: float, statuses: tuple[int, ...] = (200, 201)) -> int:
        with self._lock:
            return sum(1 for o in self.outcomes if o.began >= moment and o.status in statuses)

    def _client(self, n: int) -> None:
        chance = random.Random(n)
        client = ApiClient(self.port, self.token)
        made = 0
        while not self._stop.is_set():
            task_id: int | None = None
            if chance.random() < 0.6:
                try:
                    task_id = self.tasks.get_nowait()
                except queue.Empty:
                    task_id = None
            if task_id is not None:
                kind, key = "complete", str(task_id)
                path, body = f"/api/v1/tasks/{task_id}/complete", {"data": ZORGROBOTS}
            else:
                made += 1
                kind, key = "start", f"Storingstest {n}-{made}"
                path, body = START_PATH, {"region": "demo", "data": {"titel": key}}
            began = time.monotonic()
            try:
                status, answer, response = client.call("POST", path, body)
                outcome = Outcome(kind, key, status, began, time.monotonic(), answer, response.getheader("Retry-After"))
            except (OSError, http.client.HTTPException) as err:
                outcome = Outcome(kind, key, None, began, time.monotonic(), {"error": repr(err)})
            if outcome.status == 201:
                self.tasks.put(int(outcome.body["open_tasks"][0]["id"]))
            elif outcome.status == 503:
                time.sleep(0.2)  # Retry-After asks for patience; a short one keeps requests coming in the test
            with self._lock:
                self.outcomes.append(outcome)
