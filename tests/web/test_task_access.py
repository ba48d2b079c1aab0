"""Who may do what: 401 without a valid token, 403 for the wrong role, 404 outside one's region."""

from __future__ import annotations

from typing import Any

import pytest

from service.domain.accounts import issue_token
from service.models import ProcessInstance, User
from tests.web.change_request import ZORGROBOTS, only_task, start
from tests.web.flow import INDIENEN, count, inbox, inbox_names, instance

SECRET_TITLE = "Geheime samenwerking Zorgrobots"
NOORD_USERS = [f"{role}@noord.sto" for role in ("projectleider", "penvoerder", "stuurgroep", "coordinator")]


@pytest.fixture
def demo_task(login):  # type: ignore[no-untyped-def]
    """An open indienen task in region demo, started with a title nobody outside demo may learn."""
    projectleider = login("projectleider@demo.sto")
    return projectleider, only_task(start(projectleider, {"titel": SECRET_TITLE}))


def _assert_still_open_for_projectleider(projectleider: Any, task: dict[str, Any]) -> None:
    offered = inbox(projectleider)
    assert [(t["id"], t["assignee"]) for t in offered] == [(task["id"], None)]
    assert [e for e in instance(projectleider, task["instance_id"])["history"] if e["action"] == "task_completed"] == []


@pytest.mark.parametrize("action", ["complete", "claim"])
def test_penvoerder_may_not_take_the_projectleiders_task(login, demo_task: Any, action: str) -> None:
    projectleider, task = demo_task
    penvoerder = login("penvoerder@demo.sto")
    assert inbox(penvoerder) == []

    response = penvoerder.post(f"/api/v1/tasks/{task['id']}/{action}", {"data": ZORGROBOTS})

    assert response.status_code == 403
    assert response.json["error"] == "forbidden"
    assert response.json["message"] == "Deze taak is voor de rol projectleider; die heeft u niet in deze regio."
    _assert_still_open_for_projectleider(projectleider, task)


def test_penvoerder_may_read_a_task_of_the_region(login, demo_task: Any) -> None:
    _, task = demo_task
    response = login("penvoerder@demo.sto").get(f"/api/v1/tasks/{task['id']}")
    assert response.status_code == 200
    assert response.json["name"] == INDIENEN
    assert response.json["instance_title"] == SECRET_TITLE


def test_penvoerder_may_not_start_a_change_request(login, runtime: Any) -> None:
    penvoerder = login("penvoerder@demo.sto")

    response = penvoerder.post(
        "/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {"titel": "Mag niet"}}
    )

    assert response.status_code == 403
    assert response.json["message"] == "Alleen de rol projectleider kan dit proces starten in deze regio."
    assert count(runtime, ProcessInstance) == 0


def _assert_reveals_nothing(response: Any) -> None:
    assert response.status_code == 404
    assert response.json == {"error": "not_found", "message": "Niet gevonden."}
    assert SECRET_TITLE not in response.get_data(as_text=True)


@pytest.mark.parametrize("email", NOORD_USERS)
def test_other_region_gets_404_for_a_demo_task_and_instance(login, demo_task: Any, email: str) -> None:
    projectleider, task = demo_task
    outsider = login(email)

    _assert_reveals_nothing(outsider.get(f"/api/v1/tasks/{task['id']}"))
    _assert_reveals_nothing(outsider.post(f"/api/v1/tasks/{task['id']}/claim"))
    _assert_reveals_nothing(outsider.post(f"/api/v1/tasks/{task['id']}/unclaim"))
    _assert_reveals_nothing(outsider.post(f"/api/v1/tasks/{task['id']}/complete", {"data": ZORGROBOTS}))
    _assert_reveals_nothing(outsider.get(f"/api/v1/instances/{task['instance_id']}"))
    assert inbox(outsider) == []
    _assert_still_open_for_projectleider(projectleider, task)


