"""The scheduler process: fires BPMN timers within moments of their due time and runs the periodic jobs.

It wakes up exactly at the next due timer (a one-off job at that time) and also looks every
`scheduler_poll_seconds` for timers that the web process created meanwhile, so no timer waits longer than
that. Every job is safe to run from two scheduler processes at once (see service/jobs/__init__.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from ..runtime import Runtime
from .heartbeat import beat, heartbeat_name, stop_beating
from .timers import fire_timers, next_due

log = logging.getLogger(__name__)
Job = Callable[[Runtime, datetime], int]
FIRE_MARGIN = timedelta(milliseconds=1)  # SpiffWorkflow fires a timer only strictly after its due time


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Job
    every_seconds: float


def periodic_jobs(runtime: Runtime, send_mail: Job) -> list[PeriodicJob]:
    """The jobs besides timers, with how often each runs."""
    from .mail import send_digests
    from .reminders import send_deadline_reminders, send_task_reminders
    from .reports import start_due_reports
    from .timer_starts import start_timer_processes

    return [
        PeriodicJob("mail", send_mail, 2.0),  # a "new task" mail leaves within seconds
        PeriodicJob("dagelijkse overzichten", send_digests, 300),
        PeriodicJob("herinneringen", send_task_reminders, 60),
        PeriodicJob("termijnherinneringen", send_deadline_reminders, 3600),
        PeriodicJob("tijdgestuurde processen", start_timer_processes, 60),
        PeriodicJob("rapportages starten", start_due_reports, 3600),
    ]


def exact_wakeup(now: datetime, due: datetime | None, poll_seconds: float) -> datetime | None:
    """When to wake up for the next timer besides the regular poll: at its due time, if that comes sooner
    than the next poll would (later timers are found by a later poll or wake-up)."""
    if due is None or due <= now or due >= now + timedelta(seconds=poll_seconds):
        return None
    return due + FIRE_MARGIN


class StartupError(Exception):
    """The scheduler cannot start (e.g. the mail catch-all's port is taken); the message says what to change."""


class Scheduler:
    """Ties the jobs to APScheduler; `scheduler` may be any APScheduler scheduler (tests use a background one)."""

    def __init__(self, runtime: Runtime, scheduler: BaseScheduler | None = None) -> None:
        self.runtime = runtime
        self.scheduler = scheduler or BlockingScheduler(timezone="UTC")
        self.poll = runtime.settings.scheduler_poll_seconds
        self._stops: list[Callable[[], None]] = []
        self.heartbeat = heartbeat_name()

    def timers_tick(self) -> int:
        """Fire what is due, then arrange to wake up exactly when the next timer is due."""
        fired = 0
        for _round in range(20):  # timers that fell due while this tick ran fire in the same tick
            fired += fire_timers(self.runtime, self.runtime.clock())
            due = next_due(self.runtime)
            if due is None or due > self.runtime.clock():
                break
        if fired:
            log.info("fired %s timer(s)", fired)
        wake = exact_wakeup(self.runtime.clock(), due, self.poll)
        if wake is not None:
            self.scheduler.add_job(
                self.timers_tick,
                "date",
                run_date=wake,
                id="timers-exact",
                replace_existing=True,
                misfire_grace_time=None,
            )
        return fired

    def _run(self, job: PeriodicJob) -> None:
        try:
            done = job.run(self.runtime, self.runtime.clock())
            if done:
                log.info("%s: %s", job.name, done)
        except Exception:  # one failing job must not stop the others
            log.exception("job %s failed", job.name)

    def mail_sender(self) -> Job:
        """The outbox sender: to the configured SMTP server, or in development without one to a local
        catch-all whose messages /dev/mail shows."""
        from .mail import send_outbox

        settings = self.runtime.settings
        if settings.smtp_host or settings.is_production:
            return send_outbox
        from ..mail.catchall import start_catchall

        try:
            host, port, stop = start_catchall(settings, port=settings.mail_catchall_port)
        except OSError as err:  # mostly "address already in use"
            port = settings.mail_catchall_port
            raise StartupError(
                f"The development mail catch-all cannot listen on 127.0.0.1:{port} ({err.strerror or err}). "
                f"Set STO_MAIL_CATCHALL_PORT to a free port (for example STO_MAIL_CATCHALL_PORT={port + 1} make run), "
                "or STO_SMTP_HOST to a mail server."
            ) from err
        self._stops.append(stop)
        log.info("no STO_SMTP_HOST: mail goes to the catch-all on %s:%s (read it at /dev/mail)", host, port)
        return partial(send_outbox, host=host, port=port)

    def heartbeat_tick(self, started_at: datetime) -> bool:
        return beat(self.runtime, self.heartbeat, started_at=started_at)

    def configure(self) -> None:
        defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        # The first heartbeat before anything else: /readyz is green from the moment the scheduler says ready.
        # Then its own job, so a slow or failing job never delays it (and a failing heartbeat never stops a job).
        started_at = self.runtime.clock()
        self.heartbeat_tick(started_at)
        self._stops.append(partial(stop_beating, self.runtime, self.heartbeat))
        self.scheduler.add_job(
            self.heartbeat_tick,
            "interval",
            args=[started_at],
            seconds=self.runtime.settings.heartbeat_seconds,
            id="heartbeat",
            **defaults,
        )
        # Runs at once on start-up: timers missed while the scheduler was down fire now, each once.
        self.scheduler.add_job(
            self.timers_tick, "interval", seconds=self.poll, id="timers", next_run_time=self.runtime.clock(), **defaults
        )
        for job in periodic_jobs(self.runtime, self.mail_sender()):
            self.scheduler.add_job(
                self._run,
                "interval",
                args=[job],
                seconds=job.every_seconds,
                id=job.name,
                next_run_time=self.runtime.clock(),
                **defaults,
            )

    def start(self, on_ready: Callable[[], None] | None = None) -> None:
        """Configure every job (raises StartupError when that fails), tell `on_ready`, then run until stopped."""
        try:
            self.configure()
        except BaseException:
            self.stop_services()
            raise
        log.info("scheduler started (poll every %ss)", self.poll)
        if on_ready is not None:
            on_ready()
        try:
            self.scheduler.start()
        finally:
            self.stop_services()

    def stop_services(self) -> None:
        for stop in self._stops:
            stop()
        self._stops.clear()
