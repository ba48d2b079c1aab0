"""A process owner tries draft files (the shipped change request, read from disk) before deploying them: answers
are checked against the draft's own forms, and the trial writes nothing: no instance, task, audit record, mail or
register entry."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from service.domain.errors import InvalidInput
from service.domain.trials import InvalidAnswer, try_draft
from service.models import Base
from service.settings import ROOT

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DRAFT = {
    "wijzigingsverzoek.bpmn": (ROOT / "bpmn" / "wijzigingsverzoek.bpmn").read_text(encoding="utf-8"),
    "wijziging_beoordeling.dmn": (ROOT / "bpmn" / "wijziging_beoordeling.dmn").read_text(encoding="utf-8"),
    **{f"forms/{p.name}": p.read_text(encoding="utf-8") for p in (ROOT / "forms").glob("wijzigingsverzoek_*.json")},
}
INDIENEN = {
    "titel": "Lasrobot",
    "omschrijving": "Een lasrobot die leerlingen leren programmeren.",
    "soort": "doelstelling_gewijzigd",
    "in_regioplan": True,
    "bedrag": 2500,
    "doelstelling": "Nieuwe technieken",
    "past_bij_doelen": True,
}
TOETSEN = {"subsidiabel": True, "ruimte_in_begroting": True, "advies": "positief", "toelichting_advies": "Prima."}
BESLUITEN = {"besluit": "goedgekeurd", "vergaderdatum": "2026-12-10", "notulen_kenmerk": "SG-12"}
VASTLEGGEN = {"activiteit": "Lasrobot", "programmalijn": "PL1", "jaar": 2027, "bedrag_mutatie": 2500}


def _try(answers: list[dict[str, Any]], files: dict[str, str] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
    options: dict[str, Any] = {"start_data": {}, "service_results": {}, **kwargs}
    return try_draft(files or DRAFT, process_key="wijzigingsverzoek", answers=answers, now=NOW, **options)


def test_a_change_of_goal_goes_through_the_stuurgroep_to_the_letter_for_dus_i() -> None:
    run = _try(
        [
            {"task": "indienen", "data": INDIENEN},
            {"task": "toetsen", "data": TOETSEN},
            {"task": "besluiten", "data": BESLUITEN},
            {"task": "vastleggen", "data": VASTLEGGEN},
        ],
        service_results={"regioplan_bijwerken": {"mutatie_id": 1}},
    )

    assert run.error is None
    assert "f_wie_stuurgroep" in run.path and "f_melden_ja" in run.path
    assert "f_wie_advies" not in run.path and "f_melden_nee" not in run.path
    [waiting] = run.waiting
    assert (waiting.element_id, waiting.lane, waiting.form) == (
        "melden_dus_i",
        "penvoerder",
        "wijzigingsverzoek_melden.schema.json",
    )
    # The draft letter was written by the preScript, with the sample region a real start would name.
    assert "STO-regio Proefregio" in waiting.data["brief_tekst"]
    assert "€ 2.500,00" in waiting.data["brief_tekst"]


def test_an_answer_that_does_not_fit_the_drafts_form_gives_dutch_field_errors() -> None:
    bad = {**INDIENEN, "titel": "ab", "bedrag": "veel"}
    del bad["doelstelling"]

    with pytest.raises(InvalidAnswer) as caught:
        _try([{"task": "indienen", "data": bad}])

    assert caught.value.fields == {
        "titel": "Gebruik minstens 3 tekens.",
        "bedrag": "Vul een getal in.",
        "doelstelling": "Dit veld is verplicht.",
    }
    assert caught.value.message == "Antwoord 1 voor 'Wijzigingsverzoek indienen': Niet alle velden zijn goed ingevuld."
    assert (caught.value.answer, caught.value.task) == (0, "indienen")


def test_the_drafts_own_form_is_used_not_the_deployed_one() -> None:
    schema = json.dumps(
        {
            "type": "object",
            "required": ["akkoord"],
            "additionalProperties": False,
            "properties": {"akkoord": {"type": "boolean"}},
        }
    )
    draft = {**DRAFT, "forms/wijzigingsverzoek_indienen.schema.json": schema}

    with pytest.raises(InvalidAnswer) as caught:
        _try([{"task": "indienen", "data": INDIENEN}], files=draft)

    assert caught.value.fields["akkoord"] == "Dit veld is verplicht."
    assert caught.value.fields["titel"] == "Dit veld hoort niet bij dit formulier."


def test_a_form_that_is_not_json_is_named() -> None:
    draft = {**DRAFT, "forms/wijzigingsverzoek_toetsen.schema.json": "{niet af"}

    with pytest.raises(InvalidInput, match=r"Het formulier wijzigingsverzoek_toetsen.schema.json is geen geldige JSON"):
        _try([{"task": "indienen", "data": INDIENEN}, {"task": "toetsen", "data": TOETSEN}], files=draft)


def test_an_answer_for_a_task_that_is_not_ready_is_the_runs_error() -> None:
    run = _try([{"task": "vastleggen", "data": VASTLEGGEN}])

    assert run.error is not None
    assert run.error.startswith(
        "Antwoord 1: de taak 'Vastleggen in regioplan en begroting' (vastleggen) wacht nu niet."
    )
    assert [w.element_id for w in run.waiting] == ["indienen"]


def test_a_draft_that_does_not_parse_is_invalid_input_with_the_parsers_message() -> None:
    draft = {**DRAFT, "wijzigingsverzoek.bpmn": DRAFT["wijzigingsverzoek.bpmn"].replace("</bpmn:process>", "")}

    with pytest.raises(InvalidInput) as caught:
        _try([], files=draft)

    assert "files" in caught.value.fields and caught.value.message


def test_a_process_key_that_is_not_in_the_draft_is_named() -> None:
    with pytest.raises(InvalidInput, match="geen uitvoerbaar proces met id 'rapportage'"):
        try_draft(DRAFT, process_key="rapportage", start_data={}, answers=[], service_results={}, now=NOW)


def _row_counts(runtime) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with runtime.transaction(write=False) as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.tables.values()
        }


def test_a_whole_trial_writes_nothing_sends_no_mail_and_leaves_the_register_alone(runtime) -> None:  # type: ignore[no-untyped-def]
    before = _row_counts(runtime)

    run = _try(
        [
            {"task": "indienen", "data": {**INDIENEN, "soort": "budgetverschuiving"}},
            {"task": "toetsen", "data": TOETSEN},
            {"task": "vastleggen", "data": VASTLEGGEN},
        ],
        service_results={"regioplan_bijwerken": {"mutatie_id": 7}},
    )

    assert run.finished  # it passed both service tasks: the register's and the report's
    assert [s.service_call.operation for s in run.steps if s.service_call] == [
        "regioplan.mutatie_vastleggen",
        "rapportage.opnemen",
    ]
    after = _row_counts(runtime)
    assert after == before
    for table in ("process_instance", "human_task", "audit_event", "outbox_email", "budget_mutation", "report_item"):
        assert table in after  # the tables that a real run of these steps writes to
