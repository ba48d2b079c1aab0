"""The operators' console use cases: suspend and resume, skip and retry a failed step, cancel and reassign.
Each is on the audit trail with who and why, each is refused with a Dutch message (nothing changed) where it
does not apply, and of two operators acting at once exactly one wins. Time is moved with time-machine."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from service.domain import accounts, demo, tasks
from service.domain.console import actions, steps
from service.domain.errors import Conflict, InvalidInput, NotAllowed
from service.domain.forms import FormLibrary
from service.domain.inbox import actionable_tasks
from service.jobs.reminders import send_task_reminders
from service.jobs.timers import fire_one, fire_timers
from service.models import AuditEvent, DueTimer, HumanTask, OutboxEmail
from service.runtime import Runtime, utc_now

from .console_flow import T0, instance_row, open_incidents, open_task, start, user

REASON = "Budgetcontrole door de accountant loopt nog"


@pytest.fixture
def rt(runtime: Runtime) -> Runtime:
    runtime.clock = utc_now  # time-machine moves our clock and SpiffWorkflow's
    return runtime


def _complete(rt: Runtime, instance_id: int, email: str = "projectleider@demo.sto") -> None:
    task = open_task(rt, instance_id)
    assert task is not None
    with rt.transaction(write=True) as session:
        tasks.complete_task(
            session,
            FormLibrary(rt.settings.forms_dir),
            user=user(session, email),
            task_id=task.id,
            data={},
            now=utc_now(),
        )


def _act(rt: Runtime, action, **kwargs):  # type: ignore[no-untyped-def]
    with rt.transaction(write=True) as session:
        kwargs.setdefault("user", user(session, "beheerder@demo.sto"))
        return action(session, now=utc_now(), **kwargs)


def _skip(rt: Runtime, instance_id: int, reason: str, email: str = "beheerder@demo.sto") -> None:
    with rt.transaction(write=False) as session, rt.db.write_on_demand(reader=session) as write:
        steps.skip_failed_step(
            session, user=user(session, email), instance_id=instance_id, reason=reason, now=utc_now(), write=write
        )


def _trail(rt: Runtime, instance_id: int, action: str) -> list[tuple[str, str]]:
    with rt.transaction(write=False) as session:
        rows = session.execute(
            select(AuditEvent.actor_label, AuditEvent.summary).where(
                AuditEvent.instance_id == instance_id, AuditEvent.action == action
            )
        )
        return [tuple(row) for row in rows]


def _failed_after_timer(rt: Runtime) -> int:
    """An instance whose script failed after its timer: an open incident on 'Rekenen'."""
    with time_machine.travel(T0, tick=False):
        instance_id = start(rt, deler=0)
        _complete(rt, instance_id)
    with time_machine.travel(T0 + timedelta(hours=1, seconds=1), tick=False):
        assert fire_timers(rt, utc_now()) == 0
    [incident] = open_incidents(rt, instance_id)
    assert incident.element == "Rekenen"
    return instance_id


def test_a_suspended_instance_completes_no_task_and_fires_its_timer_only_after_resuming(rt) -> None:
    with time_machine.travel(T0, tick=False):
        instance_id = start(rt, deler=2)
        _act(rt, actions.suspend_instance, instance_id=instance_id, reason=REASON)
        with pytest.raises(Conflict) as refused:
            _complete(rt, instance_id)
        assert "gepauzeerd door de beheerder" in refused.value.message
        assert open_task(rt, instance_id).name == "Voorbereiden"  # still open, nothing saved
        _act(rt, actions.resume_instance, instance_id=instance_id, reason="Controle is klaar")
        _complete(rt, instance_id)  # completable again
        _act(rt, actions.suspend_instance, instance_id=instance_id, reason=REASON)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert fire_timers(rt, utc_now()) == 0  # due, but paused: it waits
        assert open_task(rt, instance_id) is None
        _act(rt, actions.resume_instance, instance_id=instance_id, reason="Accountant akkoord")
        assert fire_one(rt, instance_id, utc_now()) == 1  # what fell due meanwhile fires on resuming
    assert open_task(rt, instance_id).name == "Uitkomst controleren"
    assert instance_row(rt, instance_id).data["uitkomst"] == 5
    assert (
        _trail(rt, instance_id, "instance_suspended")
        == [
            ("beheerder@demo.sto", f"Gepauzeerd door de beheerder: {REASON}"),
        ]
        * 2
    )
    assert ("beheerder@demo.sto", "Hervat door de beheerder: Accountant akkoord") in _trail(
        rt, instance_id, "instance_resumed"
    )


def test_a_suspended_instance_sends_no_reminder_until_it_is_resumed(rt) -> None:
    with time_machine.travel(T0, tick=False):
        instance_id = start(rt, deler=2)
        with rt.transaction(write=True) as session:  # remind a day before a due date 25 hours away
            task = session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id))
            task.due_at, task.reminder_offsets = T0 + timedelta(hours=25), "86400"
            task.next_reminder_at = T0 + timedelta(hours=1)
        _act(rt, actions.suspend_instance, instance_id=instance_id, reason=REASON)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert send_task_reminders(rt, utc_now()) == 0
        _act(rt, actions.resume_instance, instance_id=instance_id, reason="Weer verder")
        assert send_task_reminders(rt, utc_now()) == 1
    with rt.transaction(write=False) as session:
        assert session.scalar(select(OutboxEmail.recipient).where(OutboxEmail.kind == "herinnering")) is not None


def test_skipping_the_failed_script_moves_the_instance_on_without_running_it(rt) -> None:
    instance_id = _failed_after_timer(rt)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        _skip(rt, instance_id, "Deler ontbrak; uitkomst wordt met de hand bepaald")
    assert open_task(rt, instance_id).name == "Uitkomst controleren"
    assert open_incidents(rt, instance_id) == []
    row = instance_row(rt, instance_id)
    assert row.status == "running" and "uitkomst" not in row.data  # the script did not run
    with rt.transaction(write=False) as session:
        assert session.scalar(select(DueTimer.fired_at).where(DueTimer.instance_id == instance_id)) is not None
    assert _trail(rt, instance_id, "step_skipped") == [
        (
            "beheerder@demo.sto",
            "Stap overgeslagen door de beheerder: Rekenen (Deler ontbrak; uitkomst wordt met de hand bepaald)",
        )
    ]
    _complete(rt, instance_id)
    assert instance_row(rt, instance_id).status == "completed"


def test_retrying_a_step_that_still_fails_keeps_the_incident_with_one_more_attempt(rt) -> None:
    instance_id = _failed_after_timer(rt)
    with time_machine.travel(T0 + timedelta(hours=1, minutes=0, seconds=10), tick=False):
        ticket = _act(rt, steps.prepare_retry, instance_id=instance_id, reason="")
        assert ticket.job == "timers"
        assert fire_one(rt, instance_id, utc_now()) == 0
    [incident] = open_incidents(rt, instance_id)
    assert incident.attempts == 2 and "Rekenen" in incident.reason
    assert _trail(rt, instance_id, "step_retried") == [
        ("beheerder@demo.sto", "Mislukte stap opnieuw geprobeerd door de beheerder: Rekenen")
    ]


def test_cancelling_stops_tasks_and_timers_and_tells_those_involved(rt) -> None:
    with time_machine.travel(T0, tick=False):
        instance_id = start(rt, deler=2)
        _act(rt, actions.cancel_instance, instance_id=instance_id, reason="Dubbel ingediend")
    row = instance_row(rt, instance_id)
    assert row.status == "withdrawn" and row.completed_at == T0
    assert open_task(rt, instance_id) is None
    assert _trail(rt, instance_id, "instance_withdrawn") == [
        ("beheerder@demo.sto", "Verzoek stopgezet door de beheerder: Dubbel ingediend")
    ]
    with rt.transaction(write=False) as session:
        told = set(session.scalars(select(OutboxEmail.recipient).where(OutboxEmail.instance_id == instance_id)))
    assert "projectleider@demo.sto" in told
    with pytest.raises(Conflict) as refused:
        _act(rt, actions.cancel_instance, instance_id=instance_id, reason="Nog een keer")
    assert "loopt niet meer" in refused.value.message


def test_reassigning_gives_the_task_to_a_named_role_holder_who_is_told(rt) -> None:
    with rt.transaction(write=True) as session:
        second = demo.create_demo_user(
            session, email="pl2@demo.sto", name="Tweede Leider", now=utc_now(), fast_hash=True
        )
        accounts.grant_role(session, user=second, region_code="demo", role="projectleider")
    with time_machine.travel(T0, tick=False):
        instance_id = start(rt, deler=2)
        task_id = open_task(rt, instance_id).id
        with rt.transaction(write=False) as session:
            coordinator_id = user(session, "coordinator@demo.sto").id
            second_id = user(session, "pl2@demo.sto").id
        with pytest.raises(InvalidInput) as refused:
            _act(
                rt,
                actions.reassign_task,
                instance_id=instance_id,
                task_id=task_id,
                assignee_id=coordinator_id,
                reason="",
            )
        assert refused.value.fields["assignee"] == "Kies iemand met de rol projectleider in deze regio."
        _act(
            rt,
            actions.reassign_task,
            instance_id=instance_id,
            task_id=task_id,
            assignee_id=second_id,
            reason="Vakantie",
        )
    with rt.transaction(write=False) as session:
        second_inbox = session.scalars(select(HumanTask.id).where(actionable_tasks(user(session, "pl2@demo.sto"))))
        first_inbox = session.scalars(
            select(HumanTask.id).where(actionable_tasks(user(session, "projectleider@demo.sto")))
        )
        assert task_id in list(second_inbox) and task_id not in list(first_inbox)
        mail = session.scalar(select(OutboxEmail).where(OutboxEmail.kind == "toegewezen"))
        assert mail.recipient.endswith("<pl2@demo.sto>") and "Voorbereiden" in mail.subject
    assert _trail(rt, instance_id, "task_reassigned") == [
        ("beheerder@demo.sto", "Toegewezen aan Tweede Leider door de beheerder (Vakantie): Voorbereiden")
    ]
    with pytest.raises(NotAllowed):  # the first projectleider can no longer complete it
        _complete(rt, instance_id)
    _complete(rt, instance_id, "pl2@demo.sto")


def test_actions_that_do_not_apply_are_refused_and_change_nothing(rt) -> None:
    with time_machine.travel(T0, tick=False):
        instance_id = start(rt, deler=2)
        version = instance_row(rt, instance_id).version
        cases = [
            (actions.resume_instance, {"reason": REASON}, Conflict, "niet gepauzeerd"),
            (actions.suspend_instance, {"reason": "  "}, InvalidInput, "Geef een reden."),
            (actions.cancel_instance, {"reason": ""}, InvalidInput, "Geef een reden."),
            (steps.prepare_retry, {"reason": ""}, Conflict, "geen open storing"),
        ]
        for action, extra, error, words in cases:
            with pytest.raises(error) as refused:
                _act(rt, action, instance_id=instance_id, **extra)
            assert words in refused.value.message
        with pytest.raises(Conflict) as refused:
            _skip(rt, instance_id, REASON)
        assert "geen open storing" in refused.value.message
        with pytest.raises(NotAllowed) as refused, rt.transaction(write=True) as session:
            actions.suspend_instance(
                session, user=user(session, "coordinator@demo.sto"), instance_id=instance_id, reason=REASON, now=T0
            )
        assert refused.value.message == "Alleen beheerders kunnen lopende processen beheren."
        with pytest.raises(NotAllowed):
            _skip(rt, instance_id, REASON, email="projectleider@demo.sto")
    row = instance_row(rt, instance_id)
    assert (row.version, row.suspended_at, row.status) == (version, None, "running")


def test_skipping_needs_a_reason(rt) -> None:
    instance_id = _failed_after_timer(rt)
    with pytest.raises(InvalidInput) as refused:
        _skip(rt, instance_id, "")
    assert refused.value.fields["reason"] == "Schrijf waarom deze stap wordt overgeslagen."
    assert len(open_incidents(rt, instance_id)) == 1


def test_of_two_operators_acting_at_once_exactly_one_wins(rt) -> None:
    with time_machine.travel(T0, tick=False):
        instance_id = start(rt, deler=2)
    seen = instance_row(rt, instance_id).version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def operate(action) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            with rt.transaction(write=True) as session:
                action(
                    session,
                    user=user(session, "beheerder@demo.sto"),
                    instance_id=instance_id,
                    reason=REASON,
                    now=utc_now(),
                    seen_version=seen,
                )
            outcomes.append("won")
        except Conflict as err:
            outcomes.append(err.message)

    threads = [threading.Thread(target=operate, args=(a,)) for a in (actions.suspend_instance, actions.cancel_instance)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1
    assert "intussen gewijzigd" in next(o for o in outcomes if o != "won")
