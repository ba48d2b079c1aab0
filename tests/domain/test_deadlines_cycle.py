"""One deadline through the whole reporting cycle: the job starts it, the projectleider drafts the content with
the approved changes listed, the penvoerder adds the finances, the stuurgroep sends it back once and then
approves, the penvoerder records the submission to DUS-I; the deadline is then submitted and the listed
changes reported."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from service.domain import deadlines, instances, regioplan, tasks
from service.jobs.reports import start_due_reports
from service.models import Deadline, HumanTask, ProcessInstance, ReportItem, User
from tests.web.change_request import ADVICE_POSITIVE, APPROVED, RECORD_ZORGROBOTS, ZORGROBOTS

CONTENT = {
    "voortgang": "De techniekmiddagen en open lessen liepen volgens plan; de leerlijn PIE-mbo is gestart.",
    "resultaten": "Meer aanmeldingen voor de techniekprofielen.",
    "wijzigingen": "- Zorgrobots in de praktijk: nieuwe activiteit, goedgekeurd door de stuurgroep.",
}
FINANCES = {"besteed_bedrag": 182500.5, "cofinanciering_bedrag": 21000, "financiele_toelichting": "Volgens begroting."}
SENT_BACK = {
    "besluit": "terug",
    "vergaderdatum": "2026-12-15",
    "notulen_kenmerk": "SG-2026-12-15",
    "toelichting_besluit": "Beschrijf de resultaten per doelstelling.",
}
REPORT_APPROVED = {"besluit": "goedgekeurd", "vergaderdatum": "2027-01-05", "notulen_kenmerk": "SG-2027-01-05"}
SUBMITTED = {"ingediend_op": "2027-01-08", "kenmerk_dus_i": "DUS-I/STO/2027/0042"}


def _user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def _open_task(session, instance_id: int) -> HumanTask:
    (task,) = session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
    ).all()
    return task


def _complete(runtime, now: datetime, instance_id: int, email: str, data: dict, expect: str) -> HumanTask:
    """Complete the instance's one open task as `email`, after checking it is the step we expect."""
    with runtime.transaction(write=True) as session:
        task = _open_task(session, instance_id)
        assert task.spec_name == expect, task.spec_name
        tasks.complete_task(session, runtime.forms, user=_user(session, email), task_id=task.id, data=data, now=now)
        return task


def _approved_change_request(runtime, now: datetime) -> int:
    """Run the seed's case 1 (Zorgrobots) to its approval: it lands in the next progress report."""
    with runtime.transaction(write=True) as session:
        instance = instances.start_instance(
            session,
            user=_user(session, "projectleider@demo.sto"),
            process_key="wijzigingsverzoek",
            region_code="demo",
            data={},
            now=now,
        )
        instance_id = instance.id
    _complete(runtime, now, instance_id, "projectleider@demo.sto", ZORGROBOTS, "indienen")
    _complete(runtime, now, instance_id, "penvoerder@demo.sto", ADVICE_POSITIVE, "toetsen")
    _complete(runtime, now, instance_id, "stuurgroep@demo.sto", APPROVED, "besluiten")
    _complete(runtime, now, instance_id, "projectleider@demo.sto", RECORD_ZORGROBOTS, "vastleggen")
    return instance_id


