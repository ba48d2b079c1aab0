"""Trying a draft: the replay takes the route the data decides, lists exactly the elements and sequence flows it
took, records service tasks instead of running them, and stops with a Dutch reason naming the element when a step
fails, an answer does not fit, or diagram code runs past the limits of real instances."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from service.engine import Limits, TrialRun, configure, parse_files, run_trial
from service.settings import ROOT

from .tiny import USER_TASK, diagram, script_process, timer_process

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TESTS_BPMN = Path(__file__).parent.parent / "bpmn"
CHANGE_REQUEST = {
    name: (ROOT / "bpmn" / name).read_bytes() for name in ("wijzigingsverzoek.bpmn", "wijziging_beoordeling.dmn")
}

INDIENEN = {
    "titel": "3D-printer voor het techlokaal",
    "omschrijving": "Een printer voor de lessen techniek in het vmbo.",
    "soort": "budgetverschuiving",
    "in_regioplan": True,
    "bedrag": 2500,
    "doelstelling": "Moderne leermiddelen",
    "past_bij_doelen": True,
}
TOETSEN = {"subsidiabel": True, "ruimte_in_begroting": True, "advies": "positief", "toelichting_advies": "Past."}
VASTLEGGEN = {"activiteit": "3D-printer", "programmalijn": "PL2", "jaar": 2027, "bedrag_mutatie": 2500}
BESLUITEN = {"besluit": "goedgekeurd", "vergaderdatum": "2026-12-10", "notulen_kenmerk": "SG-12"}


def _change_request(answers: list[dict[str, Any]], results: dict[str, Any] | None = None) -> TrialRun:
    process = parse_files(CHANGE_REQUEST)["wijzigingsverzoek"]
    start = {"regio": "demo", "regio_naam": "Demoregio"}
    return run_trial(process, start_data=start, answers=answers, service_results=results or {}, now=NOW)


def _tiny(filename: str, answers: list[dict[str, Any]], start: dict[str, Any] | None = None) -> TrialRun:
    content = (TESTS_BPMN / filename).read_bytes()
    process = parse_files({filename: content})[Path(filename).stem]
    return run_trial(process, start_data=start or {}, answers=answers, service_results={}, now=NOW)


def test_a_small_change_request_takes_the_short_route_and_the_path_lists_exactly_what_it_took() -> None:
    run = _change_request(
        [
            {"task": "indienen", "data": INDIENEN},
            {"task": "toetsen", "data": TOETSEN},
            {"task": "vastleggen", "data": VASTLEGGEN},
        ]
    )

    assert run.error is None
    assert run.finished
    assert run.path == (
        "start", "f_start_indienen", "indienen", "f_indienen_route", "route_bepalen", "f_route_toetsen", "toetsen",
        "f_toetsen_wie", "gw_wie_beslist", "f_wie_advies", "advies_is_besluit", "f_advies_goedgekeurd",
        "gw_besluit_genomen", "f_genomen_goedgekeurd", "gw_goedgekeurd", "f_goedgekeurd", "vastleggen",
        "f_vastleggen_bijwerken", "regioplan_bijwerken",
        "f_bijwerken_melden", "gw_melden", "f_melden_nee", "voor_rapportage", "f_rapportage_einde",
        "einde_rapportage",
    )  # fmt: skip
    assert "f_wie_stuurgroep" not in run.path and "besluiten" not in run.path  # the branch not taken
    assert run.data["besluit"] == "goedgekeurd" and run.data["besluit_door"] == "penvoerder"
    assert run.waiting == ()
    assert run.answers_used == 3
    kinds = {step.element_id: step.kind for step in run.steps}
    assert kinds["route_bepalen"] == "beslissing"
    assert kinds["advies_is_besluit"] == "script"
    assert kinds["gw_wie_beslist"] == "gateway"
    assert kinds["toetsen"] == "taak"
    assert kinds["start"] == "gebeurtenis"
    decision = next(step for step in run.steps if step.element_id == "route_bepalen")
    assert decision.changes["stuurgroep_beslist"] is False
    assert decision.lane == "projectleider"


def test_a_big_change_request_waits_for_the_stuurgroep() -> None:
    run = _change_request(
        [{"task": "indienen", "data": {**INDIENEN, "bedrag": 7500}}, {"task": "toetsen", "data": TOETSEN}]
    )

    assert run.error is None and not run.finished
    assert [(w.kind, w.element_id, w.lane, w.form) for w in run.waiting] == [
        ("taak", "besluiten", "stuurgroep", "wijzigingsverzoek_besluiten.schema.json")
    ]
    assert run.waiting[0].name == "Besluiten over het wijzigingsverzoek"
    assert run.path[-2:] == ("gw_wie_beslist", "f_wie_stuurgroep")  # the flow into the task that waits now
    assert "f_wie_advies" not in run.path and "advies_is_besluit" not in run.path
    assert "besluiten" not in run.path  # it waits; it did not complete


def test_the_stuurgroep_decision_continues_the_run() -> None:
    run = _change_request(
        [
            {"task": "indienen", "data": {**INDIENEN, "bedrag": 7500}},
            {"task": "toetsen", "data": TOETSEN},
            {"task": "besluiten", "data": BESLUITEN},
        ]
    )

    assert run.path[run.path.index("besluiten") :][:6] == (
        "besluiten",
        "f_besluit_goedgekeurd",
        "gw_besluit_genomen",
        "f_genomen_goedgekeurd",
        "gw_goedgekeurd",
        "f_goedgekeurd",
    )
    assert [w.element_id for w in run.waiting] == ["vastleggen"]
    assert run.waiting[0].data["activiteit"] == INDIENEN["titel"]  # the preScript prefilled the form
    assert run.data["besluit_door"] == "stuurgroep"


def test_service_tasks_are_recorded_with_their_parameters_and_their_given_result_is_used_downstream() -> None:
    results = {"regioplan_bijwerken": {"mutatie_id": 41, "saldo": 1200.5}}
    run = _change_request(
        [
            {"task": "indienen", "data": INDIENEN},
            {"task": "toetsen", "data": {**TOETSEN, "bron_begrotingspost": "Oude activiteit"}},
            {"task": "vastleggen", "data": {**VASTLEGGEN, "van_activiteit": "Oude activiteit"}},
        ],
        results,
    )

    step = next(s for s in run.steps if s.element_id == "regioplan_bijwerken")
    assert step.kind == "service"
    assert step.service_call is not None
    assert step.service_call.operation == "regioplan.mutatie_vastleggen"
    assert step.service_call.parameters == {
        "activiteit": "3D-printer",
        "programmalijn": "PL2",
        "doelstelling": "Moderne leermiddelen",
        "van_activiteit": "Oude activiteit",
        "jaar": 2027,
        "bedrag": 2500,
        "omschrijving": "3D-printer voor het techlokaal",
    }
    assert step.changes == {"mutatie": results["regioplan_bijwerken"]}
    assert run.data["mutatie"] == {"mutatie_id": 41, "saldo": 1200.5}
    # A service task without a given result returns nothing, and the run goes on.
    report = next(s for s in run.steps if s.element_id == "voor_rapportage")
    assert report.service_call is not None and report.service_call.result is None
    assert run.data["rapportage"] is None and run.finished


def test_a_service_result_decides_a_later_gateway() -> None:
    body = f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="vraag"/>
    <bpmn:serviceTask id="vraag" name="Vraag het register">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="register.opzoeken" resultVariable="antwoord">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="naam" type="str" value="naam.upper()"/>
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="vraag" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="f_nee"/>
    <bpmn:sequenceFlow id="f_ja" sourceRef="gw" targetRef="bekend">
      <bpmn:conditionExpression>antwoord["gevonden"] == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_nee" sourceRef="gw" targetRef="onbekend"/>
    {USER_TASK.format(id="bekend", name="Bekend", form="x.json")}
    {USER_TASK.format(id="onbekend", name="Onbekend", form="x.json")}"""
    process = parse_files({"p.bpmn": diagram("p", body)})["p"]

    def trial(results: dict[str, Any]) -> TrialRun:
        return run_trial(process, start_data={"naam": "Atlas"}, answers=[], service_results=results, now=NOW)

    found, missing = trial({"vraag": {"gevonden": True}}), trial({"vraag": {"gevonden": False}})
    assert found.steps[1].service_call is not None
    assert found.steps[1].service_call.parameters == {"naam": "ATLAS"}  # evaluated, not the expression
    assert [w.element_id for w in found.waiting] == ["bekend"] and "f_ja" in found.path and "f_nee" not in found.path
    assert [w.element_id for w in missing.waiting] == ["onbekend"] and "f_nee" in missing.path


