"""Jobs are cheap, idempotent polls: each reminder moment is handled once, and a run with nothing due opens no
write transaction (on SQLite that would take the lock every user's action waits for)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from service.domain import notifications, reminders
from service.jobs.mail import send_digests, send_outbox, write_new_task_mail
from service.jobs.reminders import send_deadline_reminders, send_task_reminders
from service.jobs.reports import start_due_reports
from service.jobs.timer_starts import start_timer_processes
from service.jobs.timers import fire_timers
from service.models import HumanTask, Incident, OutboxEmail, TaskReminder

from ..web.flow import submitted_to_decision
from .writes import counting_write_transactions

JOBS = (
    fire_timers,
    send_task_reminders,
    send_deadline_reminders,
    start_timer_processes,
    start_due_reports,
    send_digests,
    write_new_task_mail,
    send_outbox,  # without a mail server configured: it writes the new-task mail and leaves it queued
)


def _decision_task(runtime, login) -> tuple[int, datetime]:  # type: ignore[no-untyped-def]
    """A change request waiting for the stuurgroep: due in three weeks, reminders one week and two days before."""
    submitted_to_decision(login("projectleider@demo.sto"), login("penvoerder@demo.sto"))
    with runtime.transaction(write=False) as session:
        task = session.scalar(select(HumanTask).where(HumanTask.spec_name == "besluiten"))
        return task.id, task.due_at


def test_every_job_with_nothing_due_opens_no_write_transaction(runtime, login, clock) -> None:
    _decision_task(runtime, login)
    later = clock().replace(hour=12) + timedelta(days=1)  # after the digests' 07:00
    for job in JOBS:  # the first round does what there is to do (e.g. timer processes get their instance)
        job(runtime, later)
    for job in JOBS:
        with counting_write_transactions(runtime.db) as began:
            assert job(runtime, later + timedelta(minutes=1)) == 0
        assert began == [0], job.__name__


def test_a_reminder_moment_is_handled_once_in_one_small_write(runtime, login) -> None:
    task_id, due = _decision_task(runtime, login)
    with counting_write_transactions(runtime.db) as began:
        assert send_task_reminders(runtime, due - timedelta(days=8)) == 0  # no moment yet: reads only
    assert began == [0]
    with counting_write_transactions(runtime.db) as began:
        assert send_task_reminders(runtime, due - timedelta(days=7)) == 1
    assert began == [1]  # the one task, in its own transaction
    for moment in (due - timedelta(days=7), due - timedelta(days=5)):
        with counting_write_transactions(runtime.db) as began:
            assert send_task_reminders(runtime, moment) == 0
        assert began == [0]
    with runtime.transaction(write=False) as session:
        rows = session.execute(select(TaskReminder.moment, TaskReminder.sent).where(TaskReminder.task_id == task_id))
        assert rows.all() == [(str(7 * 86400), True)]
        assert session.get(HumanTask, task_id).next_reminder_at == due - timedelta(days=2)


def test_after_downtime_only_the_latest_reminder_is_sent_and_the_others_are_remembered(runtime, login) -> None:
    _task_id, due = _decision_task(runtime, login)
    assert send_task_reminders(runtime, due - timedelta(days=1)) == 1  # both moments passed while it was down
    with runtime.transaction(write=False) as session:
        handled = dict(session.execute(select(TaskReminder.moment, TaskReminder.sent)).all())
        bodies = session.scalars(select(OutboxEmail.body_text).where(OutboxEmail.kind == "herinnering")).all()
    assert handled == {str(7 * 86400): False, str(2 * 86400): True}
    assert len(bodies) == 1 and "2 dagen" in bodies[0]  # one mail, not one per missed moment
    assert send_task_reminders(runtime, due - timedelta(hours=1)) == 0


def _task(offsets: str, *, escalate: str | None = "coordinator") -> HumanTask:
    created = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    return HumanTask(
        status="open",
        created_at=created,
        due_at=created + timedelta(days=21),
        reminder_offsets=offsets,
        escalate_to=escalate,
    )


def test_the_decision_sends_the_latest_moment_reached_and_plans_the_next() -> None:
    task = _task("604800,172800")
    assert task.due_at is not None
    week_before, two_days_before = task.due_at - timedelta(days=7), task.due_at - timedelta(days=2)
    assert reminders.first_reminder_at(task) == week_before

    early = reminders.decide(task, set(), week_before - timedelta(seconds=1))
    assert (early.send, early.skip, early.next_at) == (None, (), week_before)
    on_time = reminders.decide(task, set(), week_before)
    assert on_time.send is not None and on_time.send.key == "604800" and on_time.next_at == two_days_before
    after_downtime = reminders.decide(task, set(), two_days_before + timedelta(hours=1))
    assert after_downtime.send is not None and after_downtime.send.key == "172800"
    assert [m.key for m in after_downtime.skip] == ["604800"]
    overdue = reminders.decide(task, {"604800"}, task.due_at)
    assert overdue.send is not None and overdue.send.key == reminders.OVERDUE and overdue.next_at is None
    assert reminders.decide(task, {"604800", "172800", reminders.OVERDUE}, task.due_at).next_at is None


def test_moments_before_the_task_existed_and_tasks_without_escalation_have_no_overdue_moment() -> None:
    task = _task("2592000", escalate=None)  # 30 days before a due date 21 days out: before the task existed
    assert reminders.moments(task) == []
    assert reminders.first_reminder_at(task) is None


def test_a_failing_reminder_becomes_an_incident_and_never_holds_up_the_others(runtime, login, monkeypatch) -> None:
    first, due = _decision_task(runtime, login)
    submitted_to_decision(login("projectleider@demo.sto"), login("penvoerder@demo.sto"))
    with runtime.transaction(write=False) as session:
        second = session.scalar(select(HumanTask.id).where(HumanTask.spec_name == "besluiten", HumanTask.id != first))
    real = notifications.notify_reminder

    def broken_for_the_first(session, task, *args, **kwargs):  # type: ignore[no-untyped-def]
        if task.id == first:
            raise RuntimeError("mail template broke")
        return real(session, task, *args, **kwargs)

    monkeypatch.setattr(notifications, "notify_reminder", broken_for_the_first)
    week_before = due - timedelta(days=7)
    assert send_task_reminders(runtime, week_before) == 1  # the second task still got its reminder
    with runtime.transaction(write=False) as session:
        [incident] = session.scalars(select(Incident)).all()
        assert (incident.element, incident.attempts) == ("Besluiten over het wijzigingsverzoek", 1)
        assert incident.reason.startswith("De herinnering voor deze taak kon niet worden verstuurd")
        assert session.get(HumanTask, first).next_reminder_at == week_before + timedelta(minutes=1)
        assert session.get(HumanTask, second).next_reminder_at == due - timedelta(days=2)

    with counting_write_transactions(runtime.db) as began:  # waiting for the backoff: nothing to do
        assert send_task_reminders(runtime, week_before + timedelta(seconds=30)) == 0
    assert began == [0]

    monkeypatch.setattr(notifications, "notify_reminder", real)  # repaired
    assert send_task_reminders(runtime, week_before + timedelta(minutes=1)) == 1
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(Incident.resolved_at)) == week_before + timedelta(minutes=1)
