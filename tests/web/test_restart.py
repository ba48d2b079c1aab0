"""A restart in the middle of a change request: a brand-new app on the same database carries on."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from service import engine
from service.db import Database
from service.models import Activity, BudgetMutation, ReportItem
from service.web.app import create_app
from service.web.runtime import Runtime
from tests.conftest import ApiUser
from tests.web.change_request import (
    ADVICE_POSITIVE,
    APPROVED,
    RECORD_ZORGROBOTS,
    ZORGROBOTS,
    complete,
    only_task,
    start,
)
from tests.web.flow import BESLUITEN, TOETSEN, VASTLEGGEN, inbox, inbox_names, instance


@pytest.fixture
def restarted(runtime: Runtime) -> Iterator[Any]:
    """Returns restart(): a new Runtime, Database and app on the same database, with a cold parse cache."""
    databases: list[Database] = []

    def restart() -> Any:
        engine.spec_cache.clear()
        db = Database(runtime.settings.database_url)
        databases.append(db)
        fresh = Runtime(settings=runtime.settings, db=db, forms=runtime.forms, clock=runtime.clock)
        return create_app(runtime=fresh).test_client()

    yield restart
    for db in databases:
        db.dispose()


def _sign_in(client: Any, email: str) -> ApiUser:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": "demo"})
    assert response.status_code == 200, response.json
    return ApiUser(client, email, response.json["token"])


def test_change_request_continues_after_a_restart(login, restarted: Any, runtime: Runtime) -> None:
    projectleider = login("projectleider@demo.sto")
    started = start(projectleider)
    submitted = complete(projectleider, only_task(started)["id"], ZORGROBOTS)
    toetsen = only_task(submitted)
    assert toetsen["name"] == TOETSEN

    client = restarted()
    assert len(engine.spec_cache) == 0
    penvoerder = _sign_in(client, "penvoerder@demo.sto")
    stuurgroep = _sign_in(client, "stuurgroep@demo.sto")
    leider = _sign_in(client, "projectleider@demo.sto")

    assert [(t["id"], t["name"]) for t in inbox(penvoerder)] == [(toetsen["id"], TOETSEN)]
    shown = penvoerder.get(f"/api/v1/tasks/{toetsen['id']}")
    assert shown.status_code == 200
    assert shown.json["data"]["titel"] == ZORGROBOTS["titel"]
    assert shown.json["data"]["stuurgroep_beslist"] is True

    advised = complete(penvoerder, toetsen["id"], ADVICE_POSITIVE)
    assert only_task(advised)["name"] == BESLUITEN
    assert inbox_names(stuurgroep) == [BESLUITEN]
    decided = complete(stuurgroep, only_task(advised)["id"], APPROVED)
    assert only_task(decided)["name"] == VASTLEGGEN
    done = complete(leider, only_task(decided)["id"], RECORD_ZORGROBOTS)

    assert done["status"] == "completed"
    history = instance(leider, done["id"])["history"]
    assert [e["actor"] for e in history if e["action"] == "task_completed"] == [
        "projectleider@demo.sto",
        "penvoerder@demo.sto",
        "stuurgroep@demo.sto",
        "projectleider@demo.sto",
    ]
    with runtime.transaction(write=False) as session:
        mutation = session.scalars(select(BudgetMutation).where(BudgetMutation.instance_id == done["id"])).one()
        assert mutation.amount == Decimal("7500.00")
        assert mutation.to_activity.name == "Zorgrobots in de praktijk"
        assert session.scalar(select(Activity).where(Activity.name == "Zorgrobots in de praktijk")) is not None
        assert session.scalars(select(ReportItem).where(ReportItem.instance_id == done["id"])).all() != []


def test_a_token_from_before_the_restart_still_works(login, restarted: Any) -> None:
    projectleider = login("projectleider@demo.sto")
    task = only_task(start(projectleider))

    client = restarted()
    same_user = ApiUser(client, projectleider.email, projectleider.token)

    assert [t["id"] for t in inbox(same_user)] == [task["id"]]
    done = complete(same_user, task["id"], ZORGROBOTS)
    assert only_task(done)["name"] == TOETSEN


def test_two_restarts_in_a_row_keep_the_instance_moving(login, restarted: Any) -> None:
    projectleider = login("projectleider@demo.sto")
    started = start(projectleider)

    first = restarted()
    submitted = complete(_sign_in(first, projectleider.email), only_task(started)["id"], ZORGROBOTS)
    second = restarted()
    penvoerder = _sign_in(second, "penvoerder@demo.sto")

    advised = complete(penvoerder, only_task(submitted)["id"], ADVICE_POSITIVE)

    assert only_task(advised)["name"] == BESLUITEN
    assert advised["data"]["titel"] == ZORGROBOTS["titel"]
