"""The deadline calendar: the known dates seeded per region, and the job that starts each report exactly once."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from service.domain import deadlines, instances, regioplan, reports, tasks
from service.domain.errors import InvalidInput, NotAllowed, NotFound
from service.jobs.reports import start_due_reports
from service.models import AuditEvent, Deadline, HumanTask, Membership, ProcessInstance, User


def _user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def _deadline(session, region: str, kind: str) -> Deadline:
    return session.scalars(
        select(Deadline).where(Deadline.region_code == region, Deadline.kind == kind).order_by(Deadline.id)
    ).first()


def _set_progress_report_date(runtime, due: date, region: str = "demo") -> int:
    with runtime.transaction(write=True) as session:
        deadline = _deadline(session, region, "voortgangsrapportage")
        deadline.due_date = due
        return deadline.id


def test_each_demo_region_gets_the_known_deadlines_with_unknown_dates_left_open(runtime) -> None:
    with runtime.transaction(write=False) as session:
        for region in ("demo", "noord"):
            rows = {(d.kind, d.due_date, d.lead_days) for d in deadlines.list_deadlines(session, region)}
            assert {due for kind, due, _lead in rows if kind == "jaarverslag"} == {
                date(2026, 6, 30),
                date(2027, 6, 30),
                date(2028, 6, 30),
                date(2029, 6, 30),
            }
            assert ("activiteitenplan", date(2026, 10, 1), 42) in rows
            assert ("bestedingstermijn", date(2028, 12, 31), None) in rows  # calendar only, no report
            assert ("voortgangsrapportage", None, 42) in rows and ("eindverslag", None, 42) in rows
        assert _deadline(session, "demo", "jaarverslag").reminder_weeks == [8, 4, 2, 1]


def test_seeding_a_calendar_that_has_deadlines_adds_nothing(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        before = len(deadlines.list_deadlines(session, "demo"))
        assert deadlines.seed_calendar(session, region_code="demo", now=clock()) == 0
        assert len(deadlines.list_deadlines(session, "demo")) == before


def test_the_job_starts_a_report_once_its_lead_time_has_come_and_only_once(runtime, clock) -> None:
    # 42 days lead: the report for 11 January 2027 starts on 30 November 2026, the clock's day.
    deadline_id = _set_progress_report_date(runtime, date(2027, 1, 11))
    assert start_due_reports(runtime, clock() - timedelta(days=1)) == 0
    assert start_due_reports(runtime, clock()) == 1
    assert start_due_reports(runtime, clock()) == 0
    assert start_due_reports(runtime, clock() + timedelta(days=3)) == 0
    with runtime.transaction(write=False) as session:
        deadline = session.get(Deadline, deadline_id)
        instance = session.get(ProcessInstance, deadline.instance_id)
        assert instance.definition.process_key == "rapportage" and instance.region_code == "demo"
        assert instance.title == deadline.title and deadline.started_at == clock()
        assert session.get(User, instance.started_by_id).email == "systeem@sto-flow.invalid"  # no person started it
        started = session.scalar(
            select(AuditEvent).where(AuditEvent.instance_id == instance.id, AuditEvent.action == "instance_started")
        )
        assert started.actor_label == "systeem"
        tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
        assert [(t.spec_name, t.role) for t in tasks] == [("inhoud_opstellen", "projectleider")]
        count = session.query(ProcessInstance).filter(ProcessInstance.region_code == "demo").count()
    assert count == 1


def test_two_schedulers_at_once_start_a_report_once(runtime, clock) -> None:
    _set_progress_report_date(runtime, date(2026, 12, 20))
    barrier = threading.Barrier(2)
    results: list[int] = []

    def run() -> None:
        barrier.wait()
        results.append(start_due_reports(runtime, clock()))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]


def test_a_deadline_whose_date_passed_or_without_date_or_lead_time_is_not_started(runtime, clock) -> None:
    # The seeded annual report of 2025 (30 June 2026) and the activity plan (1 October 2026) lie before the
    # clock's day; the spending end has no reporting process; the reports without a date wait for one.
    assert start_due_reports(runtime, clock()) == 0
    with runtime.transaction(write=True) as session:
        spending_end = _deadline(session, "demo", "bestedingstermijn")
        spending_end.due_date = date(2026, 12, 1)
    assert start_due_reports(runtime, clock()) == 0
    with runtime.transaction(write=False) as session:
        assert session.query(ProcessInstance).count() == 0
        view = deadlines.describe_calendar(
            session, user=_user(session, "coordinator@demo.sto"), region_code="demo", now=clock()
        )
        statuses = {row.deadline.title: row.status for row in view.rows}
    assert statuses["Jaarverslag 2025 (verantwoording model G2)"] == "verstreken"
    assert statuses["Eindverslag (inhoudelijk en financieel)"] == "onbekend"
    assert statuses["Jaarverslag 2026 (verantwoording model G2)"] == "gepland"


def test_a_region_without_members_still_gets_its_report_started_by_the_system(runtime, clock) -> None:
    _set_progress_report_date(runtime, date(2027, 1, 1))
    with runtime.transaction(write=True) as session:
        session.query(Membership).filter(Membership.region_code == "demo").delete()
    assert start_due_reports(runtime, clock()) == 1  # its first task waits for whoever gets the role
    with runtime.transaction(write=False) as session:
        assert _deadline(session, "demo", "voortgangsrapportage").instance_id is not None


def test_step_due_dates_spread_the_lead_time_and_end_on_the_deadline() -> None:
    due = reports.step_due_dates(date(2027, 1, 11), date(2026, 11, 30))
    assert due == {
        "inhoud": "2026-12-21T23:59:00+01:00",
        "financieel": "2026-12-28T23:59:00+01:00",
        "besluit": "2027-01-04T23:59:00+01:00",
        "indienen": "2027-01-11T23:59:00+01:00",
    }
    assert set(reports.step_due_dates(date(2026, 11, 1), date(2026, 11, 30)).values()) == {"2026-11-01T23:59:00+01:00"}
    assert set(reports.step_due_dates(None, date(2026, 11, 30)).values()) == {None}


def test_editing_checks_every_field_in_dutch_and_only_editors_may(runtime, clock) -> None:
    bad = deadlines.DeadlineValues(kind="x", title="", due_date="31-02-2027", lead_days="-1", reminder_weeks="8,x")
    with runtime.transaction(write=True) as session:
        coordinator = _user(session, "coordinator@demo.sto")
        with pytest.raises(InvalidInput) as err:
            deadlines.add_deadline(session, user=coordinator, region_code="demo", values=bad, now=clock())
        assert set(err.value.fields) == {"kind", "title", "due_date", "lead_days", "reminder_weeks"}
        assert err.value.fields["title"] == "Vul een titel in."
        good = deadlines.DeadlineValues(
            kind="voortgangsrapportage",
            title="Tweede voortgangsrapportage",
            due_date="01-03-2027",
            lead_days="",
            reminder_weeks="2; 8",
        )
        added = deadlines.add_deadline(session, user=coordinator, region_code="demo", values=good, now=clock())
        assert (added.due_date, added.lead_days, added.reminder_weeks) == (date(2027, 3, 1), None, [8, 2])
        with pytest.raises(NotAllowed):
            deadlines.add_deadline(
                session, user=_user(session, "projectleider@demo.sto"), region_code="demo", values=good, now=clock()
            )
        with pytest.raises(NotFound):
            deadlines.add_deadline(
                session, user=_user(session, "coordinator@noord.sto"), region_code="demo", values=good, now=clock()
            )


def test_a_report_started_from_the_start_page_without_a_deadline_lists_the_open_changes(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        projectleider = _user(session, "projectleider@demo.sto")
        change = instances.start_instance(
            session, user=projectleider, process_key="wijzigingsverzoek", region_code="demo", data={}, now=clock()
        )
        item = regioplan.add_report_item(session, region_code="demo", instance_id=change.id, title="Iets", now=clock())
        report = instances.start_instance(
            session, user=projectleider, process_key="rapportage", region_code="demo", data={}, now=clock()
        )
        task = session.scalar(select(HumanTask).where(HumanTask.instance_id == report.id))
        view = tasks.describe_task(session, runtime.forms, user=projectleider, task_id=task.id)
    assert view.data["termijn"]["id"] is None and view.data["termijn"]["wijziging_ids"] == [item.id]
    assert view.data["uiterlijk_inhoud"] is None and report.title == "Voortgangsrapportage"


def test_a_deadline_without_lead_time_cannot_be_started_by_hand(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        spending_end = _deadline(session, "demo", "bestedingstermijn")
        with pytest.raises(InvalidInput):
            reports.start_report_now(
                session,
                user=_user(session, "penvoerder@demo.sto"),
                region_code="demo",
                deadline_id=spending_end.id,
                now=clock(),
            )


def test_a_passed_deadline_is_started_by_hand_only_when_the_editor_confirms_it(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        annual = _deadline(session, "demo", "jaarverslag")  # 30 June 2026, before the test clock's day
        penvoerder = _user(session, "penvoerder@demo.sto")
        with pytest.raises(InvalidInput) as refused:
            reports.start_report_now(session, user=penvoerder, region_code="demo", deadline_id=annual.id, now=clock())
        assert list(refused.value.fields) == ["past_confirmed"] and annual.instance_id is None
        started = reports.start_report_now(
            session, user=penvoerder, region_code="demo", deadline_id=annual.id, now=clock(), past_confirmed=True
        )
        assert annual.instance_id == started.id


def test_the_calendars_reminder_weeks_remind_whoever_holds_the_report(runtime, clock) -> None:
    from service.jobs.reminders import send_deadline_reminders
    from service.models import OutboxEmail

    deadline_id = _set_progress_report_date(runtime, date(2027, 1, 11))  # the report starts on 30 November
    with runtime.transaction(write=True) as session:
        session.get(Deadline, deadline_id).reminder_weeks = [5, 3]  # as an editor set them in the calendar
    assert start_due_reports(runtime, clock()) == 1

    def reminded() -> list[str]:
        with runtime.transaction(write=False) as session:
            return session.scalars(select(OutboxEmail.subject).where(OutboxEmail.kind == "herinnering")).all()

    assert send_deadline_reminders(runtime, clock()) == 0  # six weeks before: no reminder moment yet
    assert send_deadline_reminders(runtime, clock() + timedelta(days=7)) == 1  # five weeks before
    assert send_deadline_reminders(runtime, clock() + timedelta(days=8)) == 0  # never twice
    assert send_deadline_reminders(runtime, clock() + timedelta(days=21)) == 1  # three weeks before
    assert [s for s in reminded() if "11 januari 2027" in s] == reminded() and len(reminded()) == 2
