"""The scheduler wakes up exactly when the next timer is due and fires it then; missed timers fire at start."""

from __future__ import annotations

import dataclasses
import socket
from datetime import UTC, datetime, timedelta

import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from service.domain import definitions, instances
from service.jobs.scheduler import Scheduler, exact_wakeup
from service.models import ProcessInstance, User
from service.runtime import utc_now

from ..engine.tiny import timer_process

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_wakes_up_at_a_due_time_that_comes_before_the_next_poll() -> None:
    due = T0 + timedelta(milliseconds=400)
    assert exact_wakeup(T0, due, poll_seconds=1.0) == due + timedelta(milliseconds=1)
    assert exact_wakeup(T0, T0 + timedelta(seconds=5), poll_seconds=1.0) is None  # a later poll finds it
    assert exact_wakeup(T0, None, poll_seconds=1.0) is None
    assert exact_wakeup(T0, T0 - timedelta(seconds=1), poll_seconds=1.0) is None  # overdue: the tick fires it


def _start_timer(runtime, seconds: float) -> int:  # type: ignore[no-untyped-def]
    xml = timer_process("kort", f'"PT{seconds}S"').decode()
    with runtime.transaction(write=True) as session:
        definitions.deploy_files(session, process_key="kort", files={"kort.bpmn": xml}, now=utc_now(), deployed_by="t")
        user = session.scalar(select(User).where(User.email == "coordinator@demo.sto"))
        return instances.start_instance(
            session, user=user, process_key="kort", region_code="demo", data={}, now=utc_now()
        ).id


def _status(runtime, instance_id: int) -> str:  # type: ignore[no-untyped-def]
    with runtime.transaction(write=False) as session:
        return session.get(ProcessInstance, instance_id).status


def test_a_timer_fires_within_moments_of_its_due_time(runtime) -> None:
    runtime.clock = utc_now
    background = BackgroundScheduler(timezone="UTC")
    scheduler = Scheduler(runtime, background)
    with time_machine.travel(T0, tick=False):
        instance_id = _start_timer(runtime, 0.5)
        assert scheduler.timers_tick() == 0
        wake_job = background.get_job("timers-exact")
        assert wake_job is not None
        assert wake_job.trigger.run_date == T0 + timedelta(seconds=0.5, milliseconds=1)  # right at the due time
    with time_machine.travel(wake_job.trigger.run_date, tick=False):
        assert scheduler.timers_tick() == 1  # what runs at that moment fires the timer
    assert _status(runtime, instance_id) == "completed"


def test_on_start_up_missed_timers_fire_in_the_first_tick(runtime) -> None:
    runtime.clock = utc_now
    with time_machine.travel(T0, tick=False):
        instance_id = _start_timer(runtime, 60)
    background = BackgroundScheduler(timezone="UTC")
    runtime.settings = dataclasses.replace(runtime.settings, mail_catchall_port=_free_port())
    with time_machine.travel(T0 + timedelta(hours=5), tick=False):
        scheduler = Scheduler(runtime, background)
        try:
            scheduler.configure()
            first = background.get_job("timers")
            assert first.next_run_time == T0 + timedelta(hours=5)  # runs immediately
            assert {job.id for job in background.get_jobs()} >= {"timers", "mail", "herinneringen"}
            assert scheduler.timers_tick() == 1
            assert scheduler.timers_tick() == 0
        finally:
            scheduler.stop_services()
    assert _status(runtime, instance_id) == "completed"