def test_other_region_gets_the_same_404_as_for_something_that_does_not_exist(login, demo_task: Any) -> None:
    _, task = demo_task
    outsider = login("projectleider@noord.sto")
    missing_task = task["id"] + 10_000
    missing_instance = task["instance_id"] + 10_000

    for existing, missing in [
        (f"/api/v1/tasks/{task['id']}", f"/api/v1/tasks/{missing_task}"),
        (f"/api/v1/instances/{task['instance_id']}", f"/api/v1/instances/{missing_instance}"),
    ]:
        seen, unseen = outsider.get(existing), outsider.get(missing)
        assert (seen.status_code, seen.json) == (unseen.status_code, unseen.json)


def test_inbox_filtered_on_another_region_shows_nothing(login, demo_task: Any) -> None:
    outsider = login("projectleider@noord.sto")
    response = outsider.get("/api/v1/tasks?region=demo")
    assert response.status_code == 200
    assert response.json["tasks"] == []


def test_noord_user_may_not_start_a_process_in_region_demo(login, runtime: Any) -> None:
    outsider = login("projectleider@noord.sto")

    response = outsider.post("/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {}})

    assert response.status_code == 404
    assert response.json["error"] == "not_found"
    assert count(runtime, ProcessInstance) == 0


def test_noord_projectleider_works_in_their_own_region(login) -> None:
    demo_leider = login("projectleider@demo.sto")
    noord_leider = login("projectleider@noord.sto")

    started = start(noord_leider, region="noord")

    assert started["region"] == "noord"
    assert started["data"]["regio_naam"] == "Regio Noord"
    assert inbox_names(noord_leider) == [INDIENEN]
    assert inbox(demo_leider) == []
    assert demo_leider.get(f"/api/v1/instances/{started['id']}").status_code == 404


PROTECTED = [  # (method, path, a well-formed body)
    ("get", "/api/v1/processes", None),
    ("get", "/api/v1/tasks", None),
    ("get", "/api/v1/tasks/1", None),
    ("post", "/api/v1/tasks/1/claim", {}),
    ("post", "/api/v1/tasks/1/unclaim", {}),
    ("post", "/api/v1/tasks/1/complete", {"data": ZORGROBOTS}),
    ("get", "/api/v1/instances/1", None),
    ("post", "/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {}}),
]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Meld u aan: stuur 'Authorization: Bearer <token>' mee."),
        ({"Authorization": "Bearer dit-is-geen-token"}, "Het token is ongeldig."),
        ({"Authorization": "Basic cHJvamVjdGxlaWRlcjpkZW1v"}, "Meld u aan: stuur 'Authorization: Bearer <token>' mee."),
    ],
    ids=["no-token", "garbage-token", "basic-auth"],
)
def test_without_a_valid_token_every_call_is_401(
    client: Any, runtime: Any, method: str, path: str, body: Any, headers: dict[str, str], message: str
) -> None:
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs["json"] = body

    response = getattr(client, method)(path, **kwargs)

    assert response.status_code == 401
    assert response.json == {"error": "unauthenticated", "message": message}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert count(runtime, ProcessInstance) == 0


def test_token_signed_with_another_key_is_refused(client: Any) -> None:
    forged = issue_token(User(id=1), secret_key="not-the-servers-key")
    response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json["message"] == "Het token is ongeldig."


def test_wrong_password_gets_no_token(client: Any) -> None:
    response = client.post("/api/v1/auth/token", json={"email": "projectleider@demo.sto", "password": "fout"})
    assert response.status_code == 401
    assert response.json["message"] == "E-mailadres of wachtwoord klopt niet."
    assert "token" not in response.json


@pytest.mark.parametrize(
    "path", ["/api/v1/processes/wijzigingsverzoek/instances", "/api/v1/tasks/1/complete"], ids=["start", "complete"]
)
def test_without_a_token_a_malformed_body_is_still_401(client: Any, path: str) -> None:
    response = client.post(path, json={"onbekend": 1})
    assert response.status_code == 401
    assert response.json["error"] == "unauthenticated"
    assert "fields" not in response.json