def test_parallel_branches_both_appear_with_both_flows_into_the_join() -> None:
    run = _tiny("proef_parallel.bpmn", [])

    assert run.path == (
        "start", "f_start_splits", "splits", "f_splits_a", "f_splits_b", "reken_a", "f_a_samen", "reken_b",
        "f_b_samen", "samen", "f_samen_controle",
    )  # fmt: skip
    assert [w.element_id for w in run.waiting] == ["controle"]
    assert run.data == {"a": 1, "b": 2}


def test_a_waiting_timer_is_listed_and_fires_when_answered() -> None:
    waiting = _tiny("proef_timer.bpmn", []).waiting
    assert [(w.kind, w.element_id, w.lane) for w in waiting] == [
        ("taak", "beoordelen", "penvoerder"),
        ("timer", "te_laat", "penvoerder"),
    ]
    assert waiting[1].due == NOW + timedelta(days=2)
    assert waiting[1].name == "Twee dagen voorbij"

    run = _tiny("proef_timer.bpmn", [{"timer": "te_laat"}])

    assert run.error is None and run.finished
    assert run.path == (
        "start", "f_start_beoordelen", "te_laat", "f_te_laat_noteren", "noteren", "f_noteren_einde", "einde_te_laat"
    )  # fmt: skip
    assert "f_beoordelen_einde" not in run.path and run.data["te_laat"] is True


