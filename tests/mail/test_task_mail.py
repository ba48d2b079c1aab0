"""Mail caused by the process: a new task goes to the next role's users in the task's region only, once, in
Dutch, as text and HTML with a direct link; decisions reach the parties; a rollback leaves no mail. The step
marks its new tasks; the mail job writes their mail (one task per transaction) before it sends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.domain import tasks
from service.jobs.mail import send_outbox, write_new_task_mail
from service.mail import messages
from service.models import HumanTask, Incident, OutboxEmail, User
from tests.mail.conftest import outbox_rows, parts
from tests.web.change_request import ADVICE_POSITIVE, APPROVED, SMALL_IN_PLAN, ZORGROBOTS, complete, only_task, start
from tests.web.flow import BESLUITEN, TOETSEN


def test_completing_a_task_mails_the_next_roles_users_of_that_region_once(runtime, login, clock, smtp_inbox) -> None:
    projectleider = login("projectleider@demo.sto")
    submitted = complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    toetsen = only_task(submitted)
    assert toetsen["name"] == TOETSEN
    assert outbox_rows(runtime, OutboxEmail.task_id == toetsen["id"]) == []  # the step itself writes no mail

    assert write_new_task_mail(runtime, clock()) == 1
    assert write_new_task_mail(runtime, clock()) == 0  # once
    queued = outbox_rows(runtime, OutboxEmail.task_id == toetsen["id"])
    assert [(row.kind, row.recipient, row.status) for row in queued] == [
        ("nieuwe_taak", "Penvoerder Demo-regio <penvoerder@demo.sto>", "pending")
    ]  # not the penvoerder of regio Noord, not the other roles

    assert send_outbox(runtime, clock()) >= 1
    assert send_outbox(runtime, clock()) == 0  # nothing twice

    received = smtp_inbox.to("penvoerder@demo.sto")
    assert len(received) == 1
    mail = received[0]
    assert mail["Subject"] == f"Nieuwe taak: {TOETSEN}"
    assert mail["Message-ID"] and mail["From"] == runtime.settings.mail_from
    text, html = parts(mail)
    link = f"https://sto.example.nl/taken/{toetsen['id']}"
    assert "Beste Penvoerder Demo-regio," in text and "Er staat een nieuwe taak voor u klaar" in text
    assert link in text and f'href="{link}"' in html and ZORGROBOTS["titel"] in html
    assert "[[STO_BASE_URL]]" not in text + html
    assert not smtp_inbox.to("penvoerder@noord.sto")
    assert {row.status for row in outbox_rows(runtime)} == {"sent"}


def test_user_data_is_escaped_in_the_html_part(runtime, login, clock, smtp_inbox) -> None:
    projectleider = login("projectleider@demo.sto")
    title = '<script>alert("x")</script> & <b>Zorgrobots</b>'
    complete(projectleider, only_task(start(projectleider))["id"], {**ZORGROBOTS, "titel": title})

    send_outbox(runtime, clock())

    text, html = parts(smtp_inbox.to("penvoerder@demo.sto")[0])
    assert "<script>" not in html and "<b>Zorgrobots" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;Zorgrobots&lt;/b&gt;" in html
    assert title in text  # plain text shows it as it was typed


def test_a_rolled_back_step_leaves_no_mail(runtime, login, clock) -> None:
    projectleider = login("projectleider@demo.sto")
    task_id = only_task(start(projectleider))["id"]
    before = len(outbox_rows(runtime))

    with pytest.raises(RuntimeError), runtime.transaction(write=True) as session:
        user = session.scalar(select(User).where(User.email == "projectleider@demo.sto"))
        result = tasks.complete_task(session, runtime.forms, user=user, task_id=task_id, data=ZORGROBOTS, now=clock())
        assert [task.mail_pending for task in result.open_tasks] == [True]
        raise RuntimeError("something after the step failed")

    assert write_new_task_mail(runtime, clock()) == 0
    assert len(outbox_rows(runtime)) == before
    with runtime.transaction(write=False) as session:
        assert session.get(HumanTask, task_id).status == "open"


def test_the_stuurgroep_decision_is_mailed_to_the_starter_coordinator_and_penvoerder(runtime, login, clock) -> None:
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    submitted = complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    advised = complete(penvoerder, only_task(submitted)["id"], ADVICE_POSITIVE)
    besluiten = only_task(advised)
    assert besluiten["name"] == BESLUITEN
    assert not outbox_rows(runtime, OutboxEmail.kind == "besluit")

    complete(login("stuurgroep@demo.sto"), besluiten["id"], APPROVED)

    decided = outbox_rows(runtime, OutboxEmail.kind == "besluit")
    assert sorted(row.recipient.split("<")[1].rstrip(">") for row in decided) == [
        "coordinator@demo.sto",
        "penvoerder@demo.sto",
        "projectleider@demo.sto",
    ]
    assert decided[0].subject == f"Besluit over {ZORGROBOTS['titel']}: goedgekeurd"
    assert "door de stuurgroep" not in decided[0].body_text and "Besloten door: stuurgroep" in decided[0].body_text
    assert f"/verzoeken/{advised['id']}" in decided[0].body_text


def test_when_the_advice_is_the_decision_the_parties_hear_it_after_the_advice(runtime, login) -> None:
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    submitted = complete(projectleider, only_task(start(projectleider))["id"], SMALL_IN_PLAN)

    complete(penvoerder, only_task(submitted)["id"], ADVICE_POSITIVE)

    decided = outbox_rows(runtime, OutboxEmail.kind == "besluit")
    assert len(decided) == 3
    assert all("Besloten door: penvoerder" in row.body_text for row in decided)


def test_a_task_done_before_its_mail_was_written_gets_none(runtime, login, clock) -> None:
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    submitted = complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    complete(penvoerder, only_task(submitted)["id"], ADVICE_POSITIVE)  # within seconds, before the mail job ran

    write_new_task_mail(runtime, clock())

    assert outbox_rows(runtime, OutboxEmail.task_id == only_task(submitted)["id"]) == []
    assert len(outbox_rows(runtime, OutboxEmail.kind == "nieuwe_taak")) == 1  # the stuurgroep's task: still open


def test_a_mail_that_cannot_be_written_is_an_incident_and_the_others_still_go(runtime, login, clock, monkeypatch):
    projectleider = login("projectleider@demo.sto")
    broken = complete(projectleider, only_task(start(projectleider))["id"], {**ZORGROBOTS, "titel": "Kapot"})
    fine = complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    original = messages.new_task

    def failing(name, facts, why):  # a fault injected for one task (e.g. a template that breaks on its data)
        if facts.instance_title == "Kapot":
            raise ValueError("template broke")
        return original(name, facts, why)

    monkeypatch.setattr(messages, "new_task", failing)

    assert write_new_task_mail(runtime, clock()) == 1
    assert len(outbox_rows(runtime, OutboxEmail.task_id == only_task(fine)["id"])) == 1
    with runtime.transaction(write=False) as session:
        [incident] = session.scalars(select(Incident).where(Incident.resolved_at.is_(None)))
        assert (incident.instance_id, incident.job, incident.attempts) == (broken["id"], "taakmail", 1)
        assert incident.reason == "Er ging onverwacht iets mis bij het verwerken; zie het logboek."
    assert write_new_task_mail(runtime, clock()) == 0  # waits for its backoff, without a write transaction

    monkeypatch.setattr(messages, "new_task", original)
    clock.advance(minutes=2)
    assert write_new_task_mail(runtime, clock()) == 1
    assert len(outbox_rows(runtime, OutboxEmail.task_id == only_task(broken)["id"])) == 1
    with runtime.transaction(write=False) as session:
        assert session.scalars(select(Incident).where(Incident.resolved_at.is_(None))).all() == []
