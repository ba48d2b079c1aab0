"""Process owners deploy definitions through the API: new versions, refusals that name file and element (and leave
the deployed versions as they were), downloads, rollback, region variants, and who may do it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from service.domain import demo
from service.models import AuditEvent, ProcessDefinition
from tests.web.change_request import ADVICE_POSITIVE, SMALL_IN_PLAN, complete, only_task, start

from .flow import BESLUITEN, VASTLEGGEN

ROOT = Path(__file__).resolve().parents[2]
DMN = (ROOT / "bpmn" / "wijziging_beoordeling.dmn").read_text(encoding="utf-8")
BPMN = (ROOT / "bpmn" / "wijzigingsverzoek.bpmn").read_text(encoding="utf-8")
DMN_THRESHOLD_1000 = DMN.replace("&lt;= 5000", "&lt;= 1000").replace("&gt; 5000", "&gt; 1000")


def _upload(user: Any, files: dict[str, str], **form: str) -> Any:
    data: dict[str, Any] = {"files": [(io.BytesIO(c.encode()), n) for n, c in files.items()], **form}
    return user.client.post(
        "/api/v1/definitions",
        data=data,
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {user.token}"},
    )


def _versions(runtime: Any) -> list[tuple[str, int]]:
    with runtime.transaction(write=False) as session:
        rows = session.execute(select(ProcessDefinition.process_key, ProcessDefinition.version)).all()
    return sorted((key, version) for key, version in rows)


def _route_after_advice(projectleider: Any, penvoerder: Any, started: dict[str, Any]) -> str:
    submitted = complete(projectleider, only_task(started)["id"], SMALL_IN_PLAN)
    advised = complete(penvoerder, only_task(submitted)["id"], ADVICE_POSITIVE)
    return only_task(advised)["name"]


def test_a_decision_table_alone_deploys_a_new_version_that_only_new_requests_follow(runtime, login) -> None:
    owner = login(demo.DEMO_PROCESS_OWNER)
    projectleider, penvoerder = login("projectleider@demo.sto"), login("penvoerder@demo.sto")
    before = start(projectleider)  # started on the version with the EUR 5,000 threshold

    response = _upload(owner, {"wijziging_beoordeling.dmn": DMN_THRESHOLD_1000}, note="Drempel naar 1000 euro")

    assert response.status_code == 201, response.json
    [created] = response.json["versions"]
    assert created["process_key"] == "wijzigingsverzoek"
    assert created["version"] == before["process_version"] + 1
    assert created["note"] == "Drempel naar 1000 euro"
    assert created["deployed_by"] == demo.DEMO_PROCESS_OWNER
    assert created["source"] == "api"
    assert "wijzigingsverzoek_indienen.schema.json" in {f["name"] for f in created["files"]}
    after = start(projectleider)
    assert after["process_version"] == created["version"]
    # EUR 1,200 within the plan: under the old threshold the penvoerder's advice decides, above the new one the
    # stuurgroep does.
    assert _route_after_advice(projectleider, penvoerder, before) == VASTLEGGEN
    assert _route_after_advice(projectleider, penvoerder, after) == BESLUITEN
    assert projectleider.get(f"/api/v1/instances/{before['id']}").json["process_version"] == before["process_version"]
    with runtime.transaction(write=False) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "definition_deployed"))
        assert event is not None and event.details["version"] == created["version"]


def test_the_same_files_again_make_no_new_version(login) -> None:
    owner = login(demo.DEMO_PROCESS_OWNER)
    response = _upload(owner, {"wijziging_beoordeling.dmn": DMN})

    assert response.status_code == 200
    assert response.json["versions"] == []
    assert [v["process_key"] for v in response.json["unchanged"]] == ["wijzigingsverzoek"]


TIMER_TASK = """<bpmn:boundaryEvent id="te_laat" attachedToRef="besluiten" cancelActivity="false">
      <bpmn:timerEventDefinition id="td"><bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="besluiten\""""

