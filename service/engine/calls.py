"""The engine as the rest of the service calls it: every call that can run diagram code runs in a worker
process under time and memory limits (isolation.py); reading a stored state runs here, as it runs no code."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from .diagrams import ParsedProcess
from .isolation import EnginePool, Limits
from .sandbox import ServiceHandler
from .snapshot import Snapshot
from .trial import TrialRun, stopped_trial
from .workflows import EngineError, Outcome, check_storable, check_storable_data
from .workflows import read_snapshot as _read_snapshot

_lock = threading.Lock()
_pool: list[EnginePool] = []


def configure(*, workers: int, limits: Limits) -> None:
    """Set how many engine workers this process keeps and what one call may use (at start-up)."""
    with _lock:
        if _pool:
            old = _pool.pop()
            old.shutdown()
        _pool.append(EnginePool(workers, limits))
        _pool[0].warm()


def _engine_pool() -> EnginePool:
    with _lock:
        if not _pool:
            _pool.append(EnginePool(4, Limits()))
            _pool[0].warm()
        return _pool[0]


def start_workflow(process: ParsedProcess, data: dict[str, Any], services: ServiceHandler | None = None) -> Outcome:
    """Create a workflow with initial data and run it until it waits for people or timers."""
    check_storable_data(data)  # before it is sent: too deep a value would not even pickle
    return _engine_pool().run("start", process, (data,), services)


def complete_user_task(
    process: ParsedProcess, state: str, task_id: str, data: dict[str, Any], services: ServiceHandler | None = None
) -> Outcome:
    """Complete a ready user task with the submitted data and run the engine onward."""
    check_storable_data(data)
    return _engine_pool().run("complete", process, (state, task_id, data), services)


def fire_due_timers(process: ParsedProcess, state: str, services: ServiceHandler | None = None) -> Outcome:
    """Let every timer whose due time has passed fire, and run the engine onward."""
    return _engine_pool().run("fire", process, (state,), services)


def skip_failed_step(
    process: ParsedProcess, state: str, element: str, services: ServiceHandler | None = None
) -> Outcome:
    """Complete the failing element without running it and run the engine onward (skipping.py); TaskNotReady
    when the instance does not stand at that element."""
    return _engine_pool().run("skip", process, (state, element), services)


def run_trial(
    process: ParsedProcess,
    *,
    start_data: dict[str, Any],
    answers: list[dict[str, Any]],
    service_results: dict[str, Any],
    now: datetime,
) -> TrialRun:
    """Replay a draft from its start with sample data and chosen answers, running no service task (trial.py)."""
    try:
        check_storable_data(start_data)  # before it is sent, as for start_workflow
        check_storable_data(service_results)
        check_storable("antwoorden", answers)
        return _engine_pool().run("trial", process, (start_data, answers, service_results, now), None)
    except EngineError as err:  # such a value, or the worker was stopped: too slow or too big
        return stopped_trial(process, err)


def read_snapshot(process: ParsedProcess, state: str) -> Snapshot:
    """Describe a stored workflow without changing it."""
    return _read_snapshot(process, state)