def test_answering_the_task_in_time_cancels_the_timer() -> None:
    run = _tiny("proef_timer.bpmn", [{"task": "beoordelen", "data": {"oordeel": "goed"}}])

    assert run.finished and run.path[-3:] == ("beoordelen", "f_beoordelen_einde", "einde_op_tijd")
    assert "te_laat" not in run.path and run.data["oordeel"] == "goed"


def test_an_answer_for_a_task_that_is_not_ready_stops_the_run_naming_it() -> None:
    run = _change_request([{"task": "indienen", "data": INDIENEN}, {"task": "besluiten", "data": BESLUITEN}])

    assert run.error == (
        "Antwoord 2: de taak 'Besluiten over het wijzigingsverzoek' (besluiten) wacht nu niet. "
        "Nu wacht: 'Subsidieregels en begroting toetsen' (toetsen)."
    )
    assert run.error_element == "besluiten"
    assert run.answers_used == 1
    assert [w.element_id for w in run.waiting] == ["toetsen"]  # what the process owner can answer instead
    assert run.path[-1] == "f_route_toetsen"


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"task": "bestaat_niet"}, "Antwoord 1: de taak 'bestaat_niet' bestaat niet in dit proces en wacht nu niet."),
        ({"timer": "indienen"}, "Antwoord 1: de timer 'Wijzigingsverzoek indienen' (indienen) wacht nu niet."),
        ({"wat": "anders"}, "Antwoord 1 noemt geen taak en geen timer."),
    ],
)
def test_an_answer_that_does_not_fit_the_run_is_named(answer: dict[str, Any], error: str) -> None:
    run = _change_request([answer])
    assert run.error is not None and run.error.startswith(error)
    assert not run.finished and [w.element_id for w in run.waiting] == ["indienen"]


