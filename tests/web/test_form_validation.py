"""422: a form that is not filled in well is refused with a Dutch message per field, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from service.models import Activity, BudgetMutation
from tests.web.change_request import APPROVED, RECORD_ZORGROBOTS, ZORGROBOTS, complete, only_task, start
from tests.web.flow import INDIENEN, VASTLEGGEN, count, events, inbox, inbox_names, instance, submitted_to_decision


def _without(data: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != name}


def _assert_indienen_untouched(projectleider: Any, penvoerder: Any, task: dict[str, Any]) -> None:
    """The first task is still open and offered, nothing was recorded, and no next step appeared."""
    shown = projectleider.get(f"/api/v1/tasks/{task['id']}")
    assert shown.status_code == 200
    assert shown.json["status"] == "open"
    assert "titel" not in shown.json["data"]
    assert inbox_names(projectleider) == [INDIENEN]
    assert inbox(penvoerder) == []
    now = instance(projectleider, task["instance_id"])
    assert [t["id"] for t in now["open_tasks"]] == [task["id"]]
    assert [e for e in now["history"] if e["action"] == "task_completed"] == []
    assert len([e for e in now["history"] if e["action"] == "task_created"]) == 1


@pytest.fixture
def first_task(login):  # type: ignore[no-untyped-def]
    projectleider = login("projectleider@demo.sto")
    penvoerder = login("penvoerder@demo.sto")
    return projectleider, penvoerder, only_task(start(projectleider))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**ZORGROBOTS, "bedrag": "zevenduizend"}, {"bedrag": "Vul een getal in."}),
        (_without(ZORGROBOTS, "titel"), {"titel": "Dit veld is verplicht."}),
        (
            _without(_without(ZORGROBOTS, "titel"), "soort"),
            {"titel": "Dit veld is verplicht.", "soort": "Dit veld is verplicht."},
        ),
        ({**ZORGROBOTS, "bedrag": -5}, {"bedrag": "De waarde moet minstens 0 zijn."}),
        ({**ZORGROBOTS, "soort": "iets_anders"}, {"soort": "Kies een van de mogelijkheden."}),
        ({**ZORGROBOTS, "omschrijving": "kort"}, {"omschrijving": "Gebruik minstens 10 tekens."}),
        ({**ZORGROBOTS, "in_regioplan": "ja"}, {"in_regioplan": "Vul ja of nee in."}),
        ({**ZORGROBOTS, "programmalijn": "bestaat_niet"}, {"programmalijn": "Kies een van de mogelijkheden."}),
        ({**ZORGROBOTS, "budgetcode": "X1"}, {"budgetcode": "Dit veld hoort niet bij dit formulier."}),
    ],
    ids=[
        "bedrag-text",
        "titel-missing",
        "two-missing",
        "bedrag-negative",
        "soort-unknown",
        "omschrijving-short",
        "boolean-as-text",
        "programmalijn-not-in-region",
        "unknown-form-field",
    ],
)
def test_invalid_submission_is_refused_per_field_and_changes_nothing(
    first_task: Any, data: dict[str, Any], expected: dict[str, str]
) -> None:
    projectleider, penvoerder, task = first_task

    response = projectleider.post(f"/api/v1/tasks/{task['id']}/complete", {"data": data})

    assert response.status_code == 422
    assert response.json["error"] == "invalid"
    assert response.json["message"] == "Niet alle velden zijn goed ingevuld."
    assert response.json["fields"] == expected
    _assert_indienen_untouched(projectleider, penvoerder, task)


def test_unknown_field_next_to_data_is_refused(first_task: Any) -> None:
    projectleider, penvoerder, task = first_task

    response = projectleider.post(f"/api/v1/tasks/{task['id']}/complete", {"data": ZORGROBOTS, "spoed": True})

    assert response.status_code == 422
    assert response.json["fields"] == {"spoed": "Onbekend veld."}
    _assert_indienen_untouched(projectleider, penvoerder, task)


def test_data_that_is_not_an_object_is_refused(first_task: Any) -> None:
    projectleider, penvoerder, task = first_task

    response = projectleider.post(f"/api/v1/tasks/{task['id']}/complete", {"data": ["Zorgrobots"]})

    assert response.status_code == 422
    assert response.json["fields"] == {"data": "Verwacht een object."}
    _assert_indienen_untouched(projectleider, penvoerder, task)


def test_valid_submission_after_a_refused_one_goes_through(first_task: Any) -> None:
    projectleider, penvoerder, task = first_task
    refused = projectleider.post(f"/api/v1/tasks/{task['id']}/complete", {"data": _without(ZORGROBOTS, "titel")})
    assert refused.status_code == 422

    accepted = complete(projectleider, task["id"], ZORGROBOTS)

    assert accepted["data"]["titel"] == ZORGROBOTS["titel"]
    assert inbox(projectleider) == []
    assert len(inbox(penvoerder)) == 1
    assert len(events(projectleider, task["instance_id"], "task_completed")) == 1


@pytest.fixture
def vastleggen_task(login):  # type: ignore[no-untyped-def]
    projectleider = login("projectleider@demo.sto")
    advised = submitted_to_decision(projectleider, login("penvoerder@demo.sto"))
    decided = complete(login("stuurgroep@demo.sto"), only_task(advised)["id"], APPROVED)
    task = only_task(decided)
    assert task["name"] == VASTLEGGEN
    return projectleider, task


def test_recording_more_money_than_the_source_activity_has_is_refused_and_saves_nothing(
    vastleggen_task: Any, runtime: Any
) -> None:
    projectleider, task = vastleggen_task
    activities_before = count(runtime, Activity)

    response = projectleider.post(
        f"/api/v1/tasks/{task['id']}/complete", {"data": {**RECORD_ZORGROBOTS, "bedrag_mutatie": 500000}}
    )

    assert response.status_code == 422
    assert list(response.json["fields"]) == ["bedrag_mutatie"]
    message = response.json["fields"]["bedrag_mutatie"]
    assert "Techniekmiddagen basisonderwijs" in message
    assert "2026" in message
    assert "beschikbaar" in message
    assert projectleider.get(f"/api/v1/tasks/{task['id']}").json["status"] == "open"
    assert inbox_names(projectleider) == [VASTLEGGEN]
    assert count(runtime, Activity) == activities_before
    assert count(runtime, Activity, Activity.name == "Zorgrobots in de praktijk") == 0
    assert count(runtime, BudgetMutation) == 0
    now = instance(projectleider, task["instance_id"])
    assert now["status"] == "running"
    assert [e["summary"] for e in now["history"] if e["action"] == "task_completed"][-1].endswith(
        "Besluiten over het wijzigingsverzoek"
    )

    done = complete(projectleider, task["id"], RECORD_ZORGROBOTS)
    assert done["status"] == "completed"
    assert count(runtime, BudgetMutation) == 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"jaar": 2030}, {"jaar": "De waarde mag hoogstens 2028 zijn."}),
        ({"van_activiteit": "Bestaat niet"}, {"van_activiteit": "Kies een van de mogelijkheden."}),
        ({"bedrag_mutatie": 100000001}, {"bedrag_mutatie": "De waarde mag hoogstens 100000000 zijn."}),
    ],
    ids=["year-out-of-plan", "unknown-source-activity", "over-form-maximum"],
)
def test_recording_form_rules(vastleggen_task: Any, runtime: Any, change: dict[str, Any], expected: dict) -> None:  # type: ignore[type-arg]
    projectleider, task = vastleggen_task

    response = projectleider.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {**RECORD_ZORGROBOTS, **change}})

    assert response.status_code == 422
    assert response.json["fields"] == expected
    assert inbox_names(projectleider) == [VASTLEGGEN]
    assert count(runtime, BudgetMutation) == 0


def test_start_data_may_only_prefill_fields_of_the_process_forms(login, runtime) -> None:
    from service.models import ProcessInstance

    leider = login("projectleider@demo.sto")
    refused = leider.post(
        "/api/v1/processes/wijzigingsverzoek/instances",
        {"region": "demo", "data": {"titel": "Mag wel", "stuurgroep_beslist": False}},
    )
    assert refused.status_code == 422
    assert refused.json["fields"] == {"stuurgroep_beslist": "Dit veld hoort bij geen formulier van dit proces."}
    with runtime.transaction(write=False) as session:
        assert session.query(ProcessInstance).count() == 0
    accepted = leider.post(
        "/api/v1/processes/wijzigingsverzoek/instances", {"region": "demo", "data": {"titel": "Mag wel"}}
    )
    assert accepted.status_code == 201 and accepted.json["title"] == "Mag wel"
