"""The console's actions in the API, for administrators: the same rules as the pages, as JSON."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import select

from service.models import User
from service.runtime import Runtime, utc_now

from ..domain.console_flow import T0, instance_row, open_task, start


@pytest.fixture
def rt(runtime: Runtime) -> Runtime:
    runtime.clock = utc_now
    return runtime


@pytest.fixture(autouse=True)
def at_t0():  # type: ignore[no-untyped-def]
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_an_administrator_suspends_and_resumes_through_the_api(rt, login) -> None:
    instance_id = start(rt, deler=2)
    admin = login("beheerder@demo.sto")
    empty = admin.post(f"/api/v1/instances/{instance_id}/suspend", {"reason": ""})
    assert empty.status_code == 422 and empty.json["fields"]["reason"] == "Schrijf waarom het verzoek wordt gepauzeerd."
    paused = admin.post(f"/api/v1/instances/{instance_id}/suspend", {"reason": "Controle"})
    assert paused.status_code == 200, paused.json
    assert (paused.json["operator_status"], paused.json["suspended_reason"]) == ("gepauzeerd", "Controle")
    stale = admin.post(f"/api/v1/instances/{instance_id}/cancel", {"reason": "Weg", "version": 1})
    assert stale.status_code == 409 and "intussen gewijzigd" in stale.json["message"]
    resumed = admin.post(f"/api/v1/instances/{instance_id}/resume", {"reason": "Klaar"})
    assert resumed.status_code == 200 and resumed.json["operator_status"] == "lopend"
    again = admin.post(f"/api/v1/instances/{instance_id}/resume", {"reason": "Klaar"})
    assert again.status_code == 409 and "niet gepauzeerd" in again.json["message"]
    no_incident = admin.post(f"/api/v1/instances/{instance_id}/skip", {"reason": "Weg ermee"})
    assert no_incident.status_code == 409 and "geen open storing" in no_incident.json["message"]


def test_region_users_are_refused_and_nothing_changes(rt, login) -> None:
    instance_id = start(rt, deler=2)
    task = open_task(rt, instance_id)
    for email in ("projectleider@demo.sto", "coordinator@demo.sto"):
        user = login(email)
        for action in ("suspend", "resume", "cancel", "retry", "skip"):
            refused = user.post(f"/api/v1/instances/{instance_id}/{action}", {"reason": "Omdat het moet"})
            assert refused.status_code == 403, (email, action)
        refused = user.post(f"/api/v1/instances/{instance_id}/tasks/{task.id}/reassign", {"assignee": 1})
        assert refused.status_code == 403
    row = instance_row(rt, instance_id)
    assert (row.status, row.suspended_at) == ("running", None)


def test_reassign_through_the_api_checks_the_task_belongs_to_the_instance(rt, login, second_projectleider) -> None:
    instance_id = start(rt, deler=2)
    other = start(rt, deler=2)
    task = open_task(rt, instance_id)
    with rt.transaction(write=False) as session:
        second = session.scalar(select(User.id).where(User.email == second_projectleider))
    admin = login("beheerder@demo.sto")
    wrong = admin.post(f"/api/v1/instances/{other}/tasks/{task.id}/reassign", {"assignee": second})
    assert wrong.status_code == 404
    given = admin.post(f"/api/v1/instances/{instance_id}/tasks/{task.id}/reassign", {"assignee": second})
    assert given.status_code == 200
    assert given.json["open_tasks"][0]["assignee"] == second_projectleider