def test_a_decision_table_without_a_matching_rule_stops_the_run_at_that_element() -> None:
    run = _change_request([{"task": "indienen", "data": {**INDIENEN, "soort": "iets_anders"}}])

    assert run.error == "Bij 'Route bepalen met de beslistabel': de beslistabel heeft geen regel voor deze gegevens."
    assert run.error_element == "route_bepalen"
    assert run.path == ("start", "f_start_indienen", "indienen", "f_indienen_route")
    # As in a real instance nothing of the failed step is kept: the task whose answer led there still waits.
    assert [w.element_id for w in run.waiting] == ["indienen"] and "soort" not in run.data


def test_a_failing_script_names_the_element() -> None:
    process = parse_files({"p.bpmn": script_process("p", "x = onbekende_variabele + 1")})["p"]
    run = run_trial(process, start_data={}, answers=[], service_results={}, now=NOW)

    assert run.error == "Bij 'Script': een stap in het procesmodel gaf een fout."
    assert run.error_element == "script" and run.path == ("start", "f1")


class TestLimits:
    """Diagram code in a trial runs under the limits of real instances; the workers survive it."""

    @pytest.fixture(autouse=True)
    def _tight_limits(self):  # type: ignore[no-untyped-def]
        configure(workers=2, limits=Limits(seconds=0.5, memory_mb=64))
        yield
        configure(workers=4, limits=Limits())

    def test_a_script_that_loops_for_ever_is_stopped_and_the_next_trial_runs(self) -> None:
        process = parse_files({"p.bpmn": script_process("p", "while True:\n    pass")})["p"]
        began = time.monotonic()
        run = run_trial(process, start_data={}, answers=[], service_results={}, now=NOW)

        assert time.monotonic() - began < 2
        assert run.error == "Bij 'Script': het script herhaalt te vaak of duurt te lang."
        assert run.error_element == "script" and not run.finished
        assert self._small_trial_works()

    def test_a_computation_no_loop_counter_sees_is_stopped_by_killing_the_worker(self) -> None:
        process = parse_files({"p.bpmn": script_process("p", "n = 9 ** 9 ** 9")})["p"]
        began = time.monotonic()
        run = run_trial(process, start_data={}, answers=[], service_results={}, now=NOW)

        assert time.monotonic() - began < 2
        assert (
            run.error
            == "Bij 'Script': het script of de berekening duurde te lang (meer dan 0.5 seconde) en is gestopt."
        )
        assert run.error_element == "script"
        assert self._small_trial_works()

    def test_each_answer_gets_the_time_of_a_real_step_not_the_whole_trial_one(self) -> None:
        # Each step takes about a fifth of the limit; all steps together take about three times the limit.
        work = "n = 0\nwhile n &lt; ROUNDS:\n    n = n + 1"
        rounds = self._rounds_for(0.1, work)
        steps = 15
        body = '<bpmn:startEvent id="start"/>\n<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="w0"/>'
        for i in range(steps):
            body += USER_TASK.format(id=f"w{i}", name=f"Werk {i}", form="x.json")
            body += f'<bpmn:sequenceFlow id="g{i}" sourceRef="w{i}" targetRef="s{i}"/>'
            script = work.replace("ROUNDS", str(rounds))
            body += f'<bpmn:scriptTask id="s{i}"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
            body += (
                f'<bpmn:sequenceFlow id="h{i}" sourceRef="s{i}" targetRef="{f"w{i + 1}" if i + 1 < steps else "end"}"/>'
            )
        body += '<bpmn:endEvent id="end"/>'
        process = parse_files({"p.bpmn": diagram("p", body)})["p"]
        answers = [{"task": f"w{i}", "data": {}} for i in range(steps)]

        began = time.monotonic()
        run = run_trial(process, start_data={}, answers=answers, service_results={}, now=NOW)

        assert run.error is None and run.finished
        assert time.monotonic() - began > 0.5  # longer than one call may take: each step got its own limit

    @staticmethod
    def _rounds_for(seconds: float, work: str) -> int:
        """How many loop rounds a script runs in about `seconds` here (measured in a worker, as it will run)."""
        TestLimits._small_trial_works()  # the first call also waits for a worker to start
        rounds = 20_000
        while True:
            process = parse_files({"p.bpmn": script_process("p", work.replace("ROUNDS", str(rounds)))})["p"]
            began = time.monotonic()
            run = run_trial(process, start_data={}, answers=[], service_results={}, now=NOW)
            took = time.monotonic() - began
            assert run.error is None
            if took >= seconds or rounds >= 800_000:
                return min(800_000, int(rounds * seconds / took))
            rounds = min(rounds * 2, 800_000)  # below the sandbox's count of loop rounds

    @staticmethod
    def _small_trial_works() -> bool:
        process = parse_files({"p.bpmn": script_process("p", "n = 2 ** 10")})["p"]
        run = run_trial(process, start_data={}, answers=[], service_results={}, now=NOW)
        return run.error is None and run.data["n"] == 1024 and [w.element_id for w in run.waiting] == ["werk"]