def test_one_deadline_runs_through_the_whole_reporting_cycle(runtime, clock) -> None:
    change_id = _approved_change_request(runtime, clock())
    with runtime.transaction(write=True) as session:
        (zorgrobots,) = session.scalars(select(ReportItem).where(ReportItem.instance_id == change_id)).all()
        earlier = regioplan.add_report_item(
            session, region_code="demo", instance_id=change_id, title="Al gemeld", now=clock()
        )
        earlier.reported_at = clock()
        deadline = session.scalars(
            select(Deadline).where(Deadline.region_code == "demo", Deadline.kind == "voortgangsrapportage")
        ).one()
        deadline.due_date = date(2027, 1, 11)  # the lead time of 42 days starts today
        deadline_id, zorgrobots_id, earlier_id = deadline.id, zorgrobots.id, earlier.id

    assert start_due_reports(runtime, clock()) == 1
    assert start_due_reports(runtime, clock()) == 0
    with runtime.transaction(write=True) as session:
        instance_id = session.get(Deadline, deadline_id).instance_id
        draft = tasks.describe_task(
            session,
            runtime.forms,
            user=_user(session, "projectleider@demo.sto"),
            task_id=_open_task(session, instance_id).id,
        )
        # The form opens with the approved change listed; one approved later waits for the next report.
        assert draft.data["wijzigingen"] == "- Zorgrobots in de praktijk (goedgekeurd op 30-11-2026)"
        assert draft.data["termijn"]["wijziging_ids"] == [zorgrobots_id]
        assert draft.data["deadline_datum"] == "2027-01-11"
        assert draft.data["uiterlijk_indienen"] == "2027-01-11T23:59:00+01:00"
        later = regioplan.add_report_item(
            session, region_code="demo", instance_id=change_id, title="Later", now=clock()
        )
        later_id = later.id

    clock.advance(days=14)
    _complete(runtime, clock(), instance_id, "projectleider@demo.sto", CONTENT, "inhoud_opstellen")
    _complete(runtime, clock(), instance_id, "penvoerder@demo.sto", FINANCES, "financieel_toevoegen")
    _complete(runtime, clock(), instance_id, "stuurgroep@demo.sto", SENT_BACK, "goedkeuren")
    with runtime.transaction(write=False) as session:
        again = tasks.describe_task(
            session,
            runtime.forms,
            user=_user(session, "projectleider@demo.sto"),
            task_id=_open_task(session, instance_id).id,
        )
        assert again.task.spec_name == "inhoud_opstellen"
        assert again.data["voortgang"] == CONTENT["voortgang"]  # what was written stays, to be improved
    _complete(runtime, clock(), instance_id, "projectleider@demo.sto", CONTENT, "inhoud_opstellen")
    _complete(runtime, clock(), instance_id, "penvoerder@demo.sto", FINANCES, "financieel_toevoegen")
    _complete(runtime, clock(), instance_id, "stuurgroep@demo.sto", REPORT_APPROVED, "goedkeuren")
    _complete(runtime, clock(), instance_id, "penvoerder@demo.sto", SUBMITTED, "indienen_dus_i")

    with runtime.transaction(write=False) as session:
        instance = session.get(ProcessInstance, instance_id)
        deadline = session.get(Deadline, deadline_id)
        assert instance.status == "completed"
        assert (deadline.submitted_on, deadline.submission_reference) == (date(2027, 1, 8), "DUS-I/STO/2027/0042")
        assert deadlines.deadline_status(deadline, date(2027, 1, 20)) == "ingediend"
        reported = {item.id: item.reported_at for item in session.scalars(select(ReportItem))}
        assert reported[zorgrobots_id] == clock()
        assert reported[earlier_id] != clock() and reported[later_id] is None
        assert instance.data["afmelding"] == {"termijn_id": deadline_id, "gerapporteerd": 1}


def test_each_step_is_due_on_its_day_before_the_deadline(runtime, clock) -> None:
    with runtime.transaction(write=True) as session:
        deadline = session.scalars(
            select(Deadline).where(Deadline.region_code == "demo", Deadline.kind == "voortgangsrapportage")
        ).one()
        deadline.due_date = date(2027, 1, 11)
    assert start_due_reports(runtime, clock()) == 1
    with runtime.transaction(write=False) as session:
        task = session.scalar(select(HumanTask).where(HumanTask.spec_name == "inhoud_opstellen"))
        # 21 days before the deadline, at the end of that Dutch day
        assert task.due_at == datetime(2026, 12, 21, 22, 59, tzinfo=UTC)
