"""Log lines as a log shipper receives them in production: one JSON object per line, the request id on every line
of a request, one access line per request, and never a password, token, cookie or form content."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from service.domain import accounts
from service.web.runtime import Runtime
from tests.web.pages import csrf_token

Lines = Callable[[], list[dict[str, Any]]]
PASSWORD = "Zonnebloem-Vijver-Kompas-8472"


def _access(lines: list[dict[str, Any]], route: str) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "service.access" and line.get("route") == route]


def test_every_request_has_an_id_echoed_in_the_response(app: Flask, json_lines: Lines) -> None:
    client = app.test_client()
    mine = client.get("/healthz", headers={"X-Request-ID": "lb-2f6c1a9e-0001"})
    assert mine.headers["X-Request-ID"] == "lb-2f6c1a9e-0001"  # a proxy's id is kept, so lines can be joined
    made_up = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    generated = made_up.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)  # an ill-formed one is replaced, never echoed
    other = client.get("/healthz").headers["X-Request-ID"]
    assert other != generated

    lines = _access(json_lines(), "/healthz")
    assert [line["request_id"] for line in lines] == ["lb-2f6c1a9e-0001", generated, other]
    first = lines[0]
    assert first["method"] == "GET" and first["status"] == 200 and first["level"] == "INFO"
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert first["user_id"] is None
    assert first["time"].endswith("+00:00")


def test_lines_made_during_a_request_carry_its_id_and_secrets_are_scrubbed(app: Flask, json_lines: Lines) -> None:
    def noisy() -> str:
        logging.getLogger("service.test").warning(
            "something happened", extra={"password": "hunter2-secret", "detail": {"api_token": "tok-123", "n": 1}}
        )
        return "ok"

    app.add_url_rule("/test-noisy", view_func=noisy)
    response = app.test_client().get("/test-noisy")
    request_id = response.headers["X-Request-ID"]
    lines = json_lines()
    (warning,) = [line for line in lines if line["logger"] == "service.test"]
    assert warning["request_id"] == request_id
    assert warning["message"] == "something happened"
    assert warning["password"] == "[redacted]"
    assert warning["detail"] == {"api_token": "[redacted]", "n": 1}
    assert "hunter2-secret" not in str(lines) and "tok-123" not in str(lines)
    logging.getLogger("service.test").info("outside a request")
    assert json_lines()[-1]["request_id"] == "-"


@pytest.fixture
def person(runtime: Runtime, clock) -> str:  # type: ignore[no-untyped-def]
    with runtime.transaction(write=True) as session:
        user = accounts.create_user(
            session, email="logboek@demo.sto", name="Lotte Logboek", password=PASSWORD, now=clock(), fast_hash=True
        )
        accounts.grant_role(session, user=user, region_code="demo", role="projectleider")
    return "logboek@demo.sto"


def test_a_sign_in_and_a_bearer_token_never_reach_the_logs(app: Flask, person: str, json_lines: Lines) -> None:
    browser = app.test_client()
    token = csrf_token(browser, "/aanmelden")
    signed_in = browser.post("/aanmelden", data={"email": person, "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302
    other = app.test_client()
    wrong = {"email": person, "password": PASSWORD + "x", "csrf_token": csrf_token(other, "/aanmelden")}
    assert other.post("/aanmelden", data=wrong).status_code == 401  # the form again, with a message

    api = app.test_client()
    bearer = api.post("/api/v1/auth/token", json={"email": person, "password": PASSWORD}).json["token"]
    tasks = api.get("/api/v1/tasks?limit=5", headers={"Authorization": f"Bearer {bearer}"})
    assert tasks.status_code == 200

    lines = json_lines()
    text = "\n".join(str(line) for line in lines)
    for secret in (PASSWORD, bearer, token, signed_in.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]):
        assert secret not in text
    sign_ins = _access(lines, "/aanmelden")
    assert [(line["method"], line["status"]) for line in sign_ins] == [
        ("GET", 200),
        ("POST", 302),
        ("GET", 200),
        ("POST", 401),
    ]
    (listing,) = _access(lines, "/api/v1/tasks")
    assert listing["status"] == 200
    assert isinstance(listing["user_id"], int)  # who asked, by id: no name, no email
    assert person not in str(listing)
