"""Withdrawing a running request: its open tasks are closed, its timers and personal links stop, the reason is on
the trail, everyone involved hears of it; only the starter, the projectleider or the coordinator may, and only once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from service.models import AuditEvent, DueTimer, HumanTask, OutboxEmail, ProcessInstance
from service.web.runtime import Runtime
from tests.web.flow import count, inbox_names, instance
from tests.web.pages import csrf_token, signed_in, text
from tests.web.test_new_partner_process import _accept, _link, _to_signing

REASON = "De school kiest toch voor een andere regio."


def _withdraw(user: Any, instance_id: int, reason: Any = REASON, status: int = 200) -> dict[str, Any]:
    response = user.post(f"/api/v1/instances/{instance_id}/withdraw", {"reason": reason})
    assert response.status_code == status, response.json
    return response.json


def test_withdrawing_a_new_partner_request_closes_everything_and_tells_those_involved(
    runtime: Runtime,
    login,
    client,  # type: ignore[no-untyped-def]
) -> None:
    case = _to_signing(login)
    link = _link(runtime)
    projectleider = login("projectleider@demo.sto")
    assert "Ondertekening door de nieuwe partner" in inbox_names(projectleider)
    assert count(runtime, DueTimer, DueTimer.instance_id == case["id"], DueTimer.fired_at.is_(None)) == 2

    withdrawn = _withdraw(projectleider, case["id"])
    assert withdrawn["status"] == "withdrawn" and withdrawn["open_tasks"] == []
    assert "Ondertekening door de nieuwe partner" not in inbox_names(projectleider)
    assert count(runtime, HumanTask, HumanTask.instance_id == case["id"], HumanTask.status == "open") == 0
    assert count(runtime, DueTimer, DueTimer.instance_id == case["id"], DueTimer.fired_at.is_(None)) == 0
    refused = _accept(client, link, {"naam": "Fatima el Amrani", "akkoord": "ja"})
    assert refused.status_code == 410 and "ingetrokken" in text(refused)

    history = instance(projectleider, case["id"])["history"]
    assert [e["summary"] for e in history if e["action"] == "instance_withdrawn"] == [f"Verzoek ingetrokken: {REASON}"]
    with runtime.transaction(write=False) as session:
        told = {m.recipient for m in session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "ingetrokken"))}
    told_addresses = {address.split("<")[-1].rstrip(">") for address in told}
    # the starter, the penvoerder and stuurgroep who acted, and the coordinator; nobody of another region
    expected = {"projectleider@demo.sto", "penvoerder@demo.sto", "stuurgroep@demo.sto", "coordinator@demo.sto"}
    assert told_addresses == expected

    _withdraw(projectleider, case["id"], status=409)  # only once


def test_a_step_on_a_withdrawn_request_is_refused(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    started = login("projectleider@demo.sto").post(
        "/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {}}
    )
    task_id = started.json["open_tasks"][0]["id"]
    projectleider = login("projectleider@demo.sto")
    _withdraw(projectleider, started.json["id"])
    late = projectleider.post(f"/api/v1/tasks/{task_id}/complete", {"data": {}})
    assert late.status_code == 409


def test_who_may_withdraw_and_bad_reasons(runtime: Runtime, login) -> None:  # type: ignore[no-untyped-def]
    case = (
        login("projectleider@demo.sto")
        .post("/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {}})
        .json
    )
    _withdraw(login("stuurgroep@demo.sto"), case["id"], status=403)
    _withdraw(login("projectleider@noord.sto"), case["id"], status=404)
    for bad in ("", "  ", None, 5, "x" * 2001):
        _withdraw(login("projectleider@demo.sto"), case["id"], reason=bad, status=422)
    with runtime.transaction(write=False) as session:
        assert session.get(ProcessInstance, case["id"]).status == "running"  # type: ignore[union-attr]
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "instance_withdrawn")).all()
    _withdraw(login("coordinator@demo.sto"), case["id"])


def test_the_instance_page_offers_withdrawal_with_a_reason(runtime: Runtime, login, app) -> None:  # type: ignore[no-untyped-def]
    case = (
        login("projectleider@demo.sto")
        .post("/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {}})
        .json
    )
    path = f"/verzoeken/{case['id']}"
    assert "Verzoek intrekken" not in text(signed_in(app, "stuurgroep@demo.sto").get(path))
    browser = signed_in(app, "projectleider@demo.sto")
    assert "Verzoek intrekken" in text(browser.get(path))
    empty = browser.post(f"{path}/intrekken", data={"reason": "", "csrf_token": csrf_token(browser, path)})
    assert empty.status_code == 422 and "Schrijf waarom het verzoek wordt ingetrokken." in text(empty)
    done = browser.post(f"{path}/intrekken", data={"reason": REASON, "csrf_token": csrf_token(browser, path)})
    assert done.status_code == 302
    page = text(browser.get(path))
    assert "ingetrokken" in page and "Verzoek intrekken" not in page.split("<main")[1].split("Procesdiagram")[0]
