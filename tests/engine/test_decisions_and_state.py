"""Decision tables fail loudly when no rule matches; every step round-trips through the stored state."""

from __future__ import annotations

import pytest

from service.engine import EngineError, TaskNotReady, complete_user_task, parse_files, read_snapshot, start_workflow
from service.settings import ROOT

from .tiny import decision_process

DMN = {"wijziging_beoordeling.dmn": (ROOT / "bpmn" / "wijziging_beoordeling.dmn").read_bytes()}


def _decide(data: dict) -> dict:
    process = parse_files({"p.bpmn": decision_process("p", "wijziging_beoordeling"), **DMN})["p"]
    return start_workflow(process, data).snapshot.data


@pytest.mark.parametrize(
    ("soorten", "in_plan", "bedrag", "stuurgroep", "dus_i"),
    [
        (["nieuwe_activiteit"], False, 7500, True, False),
        (["budgetverschuiving"], True, 5000, False, False),
        (["budgetverschuiving"], True, 5000.01, True, False),
        (["activiteit_gewijzigd"], False, 100, True, False),
        (["doelstelling_gewijzigd"], True, 0, True, True),
        (["budget_naar_overhead"], True, 10, True, True),
        (["activiteit_niet_uitvoerbaar"], True, 0, True, True),
        # Several kinds: the strictest route wins, whichever kind is named first.
        (["nieuwe_activiteit", "budgetverschuiving"], False, 7500, True, False),  # seed case 1
        (["budgetverschuiving", "nieuwe_activiteit"], True, 100, True, False),
        (["budgetverschuiving", "doelstelling_gewijzigd"], True, 100, True, True),
        (["activiteit_gewijzigd", "budgetverschuiving"], True, 100, False, False),
    ],
)
def test_decision_table_routes_each_kind_of_change(soorten, in_plan, bedrag, stuurgroep, dus_i) -> None:
    data = _decide({"soorten": soorten, "in_regioplan": in_plan, "bedrag": bedrag})
    assert (data["stuurgroep_beslist"], data["melden_dus_i"]) == (stuurgroep, dus_i)
    assert data["route_toelichting"]


def test_a_request_no_rule_matches_fails_loudly() -> None:
    with pytest.raises(EngineError) as caught:
        _decide({"soorten": ["iets_anders"], "in_regioplan": True, "bedrag": 1})
    assert caught.value.reason == "de beslistabel heeft geen regel voor deze gegevens"


def test_change_request_survives_a_round_trip_at_every_step() -> None:
    files = {p.name: p.read_bytes() for p in (ROOT / "bpmn").iterdir()}
    process = parse_files(files)["wijzigingsverzoek"]
    outcome = start_workflow(process, {"regio": "demo", "regio_naam": "Demo-regio"})
    assert '"spec"' not in outcome.state  # the spec is kept out of the stored state
    submissions = [
        {"titel": "T", "omschrijving": "O", "soort": "budgetverschuiving", "in_regioplan": True, "bedrag": 10},
        {"advies": "positief"},
    ]
    for submission in submissions:
        before = read_snapshot(process, outcome.state)
        outcome = complete_user_task(process, outcome.state, before.ready_tasks[0].task_id, submission)
    after = read_snapshot(process, outcome.state)
    assert [t.name for t in after.ready_tasks] == ["Vastleggen in regioplan en begroting"]
    assert after.data["besluit"] == "goedgekeurd"


def test_completing_a_task_twice_is_refused() -> None:
    files = {p.name: p.read_bytes() for p in (ROOT / "bpmn").iterdir()}
    process = parse_files(files)["wijzigingsverzoek"]
    first = start_workflow(process, {"regio": "demo", "regio_naam": "Demo-regio"})
    task_id = first.snapshot.ready_tasks[0].task_id
    data = {"titel": "T", "omschrijving": "O", "soort": "nieuwe_activiteit", "in_regioplan": False, "bedrag": 1}
    second = complete_user_task(process, first.state, task_id, data)
    with pytest.raises(TaskNotReady):
        complete_user_task(process, second.state, task_id, data)