def test_a_value_that_an_instance_could_not_store_stops_the_run_as_it_would_stop_an_instance() -> None:
    process = parse_files({"p.bpmn": script_process("p", "m = map(str, [1])")})["p"]
    run = run_trial(process, start_data={}, answers=[], service_results={}, now=NOW)

    assert run.error == "Bij 'Script': de variabele 'm' bevat een waarde die niet bewaard kan worden (map)."
    assert run.error_element == "script"


def test_sample_data_nested_too_deep_is_refused_before_it_reaches_a_worker() -> None:
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(900):
        inner["a"] = {}
        inner = inner["a"]
    process = parse_files({"p.bpmn": script_process("p", "x = 1")})["p"]
    run = run_trial(process, start_data={"diep": deep}, answers=[], service_results={}, now=NOW)

    assert run.error == "De variabele 'diep' is te diep genest (meer dan 20 lagen)."
    assert run.path == () and not run.finished


def test_an_intermediate_timer_waits_until_answered_and_moves_the_clock_for_later_timers() -> None:
    process = parse_files({"p.bpmn": timer_process("p", '"PT2H"')})["p"]

    waiting = run_trial(process, start_data={}, answers=[], service_results={}, now=NOW).waiting
    fired = run_trial(process, start_data={}, answers=[{"timer": "wacht"}], service_results={}, now=NOW)

    assert [(w.kind, w.element_id, w.name, w.due) for w in waiting] == [
        ("timer", "wacht", "Wachten", NOW + timedelta(hours=2))
    ]
    assert fired.finished and fired.path == ("start", "f1", "wacht", "f2", "end")


def test_the_path_goes_into_a_sub_process_and_out_again() -> None:
    body = f"""
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="werk"/>
    {USER_TASK.format(id="werk", name="Werk", form="x.json")}
    <bpmn:sequenceFlow id="f2" sourceRef="werk" targetRef="sub"/>
    <bpmn:subProcess id="sub" name="Uitwerken">
      <bpmn:startEvent id="sub_start"/>
      <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="sub_script"/>
      <bpmn:scriptTask id="sub_script"><bpmn:script>z = 3</bpmn:script></bpmn:scriptTask>
      <bpmn:sequenceFlow id="s2" sourceRef="sub_script" targetRef="sub_end"/>
      <bpmn:endEvent id="sub_end"/>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f3" sourceRef="sub" targetRef="end"/>
    <bpmn:endEvent id="end"/>"""
    process = parse_files({"p.bpmn": diagram("p", body)})["p"]

    run = run_trial(process, start_data={}, answers=[{"task": "werk"}], service_results={}, now=NOW)

    assert run.finished and run.data["z"] == 3
    assert run.path == (
        "start", "f1", "werk", "f2", "sub_start", "s1", "sub_script", "s2", "sub_end", "sub", "f3", "end"
    )  # fmt: skip
    assert next(s.kind for s in run.steps if s.element_id == "sub") == "deelproces"
