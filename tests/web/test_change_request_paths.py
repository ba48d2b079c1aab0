"""The change request end to end through the API, each path as the users involved would walk it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from service.models import Activity, BudgetMutation, ReportItem
from tests.conftest import START
from tests.web.change_request import (
    ADVICE_POSITIVE,
    APPROVED,
    RECORD_ZORGROBOTS,
    REJECTED,
    SMALL_IN_PLAN,
    ZORGROBOTS,
    complete,
    only_task,
    start,
)
from tests.web.flow import (
    BESLUITEN,
    INDIENEN,
    MELDEN,
    TOETSEN,
    VASTLEGGEN,
    count,
    events,
    inbox,
    inbox_names,
    instance,
    submitted_to_decision,
)

NOT_DOABLE = {
    **ZORGROBOTS,
    "titel": "Open lessen gaan niet door",
    "omschrijving": "De open lessen techniekprofielen kunnen dit schooljaar niet doorgaan: er is geen docent.",
    "soort": "activiteit_niet_uitvoerbaar",
    "in_regioplan": True,
    "bedrag": 25000,
    "programmalijn": "instroombevordering",
}
RECORD_NOT_DOABLE = {
    "activiteit": "Open lessen techniekprofielen",
    "programmalijn": "instroombevordering",
    "van_activiteit": None,
    "jaar": 2026,
    "bedrag_mutatie": 0,
}
MELDING = {
    "brief_tekst": "Geachte heer, mevrouw, hierbij melden wij dat de open lessen niet doorgaan.",
    "verzonden_op": "2026-12-12",
    "kenmerk_dus_i": "DUSI-2026-0042",
}


@pytest.fixture
def users(login):  # type: ignore[no-untyped-def]
    return (
        login("projectleider@demo.sto"),
        login("penvoerder@demo.sto"),
        login("stuurgroep@demo.sto"),
        login("coordinator@demo.sto"),
    )


def test_seed_case_new_activity_is_decided_by_stuurgroep_and_recorded_in_regioplan(users, runtime, clock) -> None:
    projectleider, penvoerder, stuurgroep, _ = users
    started = start(projectleider)
    assert started["status"] == "running"
    assert [t["name"] for t in started["open_tasks"]] == [INDIENEN]
    assert inbox_names(projectleider) == [INDIENEN]
    assert inbox_names(penvoerder) == []

    submitted = complete(projectleider, only_task(started)["id"], ZORGROBOTS)
    toetsen = only_task(submitted)
    assert (toetsen["name"], toetsen["role"]) == (TOETSEN, "penvoerder")
    assert submitted["data"]["stuurgroep_beslist"] is True
    assert submitted["data"]["melden_dus_i"] is False
    assert inbox_names(projectleider) == []
    assert [(t["name"], t["instance_title"]) for t in inbox(penvoerder)] == [(TOETSEN, ZORGROBOTS["titel"])]
    assert inbox_names(stuurgroep) == []

    clock.advance(days=2)
    advised = complete(penvoerder, toetsen["id"], ADVICE_POSITIVE)
    besluiten = only_task(advised)
    assert (besluiten["name"], besluiten["role"]) == (BESLUITEN, "stuurgroep")
    assert datetime.fromisoformat(besluiten["due"]) == START + timedelta(days=2, weeks=3)
    assert inbox_names(stuurgroep) == [BESLUITEN]
    assert inbox_names(penvoerder) == []

    decided = complete(stuurgroep, besluiten["id"], APPROVED)
    vastleggen = only_task(decided)
    assert (vastleggen["name"], vastleggen["role"]) == (VASTLEGGEN, "projectleider")
    assert inbox_names(projectleider) == [VASTLEGGEN]
    assert inbox_names(stuurgroep) == []

    done = complete(projectleider, vastleggen["id"], RECORD_ZORGROBOTS)
    assert done["status"] == "completed"
    assert done["open_tasks"] == []
    assert done["completed_at"] is not None
    for user in users:
        assert inbox(user) == []

    instance_id = done["id"]
    with runtime.transaction(write=False) as session:
        new = session.scalar(
            select(Activity).where(Activity.region_code == "demo", Activity.name == "Zorgrobots in de praktijk")
        )
        assert new is not None
        assert new.in_original_plan is False
        assert new.added_by_instance_id == instance_id
        assert new.programme_line.code == "samenwerking_bedrijfsleven"
        mutations = session.scalars(select(BudgetMutation).where(BudgetMutation.instance_id == instance_id)).all()
        assert len(mutations) == 1
        mutation = mutations[0]
        assert mutation.amount == Decimal("7500.00")
        assert mutation.year == 2026
        assert mutation.from_activity is not None
        assert mutation.from_activity.name == "Techniekmiddagen basisonderwijs"
        assert mutation.to_activity_id == new.id
        reports = session.scalars(select(ReportItem).where(ReportItem.instance_id == instance_id)).all()
        assert [(r.report_kind, r.region_code) for r in reports] == [("voortgangsrapportage", "demo")]


def test_seed_case_history_says_who_did_what_and_what_the_decision_table_decided(users) -> None:
    projectleider, penvoerder, stuurgroep, coordinator = users
    advised = submitted_to_decision(projectleider, penvoerder)
    decided = complete(stuurgroep, only_task(advised)["id"], APPROVED)
    done = complete(projectleider, only_task(decided)["id"], RECORD_ZORGROBOTS)

    # every member of the region may read the trail, the coordinator too
    history = instance(coordinator, done["id"])["history"]
    started = [e for e in history if e["action"] == "instance_started"]
    assert [e["actor"] for e in started] == ["projectleider@demo.sto"]
    completed = [e for e in history if e["action"] == "task_completed"]
    assert [(e["actor"], e["summary"]) for e in completed] == [
        ("projectleider@demo.sto", f"Taak afgerond: {INDIENEN}"),
        ("penvoerder@demo.sto", f"Taak afgerond: {TOETSEN}"),
        ("stuurgroep@demo.sto", f"Taak afgerond: {BESLUITEN}"),
        ("projectleider@demo.sto", f"Taak afgerond: {VASTLEGGEN}"),
    ]
    assert completed[0]["details"]["data"] == {**ZORGROBOTS, "offerte": None}  # optional fields are recorded empty
    assert completed[1]["details"]["data"] == ADVICE_POSITIVE
    assert completed[2]["details"]["data"] == {**APPROVED, "toelichting_besluit": None}
    assert completed[3]["details"]["data"] == RECORD_ZORGROBOTS

    decisions = [e for e in history if e["action"] == "engine_step" and e["details"]["task"] == "route_bepalen"]
    assert len(decisions) == 1
    assert decisions[0]["actor"] == "systeem"
    assert decisions[0]["details"]["kind"] == "Business Rule Task"
    changes = decisions[0]["details"]["changes"]
    assert changes["stuurgroep_beslist"] is True
    assert changes["melden_dus_i"] is False
    assert changes["route_toelichting"].startswith("Nieuwe activiteit: de stuurgroep besluit")
    assert [e["action"] for e in history][-1] == "instance_completed"


def test_history_links_every_task_event_to_its_task(users) -> None:
    projectleider, penvoerder, _, _ = users
    task = only_task(start(projectleider))
    assert projectleider.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    assert projectleider.post(f"/api/v1/tasks/{task['id']}/unclaim").status_code == 200
    submitted = complete(projectleider, task["id"], ZORGROBOTS)

    history = instance(penvoerder, submitted["id"])["history"]

    by_action = {e["action"]: e["task_id"] for e in history if e["action"].startswith("task_")}
    assert by_action["task_created"] == only_task(submitted)["id"]
    assert by_action["task_claimed"] == task["id"]
    assert by_action["task_unclaimed"] == task["id"]
    assert by_action["task_completed"] == task["id"]


def test_rejected_by_stuurgroep_ends_without_touching_the_regioplan(users, runtime) -> None:
    projectleider, penvoerder, stuurgroep, _ = users
    activities_before = count(runtime, Activity)
    advised = submitted_to_decision(projectleider, penvoerder)

    decided = complete(stuurgroep, only_task(advised)["id"], REJECTED)

    assert decided["status"] == "completed"
    assert decided["open_tasks"] == []
    assert decided["data"]["besluit"] == "afgewezen"
    assert inbox(projectleider) == []
    created = [e["summary"] for e in events(projectleider, decided["id"], "task_created")]
    assert f"Taak klaargezet: {VASTLEGGEN}" not in created
    assert count(runtime, BudgetMutation) == 0
    assert count(runtime, Activity) == activities_before
    assert count(runtime, Activity, Activity.name == "Zorgrobots in de praktijk") == 0
    assert count(runtime, ReportItem, ReportItem.instance_id == decided["id"]) == 0
    last = events(projectleider, decided["id"], "engine_step")[-1]
    assert last["details"]["task"] == "einde_afgewezen"


def test_small_change_within_the_plan_skips_the_stuurgroep(users, runtime) -> None:
    projectleider, penvoerder, stuurgroep, _ = users
    started = start(projectleider)
    submitted = complete(projectleider, only_task(started)["id"], SMALL_IN_PLAN)
    assert submitted["data"]["stuurgroep_beslist"] is False
    assert inbox_names(penvoerder) == [TOETSEN]
    assert inbox(stuurgroep) == []

    advised = complete(penvoerder, only_task(submitted)["id"], ADVICE_POSITIVE)

    vastleggen = only_task(advised)
    assert (vastleggen["name"], vastleggen["role"]) == (VASTLEGGEN, "projectleider")
    assert advised["data"]["besluit"] == "goedgekeurd"
    assert advised["data"]["besluit_door"] == "penvoerder"
    assert inbox_names(projectleider) == [VASTLEGGEN]
    assert inbox(stuurgroep) == []

    record = {
        "activiteit": "Open lessen techniekprofielen",
        "programmalijn": "instroombevordering",
        "van_activiteit": "Techniekmiddagen basisonderwijs",
        "jaar": 2026,
        "bedrag_mutatie": 1200,
    }
    done = complete(projectleider, vastleggen["id"], record)
    assert done["status"] == "completed"
    assert inbox(stuurgroep) == []
    roles = [e["details"]["role"] for e in events(stuurgroep, done["id"], "task_created")]
    assert roles == ["projectleider", "penvoerder", "projectleider"]
    with runtime.transaction(write=False) as session:
        mutation = session.scalars(select(BudgetMutation).where(BudgetMutation.instance_id == done["id"])).one()
        assert mutation.amount == Decimal("1200.00")
        assert mutation.to_activity.name == "Open lessen techniekprofielen"
        assert mutation.to_activity.in_original_plan is True
    assert count(runtime, Activity, Activity.in_original_plan.is_(False)) == 0
    assert count(runtime, ReportItem, ReportItem.instance_id == done["id"]) == 1


def test_small_change_with_negative_advice_is_rejected_by_the_penvoerder(users, runtime) -> None:
    projectleider, penvoerder, stuurgroep, _ = users
    started = start(projectleider)
    submitted = complete(projectleider, only_task(started)["id"], SMALL_IN_PLAN)

    negative = {**ADVICE_POSITIVE, "advies": "negatief", "toelichting_advies": "Geen ruimte in 2026."}
    done = complete(penvoerder, only_task(submitted)["id"], negative)

    assert done["status"] == "completed"
    assert done["data"]["besluit"] == "afgewezen"
    assert inbox(projectleider) == []
    assert inbox(stuurgroep) == []
    assert count(runtime, BudgetMutation) == 0


def _approve_and_record_not_doable(users) -> dict:  # type: ignore[type-arg]
    projectleider, penvoerder, stuurgroep, _ = users
    advised = submitted_to_decision(projectleider, penvoerder, NOT_DOABLE)
    assert advised["data"]["melden_dus_i"] is True
    decided = complete(stuurgroep, only_task(advised)["id"], APPROVED)
    return complete(projectleider, only_task(decided)["id"], RECORD_NOT_DOABLE)


def test_activity_not_doable_must_be_reported_to_dus_i_by_the_penvoerder(users, runtime) -> None:
    projectleider, penvoerder, stuurgroep, _ = users
    recorded = _approve_and_record_not_doable(users)

    assert recorded["status"] == "running"
    melden = only_task(recorded)
    assert (melden["name"], melden["role"]) == (MELDEN, "penvoerder")
    assert inbox_names(penvoerder) == [MELDEN]
    assert inbox(projectleider) == []
    assert inbox(stuurgroep) == []

    shown = penvoerder.get(f"/api/v1/tasks/{melden['id']}")
    assert shown.status_code == 200
    assert shown.json["form_schema"]["title"] == "Melding aan DUS-I"
    draft = shown.json["data"].get("brief_tekst") or ""
    assert "Open lessen gaan niet door" in draft
    assert "Demo-regio" in draft
    assert "Soort wijziging: activiteit kan niet (volledig of op tijd) worden uitgevoerd" in draft

    sent = {"brief_tekst": draft, "verzonden_op": "2026-12-12", "kenmerk_dus_i": "DUSI-2026-0042"}
    done = complete(penvoerder, melden["id"], sent)

    assert done["status"] == "completed"
    assert done["open_tasks"] == []
    assert done["data"]["kenmerk_dus_i"] == "DUSI-2026-0042"
    assert done["data"]["verzonden_op"] == "2026-12-12"
    assert inbox(penvoerder) == []
    assert count(runtime, ReportItem, ReportItem.instance_id == done["id"]) == 0
    assert count(runtime, BudgetMutation, BudgetMutation.instance_id == done["id"]) == 0
    last = events(penvoerder, done["id"], "engine_step")[-1]
    assert last["details"]["task"] == "einde_gemeld"


def test_dus_i_letter_may_be_rewritten_before_sending(users) -> None:
    _, penvoerder, _, _ = users
    melden = only_task(_approve_and_record_not_doable(users))

    done = complete(penvoerder, melden["id"], MELDING)

    assert done["status"] == "completed"
    completed = events(penvoerder, done["id"], "task_completed")[-1]
    assert completed["actor"] == "penvoerder@demo.sto"
    assert completed["details"]["data"]["brief_tekst"] == MELDING["brief_tekst"]
