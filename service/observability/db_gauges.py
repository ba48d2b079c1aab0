"""Gauges read from the database when /metrics is scraped: every process (and every gunicorn worker) reports the
same numbers, and nothing has to keep them up to date as tasks, mail and timers change."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import DueTimer, HumanTask, Incident, OutboxEmail, ProcessInstance

log = logging.getLogger(__name__)
UNSENT = ("pending", "sending")  # held mail waits for its digest on purpose; failed mail is counted apart


class DatabaseGauges(Collector):
    """A prometheus-client collector; `read` opens a read-only transaction, `clock` is the service's clock."""

    def __init__(self, read: Callable[[], AbstractContextManager[Session]], clock: Callable[[], datetime]) -> None:
        self.read = read
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("sto_metrics_database_up", "1 when the gauges below could be read from the database.")
        try:
            families = self._read_all(self.clock())
        except Exception as err:  # a scrape while the database is down still answers, with database_up 0
            log.warning("metrics: the database could not be read (%s)", type(err).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read_all(self, now: datetime) -> list[GaugeMetricFamily]:
        with self.read() as session:
            open_tasks = session.scalar(select(func.count()).where(HumanTask.status == "open")) or 0
            overdue = (
                session.scalar(select(func.count()).where(HumanTask.status == "open", HumanTask.due_at < now)) or 0
            )
            unsent, oldest = session.execute(
                select(func.count(), func.min(OutboxEmail.created_at)).where(OutboxEmail.status.in_(UNSENT))
            ).one()
            failed = session.scalar(select(func.count()).where(OutboxEmail.status == "failed")) or 0
            oldest_due = session.scalar(
                select(func.min(DueTimer.due_at)).where(DueTimer.fired_at.is_(None), DueTimer.due_at <= now)
            )
            incidents = session.scalar(select(func.count()).where(Incident.resolved_at.is_(None))) or 0
            by_status = [
                (status, count)
                for status, count in session.execute(
                    select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)
                )
            ]
        return [
            _gauge("sto_open_tasks", "Human tasks waiting for someone.", open_tasks),
            _gauge("sto_overdue_tasks", "Open human tasks past their due date.", overdue),
            _gauge("sto_outbox_unsent", "Mails waiting to be sent (pending or being sent).", unsent),
            _gauge(
                "sto_outbox_oldest_unsent_age_seconds",
                "How long the oldest unsent mail has waited (0 when none waits).",
                _age(now, oldest),
            ),
            _gauge("sto_outbox_failed", "Mails that failed for good (an administrator can send them again).", failed),
            _gauge(
                "sto_timer_lag_seconds",
                "How far past its due time the oldest unfired timer is (0 when none is due).",
                _age(now, oldest_due),
            ),
            _gauge("sto_open_incidents", "Incidents (Storingen) not yet resolved.", incidents),
            _instances(by_status),
        ]


def _age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _instances(by_status: list[tuple[str, int]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily("sto_instances", "Process instances (requests) by status.", labels=["status"])
    for status, count in by_status:
        family.add_metric([status], count)
    return family
