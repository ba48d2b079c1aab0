"""Reminders before a task's due date go out at the diagram's offsets, once each; after the due date the
coordinator is told, once, and the task stays where it is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from service.jobs.reminders import send_task_reminders
from service.models import HumanTask, OutboxEmail

from ..web.flow import submitted_to_decision


def _mails(runtime, kind: str) -> list[str]:  # type: ignore[no-untyped-def]
    with runtime.transaction(write=False) as session:
        return sorted(session.scalars(select(OutboxEmail.recipient).where(OutboxEmail.kind == kind)))


def test_stuurgroep_is_reminded_at_each_offset_once_and_the_coordinator_hears_when_it_is_late(
    runtime, login, clock
) -> None:
    submitted_to_decision(login("projectleider@demo.sto"), login("penvoerder@demo.sto"))
    with runtime.transaction(write=False) as session:
        task = session.scalar(select(HumanTask).where(HumanTask.spec_name == "besluiten"))
        due, task_id = task.due_at, task.id
    assert due == clock() + timedelta(days=21)

    assert send_task_reminders(runtime, due - timedelta(days=8)) == 0  # too early
    assert send_task_reminders(runtime, due - timedelta(days=7)) == 1  # one week before
    assert send_task_reminders(runtime, due - timedelta(days=6)) == 0  # never twice
    assert (
        _mails(runtime, "herinnering") == ["Stuurgroep Demo-regio <stuurgroep@demo.sto>"]
        or len(_mails(runtime, "herinnering")) == 1
    )
    assert send_task_reminders(runtime, due - timedelta(days=2)) == 1  # two days before
    assert len(_mails(runtime, "herinnering")) == 2

    assert send_task_reminders(runtime, due + timedelta(minutes=1)) >= 1  # overdue
    assert any("coordinator@demo.sto" in r for r in _mails(runtime, "escalatie"))
    assert not any("noord" in r for r in _mails(runtime, "escalatie"))
    assert send_task_reminders(runtime, due + timedelta(days=1)) == 0  # told once
    with runtime.transaction(write=False) as session:
        assert session.get(HumanTask, task_id).status == "open"  # the task was not taken away


def test_after_downtime_only_the_latest_reminder_goes_out(runtime, login, clock) -> None:
    submitted_to_decision(login("projectleider@demo.sto"), login("penvoerder@demo.sto"))
    with runtime.transaction(write=False) as session:
        due = session.scalar(select(HumanTask.due_at).where(HumanTask.spec_name == "besluiten"))
    assert send_task_reminders(runtime, due - timedelta(days=1)) == 1  # the 7-day moment was missed
    assert len(_mails(runtime, "herinnering")) == 1