REFUSALS = [
    pytest.param(
        {"wijzigingsverzoek.bpmn": BPMN.replace("</bpmn:process>", "<bpmn:task id='x'>", 1)},
        "wijzigingsverzoek.bpmn",
        None,
        "XML klopt niet",
        id="xml-does-not-parse",
    ),
    pytest.param(
        {"wijzigingsverzoek.bpmn": BPMN.replace('targetRef="toetsen"', 'targetRef="bestaat_niet"', 1)},
        "wijzigingsverzoek.bpmn",
        None,
        "bestaat_niet",
        id="engine-cannot-run",
    ),
    pytest.param(
        {"wijzigingsverzoek.bpmn": BPMN.replace('name="stuurgroep">', 'name="raad van toezicht">', 1)},
        "wijzigingsverzoek.bpmn",
        "Lane_stuurgroep",
        "geen bekende rol",
        id="lane-not-a-role",
    ),
    pytest.param(
        {
            "wijzigingsverzoek.bpmn": BPMN.replace(
                "wijzigingsverzoek_besluiten.schema.json", "wijzigingsverzoek_bestaat_niet.schema.json"
            )
        },
        "wijzigingsverzoek.bpmn",
        "besluiten",
        "formulier wijzigingsverzoek_bestaat_niet.schema.json ontbreekt",
        id="form-missing",
    ),
    pytest.param(
        {"wijzigingsverzoek_besluiten.schema.json": json.dumps({"type": "object", "properties": {"x": {"type": 3}}})},
        "wijzigingsverzoek_besluiten.schema.json",
        None,
        "Geen geldig JSON Schema",
        id="form-not-json-schema",
    ),
    pytest.param(
        {"wijzigingsverzoek_besluiten.schema.json": "{niet: json"},
        "wijzigingsverzoek_besluiten.schema.json",
        None,
        "Geen geldige JSON",
        id="form-not-json",
    ),
    pytest.param(
        {"wijzigingsverzoek.bpmn": BPMN.replace('<bpmn:userTask id="besluiten"', TIMER_TASK, 1)},
        "wijzigingsverzoek.bpmn",
        "te_laat",
        '"P14D"',
        id="unquoted-iso-timer",
    ),
    pytest.param(
        {
            "wijzigingsverzoek.bpmn": BPMN.replace(
                'besluit_door = "stuurgroep"', "besluit_door = __import__('os').getcwd()", 1
            )
        },
        "wijzigingsverzoek.bpmn",
        "besluiten",
        "niet toegestaan",
        id="forbidden-name-in-script",
    ),
    pytest.param(
        {"wijzigingsverzoek.bpmn": BPMN.replace('besluit_door = "stuurgroep"', "besluit_door = = 1", 1)},
        "wijzigingsverzoek.bpmn",
        "besluiten",
        "bevat een fout",
        id="script-does-not-compile",
    ),
    pytest.param(
        {"wijziging_beoordeling.dmn": DMN.replace("</decisionTable>", "", 1)},
        "wijziging_beoordeling.dmn",
        None,
        "XML klopt niet",
        id="dmn-does-not-parse",
    ),
    pytest.param(
        {"wijziging_beoordeling.dmn": DMN.replace("&lt;= 5000", "&lt;= = 5000", 1)},
        "wijzigingsverzoek.bpmn",
        "route_bepalen",
        "bevat een fout",
        id="dmn-cell-does-not-compile",
    ),
    pytest.param(
        {
            "wijzigingsverzoek.bpmn": BPMN.replace(
                'sourceRef="advies_is_besluit" targetRef="gw_besluit_genomen"',
                'sourceRef="advies_is_besluit" targetRef="gw_goedgekeurd"',
            )
            .replace("<bpmn:incoming>f_advies_goedgekeurd</bpmn:incoming>", "", 1)
            .replace(
                "<bpmn:incoming>f_genomen_goedgekeurd</bpmn:incoming>",
                "<bpmn:incoming>f_genomen_goedgekeurd</bpmn:incoming><bpmn:incoming>f_advies_goedgekeurd</bpmn:incoming>",
            )
        },
        "wijzigingsverzoek.bpmn",
        "gw_goedgekeurd",
        "(no-gateway-join-fork)",
        id="bpmnlint-error",
    ),
    pytest.param(
        {"../wijzigingsverzoek.bpmn": BPMN},
        "../wijzigingsverzoek.bpmn",
        None,
        "bestandsnaam",
        id="file-name-with-a-path",
    ),
    pytest.param(
        {"los_formulier.schema.json": json.dumps({"type": "object", "properties": {}})},
        "los_formulier.schema.json",
        None,
        "Geen enkel proces gebruikt dit bestand",
        id="file-no-process-uses",
    ),
]


