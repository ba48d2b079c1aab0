"""Small helpers over the API that read like what a user looks at: the inbox, the history, a task."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from service.web.runtime import Runtime
from tests.web.change_request import ADVICE_POSITIVE, ZORGROBOTS, complete, only_task, start

INDIENEN = "Wijzigingsverzoek indienen"
TOETSEN = "Subsidieregels en begroting toetsen"
BESLUITEN = "Besluiten over het wijzigingsverzoek"
VASTLEGGEN = "Vastleggen in regioplan en begroting"
MELDEN = "Wijziging schriftelijk melden aan DUS-I"


def inbox(user: Any) -> list[dict[str, Any]]:
    """The open tasks GET /api/v1/tasks offers this user."""
    response = user.get("/api/v1/tasks")
    assert response.status_code == 200, response.json
    return response.json["tasks"]


def inbox_names(user: Any) -> list[str]:
    return [task["name"] for task in inbox(user)]


def instance(user: Any, instance_id: int) -> dict[str, Any]:
    response = user.get(f"/api/v1/instances/{instance_id}")
    assert response.status_code == 200, response.json
    return response.json


def events(user: Any, instance_id: int, action: str) -> list[dict[str, Any]]:
    """The history events of one kind, oldest first."""
    return [event for event in instance(user, instance_id)["history"] if event["action"] == action]


def submitted_to_decision(projectleider: Any, penvoerder: Any, request: dict[str, Any] = ZORGROBOTS) -> dict[str, Any]:
    """Start a change request, submit it, give positive advice: returns the instance JSON after the advice."""
    started = start(projectleider)
    submitted = complete(projectleider, only_task(started)["id"], request)
    return complete(penvoerder, only_task(submitted)["id"], ADVICE_POSITIVE)


def count(runtime: Runtime, model: Any, *where: Any) -> int:
    """Rows of a model matching the conditions, read in a fresh read transaction."""
    with runtime.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0
