"""Prometheus metrics recorded in this process: request latency and task completion latency.

The metric objects live at module level, as prometheus-client expects: with PROMETHEUS_MULTIPROC_DIR set before
this module is imported (gunicorn), each process writes its samples to files there and /metrics adds them up.
What the database knows (open tasks, outbox, timers, ...) is not recorded here but read at scrape time
(service/observability/db_gauges.py), so every process reports the same truth."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import event
from sqlalchemy.orm import Session

REQUEST_LATENCY = Histogram(
    "sto_http_request_duration_seconds",
    "Time to answer a web request, by route (the URL rule, not the path), method and status class.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

_HOUR = 3600.0
_DAY = 24 * _HOUR
TASK_COMPLETION = Histogram(
    "sto_task_completion_seconds",
    "Time from a human task's creation to its completion, by process.",
    ["process"],
    # People take minutes to weeks: the stuurgroep's decision is due after 21 days.
    buckets=(60, 600, _HOUR, 4 * _HOUR, _DAY, 3 * _DAY, 7 * _DAY, 14 * _DAY, 21 * _DAY, 30 * _DAY, 60 * _DAY),
)

_PENDING = "sto_completed_tasks"


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(route=route, method=method, status=status_class(status)).observe(seconds)


def task_completed(session: Session, *, process_key: str, created_at: datetime, completed_at: datetime) -> None:
    """Count a task completion once `session` commits it (a step that rolls back completed nothing)."""
    seconds = max((completed_at - created_at).total_seconds(), 0.0)
    session.info.setdefault(_PENDING, []).append((process_key, seconds))


@event.listens_for(Session, "after_commit")
def _observe_committed(session: Session) -> None:
    for process_key, seconds in session.info.pop(_PENDING, []):
        TASK_COMPLETION.labels(process=process_key or "?").observe(seconds)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session, *_args: Any) -> None:
    session.info.pop(_PENDING, None)
