"""What the reminder job calls: a reminder to the task's candidates ("uiterlijk op ..."), and when a task is
overdue a mail to them plus an escalation to the region's coordinators. Calling again queues nothing new."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

from service.domain import notifications
from service.models import HumanTask, OutboxEmail
from tests.mail.conftest import outbox_rows
from tests.web.change_request import ADVICE_POSITIVE, ZORGROBOTS, complete, only_task, start


def _besluiten(login) -> int:  # type: ignore[no-untyped-def]
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    submitted = complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    return only_task(complete(penvoerder, only_task(submitted)["id"], ADVICE_POSITIVE))["id"]


def test_a_reminder_names_the_due_date_and_is_queued_once(runtime, login, clock) -> None:
    task_id = _besluiten(login)
    queued = []
    for _call in range(2):
        with runtime.transaction(write=True) as session:
            task = session.get(HumanTask, task_id)
            due = task.due_at
            queued.append(notifications.notify_reminder(session, task, due, "1 week", clock()))
    assert queued == [1, 0]

    rows = outbox_rows(runtime, OutboxEmail.kind == "herinnering")
    assert [row.recipient for row in rows] == ["Stuurgroep Demo-regio <stuurgroep@demo.sto>"]
    assert due == clock() + timedelta(days=21)
    assert rows[0].subject == "Herinnering: Besluiten over het wijzigingsverzoek uiterlijk op maandag 21 december 2026"
    assert "uiterlijk op maandag 21 december 2026 af zijn (nog 1 week)" in rows[0].body_text
    assert f"[[STO_BASE_URL]]/taken/{task_id}" in rows[0].body_text


def test_an_overdue_task_is_mailed_to_its_candidates_and_escalated_to_the_coordinators(runtime, login, clock) -> None:
    task_id = _besluiten(login)
    clock.advance(days=22)
    queued = []
    for _call in range(2):
        with runtime.transaction(write=True) as session:
            queued.append(notifications.notify_overdue(session, session.get(HumanTask, task_id), clock()))
    assert queued == [2, 0]

    late = outbox_rows(runtime, OutboxEmail.kind == "te_laat")
    escalated = outbox_rows(runtime, OutboxEmail.kind == "escalatie")
    assert [row.recipient for row in late] == ["Stuurgroep Demo-regio <stuurgroep@demo.sto>"]
    # (a name with ö travels RFC 2047-encoded in the header)
    assert [parseaddr(row.recipient)[1] for row in escalated] == ["coordinator@demo.sto"]
    assert escalated[0].subject == "Escalatie: Besluiten over het wijzigingsverzoek is te laat"
    assert "De taak blijft bij de rol stuurgroep" in escalated[0].body_text