@pytest.mark.parametrize(("files", "file", "element", "message"), REFUSALS)
def test_a_refused_deploy_names_file_and_element_and_deploys_nothing(runtime, login, files, file, element, message):
    owner = login(demo.DEMO_PROCESS_OWNER)
    deployed = _versions(runtime)

    response = _upload(owner, files)

    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    assert any(
        e["file"] == file and (element is None or e["element"] == element) and message in e["message"] for e in errors
    ), errors
    assert set(errors[0]) == {"file", "element", "message", "severity"}
    assert _versions(runtime) == deployed


def test_a_file_that_is_not_utf8_text_is_refused(runtime, login) -> None:
    owner = login(demo.DEMO_PROCESS_OWNER)
    response = owner.client.post(
        "/api/v1/definitions",
        data={"files": [(io.BytesIO(b"\xff\xfe<x/>"), "wijzigingsverzoek.bpmn")]},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {owner.token}"},
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["file"] == "wijzigingsverzoek.bpmn"


def test_no_files_at_all_is_a_422_not_a_500(login) -> None:
    owner = login(demo.DEMO_PROCESS_OWNER)
    response = owner.client.post("/api/v1/definitions", data={}, headers={"Authorization": f"Bearer {owner.token}"})
    assert response.status_code == 422
    assert response.json["errors"][0]["message"] == "Er is geen bestand meegestuurd."


def test_only_process_owners_deploy_or_list_definitions(runtime, login) -> None:
    projectleider = login("projectleider@demo.sto")
    deployed = _versions(runtime)

    assert _upload(projectleider, {"wijziging_beoordeling.dmn": DMN_THRESHOLD_1000}).status_code == 403
    assert projectleider.get("/api/v1/definitions").status_code == 403
    assert _versions(runtime) == deployed


def test_the_list_shows_every_process_with_versions_and_files_download(runtime, login) -> None:
    owner = login(demo.DEMO_PROCESS_OWNER)
    start(login("projectleider@demo.sto"))

    listed = owner.get("/api/v1/definitions").json["definitions"]

    keys = {d["process_key"] for d in listed}
    assert {"wijzigingsverzoek", "nieuwe_partner", "partner_vertrek", "rapportage"} <= keys
    change = next(d for d in listed if d["process_key"] == "wijzigingsverzoek")
    newest = change["versions"][0]
    assert newest["version"] == change["current_version"]
    assert newest["running_instances"] == 1
    dmn = next(f for f in newest["files"] if f["name"] == "wijziging_beoordeling.dmn")
    download = owner.get(dmn["url"])
    assert download.status_code == 200
    assert download.data.decode() == DMN
    assert "attachment" in download.headers["Content-Disposition"]
    assert owner.get(dmn["url"].replace("wijziging_beoordeling.dmn", "geheim.txt")).status_code == 404


def test_rolling_back_deploys_the_earlier_files_as_a_new_version(runtime, login) -> None:
    owner = login(demo.DEMO_PROCESS_OWNER)
    first = owner.get("/api/v1/definitions").json["definitions"]
    original = next(d for d in first if d["process_key"] == "wijzigingsverzoek")["current_version"]
    changed = _upload(owner, {"wijziging_beoordeling.dmn": DMN_THRESHOLD_1000}).json["versions"][0]["version"]

    response = owner.post(f"/api/v1/definitions/wijzigingsverzoek/versions/{original}/rollback", {"note": "Terug"})

    assert response.status_code == 201, response.json
    assert response.json["version"] == changed + 1
    assert response.json["restored_from"] == original
    assert response.json["source"] == "terugzetten"
    files = {f["name"]: owner.get(f["url"]).data.decode() for f in response.json["files"]}
    assert files["wijziging_beoordeling.dmn"] == DMN
    again = owner.post(f"/api/v1/definitions/wijzigingsverzoek/versions/{original}/rollback", {})
    assert again.status_code == 422  # it is already the version in use


def test_a_region_deploys_its_own_variant_and_the_other_regions_keep_the_shared_one(runtime, login) -> None:
    regional_owner = login("procesbeheerder@noord.sto")

    shared = _upload(regional_owner, {"wijziging_beoordeling.dmn": DMN_THRESHOLD_1000})
    assert shared.status_code == 403  # a region's process owner may not change what every region uses
    other_region = _upload(regional_owner, {"wijziging_beoordeling.dmn": DMN_THRESHOLD_1000}, region="demo")
    assert other_region.status_code == 403
    variant = _upload(regional_owner, {"wijziging_beoordeling.dmn": DMN_THRESHOLD_1000}, region="noord")
    assert variant.status_code == 201, variant.json
    assert variant.json["versions"][0]["region"] == "noord"

    noord = (login("projectleider@noord.sto"), login("penvoerder@noord.sto"))
    demo_region = (login("projectleider@demo.sto"), login("penvoerder@demo.sto"))
    in_noord = start(noord[0], region="noord")
    in_demo = start(demo_region[0])
    assert in_noord["process_version"] == variant.json["versions"][0]["version"]
    assert in_demo["process_version"] < in_noord["process_version"]
    assert _route_after_advice(*noord, in_noord) == BESLUITEN
    assert _route_after_advice(*demo_region, in_demo) == VASTLEGGEN
    listed = regional_owner.get("/api/v1/definitions").json["definitions"]
    change = next(d for d in listed if d["process_key"] == "wijzigingsverzoek")
    assert change["variants"] == {"noord": in_noord["process_version"]}


def _drawn_elsewhere(process_id: str, condition: str) -> str:
    """A diagram as Camunda Modeler saves it: camunda attributes, a JUEL condition, no lanes, no forms."""
    text = (Path(__file__).resolve().parents[1] / "bpmn" / "drawn_in_camunda_modeler.bpmn.txt").read_text()
    return text.replace("PROCESS_ID", process_id).replace("CONDITION", condition)


def test_a_diagram_from_another_modeler_gets_located_messages_about_what_is_missing(runtime, login) -> None:
    owner = login(demo.DEMO_PROCESS_OWNER)
    deployed = _versions(runtime)

    response = _upload(owner, {"aanvraag.bpmn": _drawn_elsewhere("Process_1k2j3h", "${akkoord == true}")})

    assert response.status_code == 422, response.json
    errors = {(e["element"], e["severity"], e["message"]) for e in response.json["errors"]}
    assert any(el == "Process_1k2j3h" and "'aanvraag'" in m for el, _s, m in errors), errors
    assert _versions(runtime) == deployed

    renamed = _upload(owner, {"aanvraag.bpmn": _drawn_elsewhere("aanvraag", "${akkoord == true}")})
    assert renamed.status_code == 422
    found = [(e["element"], e["severity"], e["message"]) for e in renamed.json["errors"]]
    assert any(el == "Gateway_ok" and s == "fout" and "geen FEEL of JUEL" in m for el, s, m in found), found
    assert any(el == "Activity_check" and s == "waarschuwing" and "camunda:formKey" in m for el, s, m in found)
    assert _versions(runtime) == deployed


def test_a_diagram_from_another_modeler_that_runs_is_deployed_with_warnings(runtime, login) -> None:
    owner = login(demo.DEMO_PROCESS_OWNER)

    response = _upload(owner, {"aanvraag.bpmn": _drawn_elsewhere("aanvraag", "akkoord == True")})

    assert response.status_code == 201, response.json
    assert response.json["versions"][0]["process_key"] == "aanvraag"
    warnings = [(w["element"], w["message"]) for w in response.json["warnings"]]
    assert (
        "Activity_check",
        "De taak 'Aanvraag bekijken' heeft geen formulier: wie de taak krijgt, kan alleen op Afronden drukken.",
    ) in warnings
    assert any(el == "Activity_check" and "geen baan" in m for el, m in warnings)
    assert any(el == "Activity_check" and m.startswith("camunda:assignee") for el, m in warnings)
