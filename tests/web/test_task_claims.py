"""Claiming a task takes it out of colleagues' inboxes until the claimer releases it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.change_request import ZORGROBOTS, complete, only_task, start
from tests.web.flow import INDIENEN, TOETSEN, events, inbox, inbox_names

CLAIMED_BY_OTHER = "Iemand anders heeft deze taak al opgepakt."


@pytest.fixture
def two_leaders(login, second_projectleider: str):  # type: ignore[no-untyped-def]
    first = login("projectleider@demo.sto")
    second = login(second_projectleider)
    task = only_task(start(first))
    return first, second, task


def test_both_projectleiders_see_an_unclaimed_task(two_leaders: Any) -> None:
    first, second, task = two_leaders
    assert [(t["id"], t["assignee"]) for t in inbox(first)] == [(task["id"], None)]
    assert [(t["id"], t["assignee"]) for t in inbox(second)] == [(task["id"], None)]


def test_claimed_task_shows_the_assignee_and_leaves_the_colleagues_inbox(two_leaders: Any) -> None:
    first, second, task = two_leaders

    response = first.post(f"/api/v1/tasks/{task['id']}/claim")

    assert response.status_code == 200
    assert response.json["assignee"] == "projectleider@demo.sto"
    assert [(t["id"], t["assignee"]) for t in inbox(first)] == [(task["id"], "projectleider@demo.sto")]
    assert inbox(second) == []
    assert second.get(f"/api/v1/tasks/{task['id']}").json["assignee"] == "projectleider@demo.sto"
    claimed = events(first, task["instance_id"], "task_claimed")
    assert [(e["actor"], e["summary"]) for e in claimed] == [("projectleider@demo.sto", f"Taak opgepakt: {INDIENEN}")]


@pytest.mark.parametrize("action", ["claim", "complete"])
def test_colleague_may_not_take_a_claimed_task(two_leaders: Any, action: str) -> None:
    first, second, task = two_leaders
    assert first.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200

    response = second.post(f"/api/v1/tasks/{task['id']}/{action}", {"data": ZORGROBOTS})

    assert response.status_code == 403
    assert response.json["message"] == CLAIMED_BY_OTHER
    assert inbox_names(first) == [INDIENEN]
    assert inbox(second) == []
    assert events(first, task["instance_id"], "task_completed") == []


def test_unclaim_by_someone_else_does_not_release_the_task(two_leaders: Any) -> None:
    first, second, task = two_leaders
    assert first.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200

    response = second.post(f"/api/v1/tasks/{task['id']}/unclaim")

    assert response.status_code == 403
    assert response.json["message"] == CLAIMED_BY_OTHER
    assert inbox(second) == []
    assert [t["assignee"] for t in inbox(first)] == ["projectleider@demo.sto"]
    assert events(first, task["instance_id"], "task_unclaimed") == []


def test_unclaim_gives_the_task_back_to_the_colleague_who_can_then_complete_it(
    two_leaders: Any, login, second_projectleider: str
) -> None:
    first, second, task = two_leaders
    assert first.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200

    released = first.post(f"/api/v1/tasks/{task['id']}/unclaim")

    assert released.status_code == 200
    assert released.json["assignee"] is None
    assert [(t["id"], t["assignee"]) for t in inbox(second)] == [(task["id"], None)]
    done = complete(second, task["id"], ZORGROBOTS)
    assert only_task(done)["name"] == TOETSEN
    assert inbox(first) == []
    completed = events(first, task["instance_id"], "task_completed")
    assert [e["actor"] for e in completed] == [second_projectleider]
    assert [e["action"] for e in events(first, task["instance_id"], "task_unclaimed")] == ["task_unclaimed"]


def test_claimer_can_complete_their_claimed_task(two_leaders: Any) -> None:
    first, second, task = two_leaders
    assert first.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200

    done = complete(first, task["id"], ZORGROBOTS)

    assert only_task(done)["name"] == TOETSEN
    assert inbox(first) == []
    assert inbox(second) == []


def test_claiming_twice_is_harmless(two_leaders: Any) -> None:
    first, _, task = two_leaders
    assert first.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200

    again = first.post(f"/api/v1/tasks/{task['id']}/claim")

    assert again.status_code == 200
    assert again.json["assignee"] == "projectleider@demo.sto"
    assert len(events(first, task["instance_id"], "task_claimed")) == 1


def test_completed_task_can_no_longer_be_claimed_or_released(two_leaders: Any) -> None:
    first, second, task = two_leaders
    complete(first, task["id"], ZORGROBOTS)

    for user, action in [(second, "claim"), (first, "unclaim"), (first, "claim")]:
        response = user.post(f"/api/v1/tasks/{task['id']}/{action}")
        assert response.status_code == 409
        assert response.json["message"] == "Deze taak is al afgerond door iemand anders."
