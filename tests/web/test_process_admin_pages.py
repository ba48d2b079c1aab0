"""The 'Procesbeheer' pages and the editor's JSON endpoints, as a browser uses them: who may open them, a refused
upload that names file and element, the diff and rollback, drafts that conflict, the form preview, a trial run,
and moving running requests after a dry run."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain import demo
from service.models import AuditEvent, ProcessDefinition
from tests.e2e.seed import complete_open_task, start_request
from tests.web.change_request import SMALL_IN_PLAN

from .pages import csrf_token, post_form, signed_in, text

ROOT = Path(__file__).resolve().parents[2]
DMN = (ROOT / "bpmn" / "wijziging_beoordeling.dmn").read_text(encoding="utf-8")
EDITOR = "/procesbeheer/wijzigingsverzoek/bewerken"


def _owner(app: Flask) -> FlaskClient:
    return signed_in(app, demo.DEMO_PROCESS_OWNER)


def _json(client: FlaskClient, path: str, body: Any) -> Any:
    return client.post(path, json=body, headers={"X-CSRFToken": csrf_token(client, EDITOR)})


def _newest(runtime: Any) -> ProcessDefinition:
    with runtime.transaction(write=False) as session:
        found = session.scalar(
            select(ProcessDefinition)
            .where(ProcessDefinition.process_key == "wijzigingsverzoek")
            .order_by(ProcessDefinition.version.desc())
        )
        assert found is not None
        session.expunge(found)
        return found


def _files(client: FlaskClient) -> dict[str, str]:
    page = text(client.get(EDITOR))
    found = re.search(r'<script type="application/json" id="editor-files">(.*?)</script>', page, re.S)
    assert found
    return json.loads(found.group(1))


def test_only_process_owners_see_procesbeheer(app: Flask) -> None:
    projectleider = signed_in(app, "projectleider@demo.sto")
    assert projectleider.get("/procesbeheer").status_code == 403
    assert projectleider.get(EDITOR).status_code == 403
    assert "Procesbeheer" not in text(projectleider.get("/"))
    page = _owner(app).get("/procesbeheer")
    assert page.status_code == 200
    assert 'data-process="wijzigingsverzoek"' in text(page) and "Bestanden in gebruik nemen" in text(page)


def test_a_refused_upload_lists_file_element_and_message_and_deploys_nothing(app: Flask, runtime: Any) -> None:
    owner = _owner(app)
    before = _newest(runtime).version
    broken = DMN.replace("&lt;= 5000", "&lt;= = 5000", 1)
    response = owner.post(
        "/procesbeheer/bestanden",
        data={
            "files": [(io.BytesIO(broken.encode()), "wijziging_beoordeling.dmn")],
            "region": "",
            "note": "",
            "csrf_token": csrf_token(owner, "/procesbeheer"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text(response)
    assert "Niet in gebruik genomen. Er is niets veranderd" in page
    assert 'data-element="route_bepalen"' in page and "bevat een fout" in page
    assert _newest(runtime).version == before


def test_an_uploaded_decision_table_shows_its_diff_and_can_be_rolled_back(app: Flask, runtime: Any) -> None:
    owner = _owner(app)
    first = _newest(runtime).version
    response = owner.post(
        "/procesbeheer/bestanden",
        data={
            "files": [(io.BytesIO(DMN.replace("&lt;= 5000", "&lt;= 1000").encode()), "wijziging_beoordeling.dmn")],
            "region": "",
            "note": "Lagere drempel",
            "csrf_token": csrf_token(owner, "/procesbeheer"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "versie" in text(owner.get("/procesbeheer/wijzigingsverzoek"))
    diff = text(owner.get(f"/procesbeheer/wijzigingsverzoek/versies/{first + 1}"))
    assert "als Bedrag (euro): &lt;= 5000 → &lt;= 1000" in diff and "Lagere drempel" in diff
    regional = signed_in(app, "procesbeheerder@noord.sto")
    refused = post_form(
        regional,
        f"/procesbeheer/wijzigingsverzoek/versies/{first}/terugzetten",
        {"note": "terug"},
        form_page="/procesbeheer",
    )
    assert refused.status_code == 403
    rolled = post_form(
        owner,
        f"/procesbeheer/wijzigingsverzoek/versies/{first}/terugzetten",
        {"note": "Toch 5000"},
        form_page=f"/procesbeheer/wijzigingsverzoek/versies/{first}",
    )
    assert rolled.status_code == 302
    newest = _newest(runtime)
    assert (newest.version, newest.restored_from, newest.source) == (first + 2, first, "terugzetten")
    assert "&lt;= 5000" in newest.files["wijziging_beoordeling.dmn"]


def test_two_saves_of_the_same_draft_revision_get_a_conflict_and_the_first_stays(app: Flask) -> None:
    owner, other = _owner(app), signed_in(app, demo.DEMO_ADMIN)
    files = _files(owner)
    first = _json(owner, "/procesbeheer/wijzigingsverzoek/concept", {"files": files, "revision": 0})
    assert first.status_code == 200 and first.json["revision"] == 1
    second = _json(other, "/procesbeheer/wijzigingsverzoek/concept", {"files": files, "revision": 0})
    assert second.status_code == 409
    assert "Procesbeheerder STO heeft dit concept intussen opgeslagen" in second.json["message"]
    bad = _json(owner, "/procesbeheer/wijzigingsverzoek/concept", {"files": "geen", "revision": 1})
    assert bad.status_code == 422 and bad.json["fields"]["files"]


def test_the_check_endpoint_names_the_element_of_each_problem(app: Flask) -> None:
    owner = _owner(app)
    files = _files(owner)
    files["wijzigingsverzoek.bpmn"] = files["wijzigingsverzoek.bpmn"].replace('name="stuurgroep">', 'name="bestuur">')
    found = _json(owner, "/procesbeheer/wijzigingsverzoek/concept/controleren", {"files": files})
    assert found.status_code == 200
    assert {(p["element"], p["severity"]) for p in found.json["problems"]} >= {("Lane_stuurgroep", "fout")}
    clean = _json(owner, "/procesbeheer/wijzigingsverzoek/concept/controleren", {"files": _files(owner)})
    assert [p for p in clean.json["problems"] if p["severity"] == "fout"] == []


def test_the_form_preview_draws_the_task_form_and_its_dutch_messages(app: Flask) -> None:
    owner = _owner(app)
    schema = (
        '{"type": "object", "required": ["aantal"], "properties": {"aantal": {"type": "integer", "title": "Aantal"}}}'
    )
    drawn = _json(owner, "/procesbeheer/formulier-voorbeeld", {"schema": schema, "uischema": "{}"})
    assert drawn.status_code == 200 and 'id="in-aantal"' in drawn.json["html"] and "Aantal" in drawn.json["html"]
    checked = _json(
        owner, "/procesbeheer/formulier-voorbeeld", {"schema": schema, "uischema": "{}", "values": {"aantal": "twee"}}
    )
    assert "Vul een getal in" in checked.json["errors"]["aantal"]
    broken = _json(owner, "/procesbeheer/formulier-voorbeeld", {"schema": "{", "uischema": "{}"})
    assert broken.json["problem"].startswith("Geen geldige JSON")


def test_a_trial_run_returns_the_path_and_what_waits_and_stores_nothing(app: Flask, runtime: Any) -> None:
    owner = _owner(app)
    files = _files(owner)
    before = _newest(runtime).version
    run = _json(
        owner,
        "/procesbeheer/wijzigingsverzoek/concept/proberen",
        {"files": files, "start_data": {}, "answers": [], "service_results": {}},
    )
    assert run.status_code == 200, run.json
    assert run.json["path"][:2] == ["start", "f_start_indienen"]
    [waiting] = run.json["waiting"]
    assert waiting["task"] == "indienen" and 'id="in-titel"' in waiting["form_html"]
    wrong = _json(
        owner,
        "/procesbeheer/wijzigingsverzoek/concept/proberen",
        {"files": files, "answers": [{"task": "indienen", "values": {"titel": ""}}], "service_results": {}},
    )
    assert wrong.status_code == 422 and wrong.json["fields"]
    assert _newest(runtime).version == before


def test_running_requests_move_to_a_newer_version_after_a_dry_run(app: Flask, runtime: Any) -> None:
    started = start_request(runtime)
    complete_open_task(runtime, started, "projectleider@demo.sto", SMALL_IN_PLAN)  # waits at 'toetsen'
    owner = _owner(app)
    response = owner.post(
        "/procesbeheer/bestanden",
        data={
            "files": [(io.BytesIO(DMN.replace("&lt;= 5000", "&lt;= 1000").encode()), "wijziging_beoordeling.dmn")],
            "region": "",
            "note": "",
            "csrf_token": csrf_token(owner, "/procesbeheer"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    target = _newest(runtime).version
    dry_run = text(owner.get(f"/procesbeheer/wijzigingsverzoek/verplaatsen?naar={target}"))
    assert f'<tr data-instance="{started}" class="movable">' in dry_run
    moved = post_form(
        owner,
        "/procesbeheer/wijzigingsverzoek/verplaatsen",
        {"naar": str(target), "instance": str(started)},
        form_page=f"/procesbeheer/wijzigingsverzoek/verplaatsen?naar={target}",
    )
    assert moved.status_code == 200
    assert f"verplaatst van versie {target - 1} naar versie {target}" in text(moved)
    with runtime.transaction(write=False) as session:
        event = session.scalar(
            select(AuditEvent).where(AuditEvent.instance_id == started, AuditEvent.action == "instance_moved")
        )
        assert event is not None and event.actor_label == demo.DEMO_PROCESS_OWNER
    projectleider = signed_in(app, "projectleider@demo.sto")
    assert projectleider.get(f"/procesbeheer/wijzigingsverzoek/verplaatsen?naar={target}").status_code == 403
