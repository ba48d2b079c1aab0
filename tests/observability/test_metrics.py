"""/metrics as Prometheus scrapes it: request and task-completion latency, gauges read from the database, and
access only from this machine or with the metrics token."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from flask import Flask

from service.domain import definitions
from service.mail.messages import Message
from service.mail.outbox import enqueue
from service.models import DueTimer, HumanTask, Incident
from service.web.runtime import Runtime
from tests.web.change_request import ZORGROBOTS, complete, only_task, start

from .conftest import scrape, value

CONFIRM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_bevestigen"
    targetNamespace="http://sto.example/tests">
  <bpmn:process id="bevestigen" name="Bevestigen" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="bevestig"/>
    <bpmn:userTask id="bevestig" name="Bevestigen"/>
    <bpmn:sequenceFlow id="f2" sourceRef="bevestig" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_completion_moves_the_histogram_and_open_tasks(app: Flask, runtime: Runtime, clock, login) -> None:  # type: ignore[no-untyped-def]
    with runtime.transaction(write=True) as session:
        definitions.deploy_files(
            session, process_key="bevestigen", files={"bevestigen.bpmn": CONFIRM.decode()}, now=clock(), deployed_by="t"
        )
    coordinator = login("coordinator@demo.sto")
    started = coordinator.post("/api/v1/processes/bevestigen/instances", {"region": "demo"})
    assert started.status_code == 201, started.json
    task_id = only_task(started.json)["id"]
    client = app.test_client()
    before = scrape(client)
    clock.advance(hours=3)  # the task waited three hours for someone

    response = coordinator.post(f"/api/v1/tasks/{task_id}/complete", {"data": {}})
    assert response.status_code == 200, response.json
    after = scrape(client)

    count = "sto_task_completion_seconds_count"
    assert value(after, count, process="bevestigen") == value(before, count, process="bevestigen") + 1
    total = "sto_task_completion_seconds_sum"
    assert value(after, total, process="bevestigen") - value(before, total, process="bevestigen") == 3 * 3600
    bucket = "sto_task_completion_seconds_bucket"
    for le, moved in (("3600.0", 0), ("14400.0", 1)):  # counted under 4 hours, not under one
        assert (
            value(after, bucket, process="bevestigen", le=le) - value(before, bucket, process="bevestigen", le=le)
            == moved
        )
    assert value(after, "sto_open_tasks") == value(before, "sto_open_tasks") - 1
    assert value(after, "sto_instances", status="completed") == value(before, "sto_instances", status="completed") + 1


def test_a_refused_completion_is_not_counted(app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    projectleider = login("projectleider@demo.sto")
    task_id = only_task(start(projectleider))["id"]
    client = app.test_client()
    before = scrape(client)
    refused = projectleider.post(f"/api/v1/tasks/{task_id}/complete", {"data": {"bedrag": "veel"}})
    assert refused.status_code == 422
    after = scrape(client)
    count = "sto_task_completion_seconds_count"
    assert value(after, count, process="wijzigingsverzoek") == value(before, count, process="wijzigingsverzoek")


def test_request_latency_is_counted_by_route_not_by_path(app: Flask, login) -> None:  # type: ignore[no-untyped-def]
    projectleider = login("projectleider@demo.sto")
    client = app.test_client()
    before = scrape(client)
    task_id = only_task(start(projectleider))["id"]
    assert projectleider.get(f"/api/v1/tasks/{task_id}").status_code == 200
    assert projectleider.get("/api/v1/tasks/999999").status_code == 404
    assert client.get("/bestaat-niet/ook-niet").status_code == 404
    after = scrape(client)

    name = "sto_http_request_duration_seconds_count"
    route = "/api/v1/tasks/<int:task_id>"
    labels = {"route": route, "method": "GET"}
    assert value(after, name, **labels, status="2xx") - value(before, name, **labels, status="2xx") == 1
    assert value(after, name, **labels, status="4xx") - value(before, name, **labels, status="4xx") == 1
    unmatched = {"route": "<unmatched>", "method": "GET", "status": "4xx"}
    assert value(after, name, **unmatched) - value(before, name, **unmatched) == 1
    assert not any(f"/api/v1/tasks/{task_id}" in dict(labels_).get("route", "") for (_n, labels_) in after)


def test_gauges_read_from_the_database(app: Flask, runtime: Runtime, clock, login) -> None:  # type: ignore[no-untyped-def]
    projectleider = login("projectleider@demo.sto")
    client = app.test_client()
    before = scrape(client)
    started = start(projectleider)
    advice = only_task(complete(projectleider, only_task(started)["id"], ZORGROBOTS))  # the penvoerder's turn
    with runtime.transaction(write=True) as session:
        session.get(HumanTask, advice["id"]).due_at = clock() - timedelta(hours=1)
        for n in range(2):
            message = Message(subject="Nieuwe taak", text="Er staat een taak klaar.", html="<p>Een taak.</p>")
            enqueue(session, recipient="a@demo.sto", message=message, kind="task", dedupe_key=f"m{n}", now=clock())
        due = clock() - timedelta(seconds=90)
        session.add(DueTimer(instance_id=started["id"], engine_task_id="t", name="t", due_at=due))
        session.add(
            Incident(
                instance_id=started["id"],
                region_code="demo",
                job="timers",
                element="?",
                reason="test",
                first_seen_at=clock(),
                last_seen_at=clock(),
                next_attempt_at=clock(),
            )
        )
    now = scrape(client)
    assert value(now, "sto_metrics_database_up") == 1
    assert value(now, "sto_open_tasks") == value(before, "sto_open_tasks") + 1
    assert value(now, "sto_overdue_tasks") == value(before, "sto_overdue_tasks") + 1
    assert value(now, "sto_outbox_unsent") == value(before, "sto_outbox_unsent") + 2
    assert value(now, "sto_outbox_oldest_unsent_age_seconds") == 0  # queued this very moment
    assert value(now, "sto_timer_lag_seconds") == 90
    assert value(now, "sto_open_incidents") == value(before, "sto_open_incidents") + 1
    assert value(now, "sto_instances", status="running") == value(before, "sto_instances", status="running") + 1

    clock.advance(days=30)  # nothing was sent and nothing fired for a month
    later = scrape(client)
    assert value(later, "sto_outbox_oldest_unsent_age_seconds") == 30 * 86400
    assert value(later, "sto_timer_lag_seconds") == 30 * 86400 + 90


def test_metrics_answer_with_database_up_0_when_the_database_is_down(app: Flask, runtime: Runtime) -> None:
    runtime.db.dispose()
    from service.db import Database

    runtime.db = Database("postgresql+psycopg://sto_ci:sto_ci@127.0.0.1:1/none?connect_timeout=2")
    samples = scrape(app.test_client())
    assert value(samples, "sto_metrics_database_up") == 0
    assert ("sto_open_tasks", ()) not in samples  # no made-up zeros


def test_only_this_machine_or_the_token_holder_may_scrape(app: Flask, runtime: Runtime) -> None:
    client = app.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", environ_base=outside).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    # Through a reverse proxy on this machine a request comes from 127.0.0.1, but it is not local.
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 403

    runtime.settings = dataclasses.replace(runtime.settings, metrics_token="scrape-me-please-0123456789")
    good = {"Authorization": "Bearer scrape-me-please-0123456789"}
    assert client.get("/metrics", environ_base=outside, headers=good).status_code == 200
    wrong = {"Authorization": "Bearer scrape-me-please-nope"}
    assert client.get("/metrics", environ_base=outside, headers=wrong).status_code == 403

    runtime.settings = dataclasses.replace(runtime.settings, metrics_token="")
    empty = {"Authorization": "Bearer "}  # no token configured: an empty one opens nothing
    assert client.get("/metrics", environ_base=outside, headers=empty).status_code == 403
