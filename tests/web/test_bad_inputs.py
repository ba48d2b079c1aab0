"""Bad input of every kind answers 4xx with a message naming the field, saves nothing, and leaves the server
answering normally: a table of malformed API requests, plus the web form's amounts, Unicode downloads, 429 and
the language of validation messages."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.domain.errors import InvalidInput
from service.domain.forms import MAX_TEXT_LENGTH, validate_submission
from service.models import Attachment, AuditEvent, HumanTask, ProcessInstance
from service.settings import ROOT
from service.web.app import create_app
from service.web.runtime import Runtime
from tests.web.change_request import ZORGROBOTS, only_task, start
from tests.web.flow import count
from tests.web.pages import csrf_token, post_form, signed_in, text
from tests.web.test_languages import choose, compiled_translations  # noqa: F401 (a fixture)

BIG_IDS = (2**63, 2**64, 2**31)
START = "/api/v1/processes/wijzigingsverzoek/instances"
COMPLETE = "/api/v1/tasks/{task}/complete"
PARTNERS = "/api/v1/regions/demo/partners"


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


@dataclasses.dataclass(frozen=True)
class Bad:
    """One bad request: method, path ({task} and {instance} are filled in), raw body, content type, and the
    field the answer must name ('' for the body as a whole, None when the status says it all)."""

    method: str
    path: str
    body: bytes | None = None
    content_type: str = "application/json"
    field: str | None = None
    status: tuple[int, ...] = (422,)


CASES = {
    **{f"GET task {n}": Bad("GET", f"/api/v1/tasks/{n}", status=(404,)) for n in BIG_IDS},
    **{f"GET instance {n}": Bad("GET", f"/api/v1/instances/{n}", status=(404,)) for n in BIG_IDS},
    **{
        f"POST task {n} {action}": Bad("POST", f"/api/v1/tasks/{n}/{action}", _json({"data": {}}), status=(404,))
        for n in BIG_IDS[:2]
        for action in ("complete", "claim", "unclaim")
    },
    "negative task id": Bad("GET", "/api/v1/tasks/-1", status=(404,)),
    "task id zero": Bad("GET", "/api/v1/tasks/0", status=(404,)),
    "task id that is text": Bad("GET", "/api/v1/tasks/een", status=(404,)),
    "huge instance id as text": Bad("GET", "/api/v1/instances/" + "9" * 400, status=(404,)),
    "unknown process with a huge key": Bad(
        "POST", f"/api/v1/processes/{'x' * 5000}/instances", _json({"region": "demo"}), status=(404,)
    ),
    "JSON nested 5,000 deep": Bad("POST", COMPLETE, f'{{"data": {_nested(5000)}}}'.encode(), field="data.a"),
    "start data nested 5,000 deep": Bad(
        "POST",
        START,
        f'{{"region": "demo", "data": {{"omschrijving": {_nested(5000)}}}}}'.encode(),
        field="data.omschrijving",
    ),
    "start data nested 40 deep": Bad(
        "POST",
        START,
        _json({"region": "demo", "data": {"omschrijving": json.loads(_nested(40))}}),
        field="data.omschrijving",
    ),
    **{
        f"bedrag {constant}": Bad("POST", COMPLETE, f'{{"data": {{"bedrag": {constant}}}}}'.encode(), field="bedrag")
        for constant in ("NaN", "Infinity", "-Infinity")
    },
    "bedrag 1e300": Bad("POST", COMPLETE, b'{"data": {"bedrag": 1e300}}', field="bedrag"),
    "bedrag 1e300 at start": Bad("POST", START, b'{"region": "demo", "data": {"bedrag": 1e300}}', field="bedrag"),
    "start bedrag NaN": Bad("POST", START, b'{"region": "demo", "data": {"bedrag": NaN}}', field="bedrag"),
    "1 MB titel at start": Bad("POST", START, _json({"region": "demo", "data": {"titel": "x" * 2**20}}), field="titel"),
    "5 MB omschrijving at start": Bad(
        "POST", START, _json({"region": "demo", "data": {"omschrijving": "x" * 5 * 2**20}}), status=(413,)
    ),
    "20,000 characters omschrijving": Bad(
        "POST", COMPLETE, _json({"data": {**ZORGROBOTS, "omschrijving": "x" * 20_000}}), field="omschrijving"
    ),
    "body over the size limit": Bad("POST", COMPLETE, _json({"data": {"x": "y" * 3 * 2**20}}), status=(413,)),
    "wrong content type": Bad("POST", COMPLETE, _json({"data": ZORGROBOTS}), content_type="text/plain", field=""),
    "form-encoded body": Bad("POST", START, b"region=demo", content_type="application/x-www-form-urlencoded", field=""),
    "invalid UTF-8": Bad("POST", COMPLETE, b'{"data": {"titel": "\xff\xfe caf\xe9"}}', field=""),
    "truncated JSON": Bad("POST", COMPLETE, b'{"data": {"titel": ', field=""),
    "empty body": Bad("POST", COMPLETE, b"", field=""),
    "a JSON array instead of an object": Bad("POST", COMPLETE, b'[{"data": {}}]', field=""),
    "a JSON string instead of an object": Bad("POST", START, b'"demo"', field=""),
    "null for the required region": Bad("POST", START, _json({"region": None, "data": {}}), field="region"),
    "null for data": Bad("POST", COMPLETE, _json({"data": None}), field="data"),
    "data that is a list": Bad("POST", COMPLETE, _json({"data": [1, 2]}), field="data"),
    "region that is a number": Bad("POST", START, _json({"region": 5}), field="region"),
    "region longer than 40": Bad("POST", START, _json({"region": "r" * 41}), field="region"),
    "unknown field next to data": Bad("POST", COMPLETE, _json({"data": ZORGROBOTS, "extra": 1}), field="extra"),
    "unknown start field": Bad(
        "POST", START, _json({"region": "demo", "data": {"stuurgroep_beslist": True}}), field="stuurgroep_beslist"
    ),
    "text where a number belongs": Bad("POST", COMPLETE, _json({"data": {**ZORGROBOTS, "bedrag": "veel"}}), "bedrag"),
    "text where a number belongs at start": Bad(
        "POST", START, _json({"region": "demo", "data": {"bedrag": "x"}}), "bedrag"
    ),
    "negative bedrag": Bad("POST", COMPLETE, _json({"data": {**ZORGROBOTS, "bedrag": -1}}), field="bedrag"),
    "a number where text belongs": Bad("POST", COMPLETE, _json({"data": {**ZORGROBOTS, "titel": 12}}), field="titel"),
    "email that is a list": Bad("POST", "/api/v1/auth/token", _json({"email": ["a"], "password": "x"}), field="email"),
    # NUL characters: no database stores them (PostgreSQL refuses them in any text), so they never reach one.
    "a NUL character in a text": Bad("POST", COMPLETE, b'{"data": {"titel": "a\\u0000b"}}', field=""),
    "a NUL character in the region": Bad("POST", START, b'{"region": "demo\\u0000"}', field=""),
    "a NUL character in a query parameter": Bad("GET", "/api/v1/tasks?regio=demo%00", status=(422,), field="regio"),
    "a NUL character in the process key": Bad("POST", "/api/v1/processes/wijziging%00/instances", status=(404,)),
    # The partner register: every filter is a known code, and the search has a length.
    "unknown partner soort": Bad("GET", f"{PARTNERS}?soort=school", field="soort"),
    "unknown partner status": Bad("GET", f"{PARTNERS}?status=weg", field="status"),
    "unknown profiel": Bad("GET", f"{PARTNERS}?profiel=techniek", field="profiel"),
    "leerweg in lower case": Bad("GET", f"{PARTNERS}?leerweg=kb", field="leerweg"),
    "unknown profiel next to a good leerweg": Bad("GET", f"{PARTNERS}?leerweg=KB&profiel=%E2%82%AC", field="profiel"),
    "partner search of 201 characters": Bad("GET", f"{PARTNERS}?q={'x' * 201}", field="q"),
    "partner search of 100,000 characters": Bad("GET", f"{PARTNERS}?q={'x' * 100_000}", field="q"),
    "a NUL character in the partner search": Bad("GET", f"{PARTNERS}?q=brug%00", field="q"),
    "a bad page of partners": Bad("GET", f"{PARTNERS}?page=0", field="page"),
    **{f"GET partner {n}": Bad("GET", f"{PARTNERS}/{n}", status=(404,)) for n in BIG_IDS},
    **{f"GET partner document {n}": Bad("GET", f"{PARTNERS}/1/documents/{n}", status=(404,)) for n in BIG_IDS},
    "partner id that is text": Bad("GET", f"{PARTNERS}/een", status=(404,)),
    "partners of an unknown region": Bad("GET", "/api/v1/regions/bestaat-niet/partners", status=(404,)),
    "a NUL character in the region code": Bad("GET", "/api/v1/regions/demo%00/partners", status=(404,)),
    "partners of a region of 5,000 characters": Bad("GET", f"/api/v1/regions/{'r' * 5000}/partners", status=(404,)),
}


@pytest.fixture
def leider(login):  # type: ignore[no-untyped-def]
    return login("projectleider@demo.sto")


def _saved(runtime: Runtime) -> tuple[int, ...]:
    return tuple(count(runtime, model) for model in (ProcessInstance, HumanTask, AuditEvent, Attachment))


@pytest.mark.parametrize("bad", CASES.values(), ids=CASES.keys())
def test_bad_api_input_answers_4xx_names_the_field_and_saves_nothing(
    bad: Bad, leider: Any, runtime: Runtime, client: FlaskClient
) -> None:
    task = only_task(start(leider))
    before = _saved(runtime)
    path = bad.path.format(task=task["id"], instance=task["instance_id"])
    headers = {"Authorization": f"Bearer {leider.token}", "Content-Type": bad.content_type}

    response = client.open(path, method=bad.method, data=bad.body, headers=headers)

    assert response.status_code in bad.status, response.get_data(as_text=True)[:500]
    assert response.is_json and response.json["message"]  # a JSON answer with a message, never a page or a 500
    if bad.field is not None:
        assert bad.field in response.json["fields"], response.json
        assert all(response.json["fields"].values())
    assert _saved(runtime) == before
    assert leider.get(f"/api/v1/tasks/{task['id']}").status_code == 200  # the server answers normally afterwards
    assert start(leider)["open_tasks"]


def test_the_table_covers_at_least_thirty_bad_inputs() -> None:
    assert len(CASES) >= 30


def test_every_text_field_of_every_form_has_a_maximum_length() -> None:
    missing = [
        f"{path.name}: {name}"
        for path in sorted((ROOT / "forms").glob("*.schema.json"))
        for name, prop in json.loads(path.read_text(encoding="utf-8")).get("properties", {}).items()
        if "string" in (prop.get("type") if isinstance(prop.get("type"), list) else [prop.get("type")])
        and "maxLength" not in prop
    ]
    assert not missing


def test_fields_without_their_own_limits_still_have_one() -> None:
    schema = {"type": "object", "properties": {"tekst": {"type": "string"}, "getal": {"type": "number"}}}
    with pytest.raises(InvalidInput) as refused:
        validate_submission(schema, {"tekst": "x" * (MAX_TEXT_LENGTH + 1), "getal": 1e300})
    assert refused.value.fields == {
        "tekst": "Gebruik hoogstens 10000 tekens.",
        "getal": "Vul een getal tot 1.000.000.000.000 in.",
    }
    assert validate_submission(schema, {"tekst": "x" * MAX_TEXT_LENGTH, "getal": 1e12}) == {
        "tekst": "x" * MAX_TEXT_LENGTH,
        "getal": 1e12,
    }


@pytest.mark.parametrize("path", [f"/taken/{2**63}", f"/verzoeken/{2**64}", f"/bijlagen/{2**63}", f"/taken/{2**31}"])
def test_page_paths_with_ids_beyond_the_database_range_are_not_found(app: Flask, path: str) -> None:
    browser = signed_in(app, "projectleider@demo.sto")
    response = browser.get(path)
    assert response.status_code == 404 and "Niet gevonden" in text(response)


def _task_page(app: Flask) -> tuple[FlaskClient, str]:
    browser = signed_in(app, "projectleider@demo.sto")
    response = post_form(browser, "/nieuw", {"proces": "wijzigingsverzoek", "regio": "demo"})
    assert response.status_code == 302
    return browser, response.headers["Location"]


FORM = {**{k: v for k, v in ZORGROBOTS.items() if not isinstance(v, bool)}, "in_regioplan": "nee"}
FORM |= {"past_bij_doelen": "ja"}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("NaN", "Vul een getal in, bijvoorbeeld 1234,56 of 1.234,56."),
        ("Infinity", "Vul een getal in, bijvoorbeeld 1234,56 of 1.234,56."),
        ("0.125", "Dit getal is niet eenduidig. Schrijf het bedrag als 1234,56 of 1.234,56."),
        ("1.23.4", "Dit getal is niet eenduidig. Schrijf het bedrag als 1234,56 of 1.234,56."),
    ],
)
def test_an_unreadable_amount_in_the_web_form_gets_a_dutch_error_and_saves_nothing(
    app: Flask, runtime: Runtime, typed: str, message: str
) -> None:
    browser, task_url = _task_page(app)
    before = _saved(runtime)

    response = post_form(browser, task_url, {**FORM, "bedrag": typed})

    page = text(response)
    assert response.status_code == 422
    assert re.search(rf'id="fout-bedrag"[^>]*>{re.escape(message)}<', page), page
    assert f'value="{typed}"' in page  # what was typed comes back to correct
    assert _saved(runtime) == before


def test_a_dotted_thousands_amount_in_the_web_form_is_read_as_thousands(app: Flask, runtime: Runtime) -> None:
    browser, task_url = _task_page(app)
    response = post_form(browser, task_url, {**FORM, "bedrag": "7.500"})
    assert response.status_code == 302
    page = text(browser.get(response.headers["Location"]))
    assert "€ 7.500,00" in page


def test_an_attachment_with_a_unicode_name_downloads_under_that_name(app: Flask) -> None:
    browser, task_url = _task_page(app)
    name = "offerte-€-漢字-é.pdf"
    response = browser.post(
        task_url,
        data={**FORM, "csrf_token": csrf_token(browser, task_url), "offerte": (io.BytesIO(b"%PDF-1.4 x"), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = text(browser.get(response.headers["Location"]))
    assert name in page

    download = browser.get(re.search(r'href="(/bijlagen/\d+)"', page).group(1))

    assert download.status_code == 200 and download.data == b"%PDF-1.4 x"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''offerte-%E2%82%AC-%E6%BC%A2%E5%AD%97-%C3%A9.pdf" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_too_many_attempts_answer_429_with_retry_after(runtime: Runtime) -> None:
    limited = dataclasses.replace(runtime.settings, login_rate_limit="2 per minute")
    client = create_app(runtime=dataclasses.replace(runtime, settings=limited)).test_client()
    guess = {"email": "penvoerder@demo.sto", "password": "gok"}
    statuses = [client.post("/api/v1/auth/token", json=guess).status_code for _ in range(3)]

    refused = client.post("/api/v1/auth/token", json=guess)

    assert statuses == [401, 401, 429] and refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_api_validation_messages_follow_accept_language(
    app: Flask,
    leider: Any,
    client: FlaskClient,
    compiled_translations: Any,  # noqa: F811 (the fixture)
) -> None:
    app.extensions["babel"].translation_directories = [str(compiled_translations)]
    task = only_task(start(leider))
    headers = {"Authorization": f"Bearer {leider.token}"}
    body = {"data": {**ZORGROBOTS, "titel": None, "bedrag": "veel", "extra": 1}}

    dutch = client.post(f"/api/v1/tasks/{task['id']}/complete", json=body, headers=headers)
    english = client.post(
        f"/api/v1/tasks/{task['id']}/complete", json=body, headers=headers | {"Accept-Language": "en-GB,en;q=0.8"}
    )
    null_region = client.post(START, json={"region": None}, headers=headers | {"Accept-Language": "en"})

    assert dutch.json["message"] == "Niet alle velden zijn goed ingevuld."
    assert dutch.json["fields"] == {
        "titel": "Vul een tekst in.",
        "bedrag": "Vul een getal in.",
        "extra": "Dit veld hoort niet bij dit formulier.",
    }
    assert english.json["message"] == "Not all fields are filled in correctly."
    assert english.json["fields"] == {
        "titel": "Enter a text.",
        "bedrag": "Enter a number.",
        "extra": "This field does not belong to this form.",
    }
    assert null_region.json["fields"] == {"region": "This field may not be empty."}
    assert client.post(START, json={"region": None}, headers=headers).json["fields"] == {
        "region": "Dit veld mag niet leeg zijn."
    }


def test_marshmallow_length_message_is_dutch_or_english(
    app: Flask,
    client: FlaskClient,
    compiled_translations: Any,  # noqa: F811 (the fixture)
) -> None:
    app.extensions["babel"].translation_directories = [str(compiled_translations)]
    body = {"email": "a", "password": "x"}
    dutch = client.post("/api/v1/auth/token", json=body)
    english = client.post("/api/v1/auth/token", json=body, headers={"Accept-Language": "en"})
    assert dutch.json["fields"] == {"email": "Gebruik 3 tot 254 tekens."}
    assert english.json["fields"] == {"email": "Use 3 to 254 characters."}


def test_web_form_errors_are_english_in_the_english_ui(
    app: Flask,
    runtime: Runtime,
    compiled_translations: Any,  # noqa: F811 (the fixture)
) -> None:
    app.extensions["babel"].translation_directories = [str(compiled_translations)]
    browser, task_url = _task_page(app)
    choose(browser, "en", task_url)

    english = text(post_form(browser, task_url, {**FORM, "titel": "Zo", "bedrag": "0.125"}))
    choose(browser, "nl", task_url)
    dutch = text(post_form(browser, task_url, {**FORM, "titel": "Zo", "bedrag": "0.125"}))

    assert re.search(r'id="fout-titel"[^>]*>Use at least 3 characters.<', english)
    assert re.search(r'id="fout-bedrag"[^>]*>This number is ambiguous. Write the amount as 1234,56 or', english)
    assert re.search(r'id="fout-titel"[^>]*>Gebruik minstens 3 tekens.<', dutch)
    assert "Dit getal is niet eenduidig" in dutch and "ambiguous" not in dutch
