"""Two people acting on the same task at the same moment: exactly one wins, the other hears 409."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from service.models import HumanTask
from tests.conftest import ApiUser
from tests.web.change_request import ZORGROBOTS, complete, only_task, start
from tests.web.flow import TOETSEN, count, events, inbox, inbox_names, instance

ALREADY_DONE = "Deze taak is al afgerond door iemand anders."


def _own_client(app: Flask, user: ApiUser) -> ApiUser:
    """The same signed-in user on a client of their own, as a second browser would be."""
    return ApiUser(app.test_client(), user.email, user.token)


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together by a barrier; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as err:  # reported below, in the test's own thread
            errors.append(err)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert errors == []
    return results


def test_two_projectleiders_completing_the_same_task_at_once(
    app: Flask, runtime: Any, login, second_projectleider: str
) -> None:
    first = _own_client(app, login("projectleider@demo.sto"))
    second = _own_client(app, login(second_projectleider))
    task = only_task(start(first))
    versions = {first.email: "Zorgrobots versie A", second.email: "Zorgrobots versie B"}

    def submit(user: ApiUser) -> Any:
        return user.post(
            f"/api/v1/tasks/{task['id']}/complete", {"data": {**ZORGROBOTS, "titel": versions[user.email]}}
        )

    responses = _at_once(lambda: submit(first), lambda: submit(second))

    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json["error"] == "conflict"
    assert loser.json["message"] == ALREADY_DONE
    winner = next(r for r in responses if r.status_code == 200)
    assert only_task(winner.json)["name"] == TOETSEN

    completed = events(first, task["instance_id"], "task_completed")
    assert [e["summary"] for e in completed] == [f"Taak afgerond: {task['name']}"]
    winner_email = completed[0]["actor"]
    assert instance(first, task["instance_id"])["data"]["titel"] == versions[winner_email]
    penvoerder = login("penvoerder@demo.sto")
    assert inbox_names(penvoerder) == [TOETSEN]
    assert count(runtime, HumanTask, HumanTask.role == "penvoerder", HumanTask.status == "open") == 1
    assert inbox(first) == [] and inbox(second) == []


def test_same_user_completing_from_two_windows_at_once(app: Flask, login) -> None:
    user = login("projectleider@demo.sto")
    task = only_task(start(user))
    windows = [_own_client(app, user), _own_client(app, user)]

    responses = _at_once(
        *((lambda w=w: w.post(f"/api/v1/tasks/{task['id']}/complete", {"data": ZORGROBOTS})) for w in windows)
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert len(events(user, task["instance_id"], "task_completed")) == 1
    assert inbox_names(login("penvoerder@demo.sto")) == [TOETSEN]


def test_two_projectleiders_claiming_at_once_leaves_one_assignee(app: Flask, login, second_projectleider: str) -> None:
    first = _own_client(app, login("projectleider@demo.sto"))
    second = _own_client(app, login(second_projectleider))
    task = only_task(start(first))

    responses = _at_once(*((lambda u=u: u.post(f"/api/v1/tasks/{task['id']}/claim")) for u in (first, second)))

    assert sorted(r.status_code for r in responses) == [200, 403]
    winner = next(r for r in responses if r.status_code == 200).json["assignee"]
    loser = next(r for r in responses if r.status_code == 403)
    assert loser.json["message"] == "Iemand anders heeft deze taak al opgepakt."
    claimed = events(first, task["instance_id"], "task_claimed")
    assert [e["actor"] for e in claimed] == [winner]
    holder, other = (first, second) if winner == first.email else (second, first)
    assert [t["assignee"] for t in inbox(holder)] == [winner]
    assert inbox(other) == []


def test_completing_a_task_twice_in_a_row_is_409_the_second_time(login) -> None:
    projectleider = login("projectleider@demo.sto")
    task = only_task(start(projectleider))
    complete(projectleider, task["id"], ZORGROBOTS)

    again = projectleider.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {**ZORGROBOTS, "bedrag": 1}})

    assert again.status_code == 409
    assert again.json == {"error": "conflict", "message": ALREADY_DONE}
    shown = instance(projectleider, task["instance_id"])
    assert shown["data"]["bedrag"] == ZORGROBOTS["bedrag"]
    assert [t["name"] for t in shown["open_tasks"]] == [TOETSEN]
    assert len([e for e in shown["history"] if e["action"] == "task_completed"]) == 1
