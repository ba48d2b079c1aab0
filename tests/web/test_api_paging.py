"""The API's lists come in pages: `limit` and `page`, the total and the next page's address, in the inbox's order;
bad paging parameters answer 422 naming the parameter."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from service.models import HumanTask
from service.web.runtime import Runtime

from .change_request import start
from .pages import signed_in, text

LEIDER = "projectleider@demo.sto"


@pytest.fixture
def leider_with_120_tasks(login: Any, runtime: Runtime, clock: Any) -> Any:
    """The projectleider with 120 open tasks, due dates mixed so that the inbox order is not the id order."""
    leider = login(LEIDER)
    for _ in range(120):
        start(leider)
    with runtime.transaction(write=True) as session:
        for n, task in enumerate(session.scalars(select(HumanTask).order_by(HumanTask.id))):
            # Every third has no due date (those come last); the others fall due in the opposite order of creation.
            task.due_at = None if n % 3 == 0 else clock() + timedelta(days=200 - n)
    return leider


def all_pages(user: Any, path: str) -> list[dict[str, Any]]:
    """Every page of a list, following `next` from the first page."""
    pages = [user.get(path)]
    while pages[-1].json["next"] is not None:
        assert len(pages) < 20, "next never ends"
        pages.append(user.get(pages[-1].json["next"]))
    assert all(page.status_code == 200 for page in pages)
    return [page.json for page in pages]


def test_120_open_tasks_come_in_three_pages_in_inbox_order(app: Flask, leider_with_120_tasks: Any) -> None:
    pages = all_pages(leider_with_120_tasks, "/api/v1/tasks")

    assert [len(page["tasks"]) for page in pages] == [50, 50, 20]
    assert [(page["total"], page["page"], page["limit"], page["pages"]) for page in pages] == [
        (120, 1, 50, 3),
        (120, 2, 50, 3),
        (120, 3, 50, 3),
    ]
    ids = [task["id"] for page in pages for task in page["tasks"]]
    assert len(set(ids)) == 120  # no duplicates, and with 120 of 120 no gaps
    # The same order as 'Mijn taken' shows (25 a page there), page after page.
    browser = signed_in(app, LEIDER)
    inbox_ids = [
        int(found)
        for number in range(1, 6)
        for found in re.findall(r'data-task-id="(\d+)"', text(browser.get(f"/?pagina={number}")))
    ]
    assert ids == inbox_ids
    dues = [task["due"] for task in pages[0]["tasks"]]
    assert dues == sorted(dues)  # earliest due first
    assert pages[-1]["tasks"][-1]["due"] is None  # tasks without a due date last


def test_a_page_costs_one_count_and_one_limited_query_whatever_the_list_length(
    leider_with_120_tasks: Any, runtime: Runtime
) -> None:
    statements: list[str] = []

    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()).lower())

    event.listen(runtime.db.read_engine, "before_cursor_execute", _seen)
    try:
        response = leider_with_120_tasks.get("/api/v1/tasks?limit=5")
    finally:
        event.remove(runtime.db.read_engine, "before_cursor_execute", _seen)

    assert response.status_code == 200 and len(response.json["tasks"]) == 5
    on_tasks = [s for s in statements if "from human_task" in s]
    assert len(on_tasks) == 2, on_tasks  # the COUNT and the page: no query per task, no loading every row
    assert sum("count(" in s for s in on_tasks) == 1
    assert all(s.count("process_instance.state") == 0 for s in statements)  # never the engine state
    assert any("limit" in s for s in on_tasks)


def test_limit_and_page_choose_the_slice_and_a_page_past_the_end_is_empty(leider_with_120_tasks: Any) -> None:
    leider = leider_with_120_tasks
    everything = [task["id"] for task in leider.get("/api/v1/tasks?limit=200").json["tasks"]]

    third = leider.get("/api/v1/tasks?limit=7&page=3").json
    last = leider.get("/api/v1/tasks?limit=200&page=1").json
    past = leider.get("/api/v1/tasks?limit=50&page=9").json

    assert len(everything) == 120
    assert [task["id"] for task in third["tasks"]] == everything[14:21]
    assert third["next"] == "/api/v1/tasks?limit=7&page=4" and third["pages"] == 18
    assert last["next"] is None and last["pages"] == 1
    assert past["tasks"] == [] and past["total"] == 120 and past["next"] is None


def test_the_region_filter_stays_in_the_next_link(login: Any) -> None:
    leider = login(LEIDER)
    for _ in range(3):
        start(leider)
    first = leider.get("/api/v1/tasks?region=demo&limit=2").json
    assert first["total"] == 3 and first["next"] == "/api/v1/tasks?region=demo&limit=2&page=2"
    assert len(leider.get(first["next"]).json["tasks"]) == 1
    assert leider.get("/api/v1/tasks?region=noord").json["total"] == 0


def test_processes_come_in_pages_too(login: Any) -> None:
    leider = login(LEIDER)
    everything = leider.get("/api/v1/processes").json
    assert everything["total"] == len(everything["processes"]) >= 2
    names = [process["name"] for process in everything["processes"]]
    first = leider.get("/api/v1/processes?limit=1").json
    second = leider.get(first["next"]).json
    assert [first["processes"][0]["name"], second["processes"][0]["name"]] == names[:2]
    assert first["total"] == everything["total"] and first["next"] == "/api/v1/processes?limit=1&page=2"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=201", "limit"),
        ("limit=abc", "limit"),
        ("limit=", "limit"),
        ("limit=1.5", "limit"),
        ("limit=%2B5", "limit"),  # +5
        ("limit=%205", "limit"),  # a space before the 5
        ("limit=%D9%A5", "limit"),  # an Arabic-Indic five, which int() would read as 5
        ("limit=99999999999999999999999", "limit"),
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=abc", "page"),
        ("page=100001", "page"),
        ("page=18446744073709551616", "page"),
        ("limit=10&page=1e3", "page"),
    ],
)
def test_bad_paging_parameters_answer_422_naming_the_parameter(login: Any, query: str, parameter: str) -> None:
    leider = login(LEIDER)
    for path in ("/api/v1/tasks", "/api/v1/processes"):
        response = leider.get(f"{path}?{query}")

        assert response.status_code == 422, (path, query, response.json)
        assert response.json["message"].startswith(f"De parameter {parameter} moet een geheel getal van 1 tot en met")
        assert list(response.json["fields"]) == [parameter]
    assert leider.get("/api/v1/tasks").status_code == 200  # the server carries on normally
    assert leider.client.get(f"/api/v1/tasks?{query}").status_code == 401  # no token: that is said first


def test_the_openapi_document_describes_the_paging(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/tasks", "/api/v1/processes"):
        operation = spec["paths"][path]["get"]
        query = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
        assert query["limit"] == {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
        assert query["page"]["minimum"] == 1
        assert "422" in operation["responses"]
    task_list = spec["components"]["schemas"]["TaskList"]["properties"]
    assert {"tasks", "total", "page", "limit", "pages", "next"} <= set(task_list)


def test_a_bad_paging_parameter_is_explained_in_english_to_an_english_client(login: Any) -> None:
    leider = login(LEIDER)

    response = leider.client.get(
        "/api/v1/tasks?limit=0",
        headers={"Authorization": f"Bearer {leider.token}", "Accept-Language": "en-GB,en;q=0.9"},
    )

    assert response.status_code == 422
    assert response.json["fields"]["limit"].startswith("The parameter limit must be a whole number from 1 to 200")
