"""The task page: the form from the JSON Schema, Dutch errors that keep the input, earlier steps read-only."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from service.models import Attachment, AuditEvent, HumanTask

from .pages import csrf_token, post_form, signed_in, text

VALID = {
    "titel": "Zorgrobots in de praktijk",
    "soort": "nieuwe_activiteit",
    "omschrijving": "Leerlingen programmeren zorgrobots in een simulatie met Zorg en Welzijn.",
    "in_regioplan": "nee",
    "bedrag": "7.500",
    "programmalijn": "samenwerking_bedrijfsleven",
    "doelstelling": "Techniek zichtbaar maken in andere domeinen",
    "past_bij_doelen": "ja",
}


def _start(app):  # type: ignore[no-untyped-def]
    client = signed_in(app, "projectleider@demo.sto")
    response = post_form(client, "/nieuw", {"proces": "wijzigingsverzoek", "regio": "demo"})
    assert response.status_code == 302
    return client, response.headers["Location"]


def test_form_shows_every_kind_of_field_with_dutch_labels(app) -> None:
    client, task_url = _start(app)
    page = text(client.get(task_url))
    assert "Wijzigingsverzoek indienen" in page
    assert 'type="radio" name="soort" value="nieuwe_activiteit"' in page  # radio through the UI schema
    assert '<textarea id="in-omschrijving"' in page
    assert 'inputmode="decimal" id="in-bedrag"' in page  # euro field
    assert 'name="in_regioplan" value="ja"' in page and 'name="in_regioplan" value="nee"' in page
    assert re.search(r'<option value="instroombevordering"\s*>Instroombevordering</option>', page)  # region's own
    assert 'type="file" id="in-offerte"' in page and 'enctype="multipart/form-data"' in page
    assert "Beschrijf de wijziging" in page  # the diagram's instructions for the user


def test_invalid_submission_shows_dutch_errors_next_to_fields_and_keeps_the_input(app, runtime) -> None:
    client, task_url = _start(app)
    response = post_form(client, task_url, {"titel": "Zo", "bedrag": "zevenduizend", "omschrijving": "Iets korts"})
    page = text(response)
    assert response.status_code == 422
    assert "Niet alle velden zijn goed ingevuld." in page
    assert re.search(r'id="fout-titel"[^>]*>Gebruik minstens 3 tekens.<', page)
    assert re.search(r'id="fout-soort"[^>]*>Dit veld is verplicht.<', page)
    assert re.search(r'id="fout-bedrag"[^>]*>Vul een getal in, bijvoorbeeld 1234,56 of 1.234,56.<', page)
    assert 'value="Zo"' in page and 'value="zevenduizend"' in page and ">Iets korts</textarea>" in page
    with runtime.transaction(write=False) as session:
        assert (
            session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "task_completed"))
            == 0
        )


def test_valid_submission_moves_the_request_on_and_reads_dutch_amounts(app, runtime) -> None:
    client, task_url = _start(app)
    response = post_form(client, task_url, VALID)
    assert response.status_code == 302 and "/verzoeken/" in response.headers["Location"]
    instance_page = text(client.get(response.headers["Location"]))
    assert "Taak afgerond" in instance_page and "Subsidieregels en begroting toetsen" in instance_page
    with runtime.transaction(write=False) as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "task_completed"))
        assert event.details["data"]["bedrag"] == 7500
        assert event.details["data"]["in_regioplan"] is False


def test_next_role_sees_earlier_steps_read_only_with_labels(app) -> None:
    client, task_url = _start(app)
    post_form(client, task_url, VALID)
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    inbox = text(penvoerder.get("/"))
    link = re.search(r'href="(/taken/\d+)">Subsidieregels en begroting toetsen', inbox)
    assert link, inbox
    page = text(penvoerder.get(link.group(1)))
    assert "Eerdere stappen" in page
    assert "<dt>Soort wijziging</dt><dd>Nieuwe activiteit</dd>" in page
    assert "<dt>Bedrag (euro)</dt><dd>€ 7.500,00</dd>" in page
    assert "<dt>Staat de activiteit al in het regioplan?</dt><dd>Nee</dd>" in page


def test_other_role_sees_the_task_but_gets_no_form(app) -> None:
    _client, task_url = _start(app)
    penvoerder = signed_in(app, "penvoerder@demo.sto")
    page = text(penvoerder.get(task_url))
    assert "Deze taak is voor de rol projectleider" in page and 'name="titel"' not in page
    refused = post_form(penvoerder, task_url, VALID, form_page="/")
    assert refused.status_code == 403 and "Geen toegang" in text(refused)


def test_upload_is_stored_with_checksum_and_listed_on_the_instance(app, runtime) -> None:
    client, task_url = _start(app)
    token = csrf_token(client, task_url)
    content = b"%PDF-1.4 offerte 3D-printer"
    response = client.post(
        task_url,
        data={**VALID, "csrf_token": token, "offerte": (io.BytesIO(content), "offerte printer.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "offerte printer.pdf" in page and "Bijlagen" in page
    download = re.search(r'href="(/bijlagen/\d+)"', page).group(1)
    got = client.get(download)
    assert got.data == content and got.headers["Content-Disposition"].startswith("attachment;")
    noord = signed_in(app, "coordinator@noord.sto")
    assert noord.get(download).status_code == 404


def test_oversized_upload_is_refused_next_to_the_field_and_nothing_is_saved(app, runtime) -> None:
    client, task_url = _start(app)
    token = csrf_token(client, task_url)
    too_big = b"x" * (runtime.settings.max_upload_bytes + 1)
    response = client.post(
        task_url,
        data={**VALID, "csrf_token": token, "offerte": (io.BytesIO(too_big), "groot.pdf")},
        content_type="multipart/form-data",
    )
    page = text(response)
    assert response.status_code == 422
    assert re.search(r'id="fout-offerte"[^>]*>Dit bestand is te groot; het mag hoogstens 10 MB zijn.<', page)
    assert 'value="Zorgrobots in de praktijk"' in page  # the rest of the input is kept
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0
        assert session.scalar(select(HumanTask.status).where(HumanTask.name == "Wijzigingsverzoek indienen")) == "open"


def test_claim_and_release_from_the_task_page(app) -> None:
    _client, task_url = _start(app)
    leider = signed_in(app, "projectleider@demo.sto")
    task_id = task_url.rsplit("/", 1)[1]
    claimed = post_form(leider, f"/taken/{task_id}/oppakken", {}, form_page=task_url)
    assert claimed.status_code == 302
    assert "opgepakt door" in text(leider.get(task_url))
    released = post_form(leider, f"/taken/{task_id}/vrijgeven", {}, form_page=task_url)
    assert released.status_code == 302 and "nog niet opgepakt" in text(leider.get(task_url))


def test_posting_without_csrf_token_is_refused_and_changes_nothing(app, runtime) -> None:
    client, task_url = _start(app)
    response = client.post(task_url, data=VALID)
    assert response.status_code == 400 and "formulier is verlopen" in text(response)
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(HumanTask.status).where(HumanTask.name == "Wijzigingsverzoek indienen")) == "open"
