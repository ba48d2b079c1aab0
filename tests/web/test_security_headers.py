"""Security headers: every response (pages, API, errors, static files) carries the CSP and the others; HSTS and
Secure cookies only in production."""

from __future__ import annotations

import dataclasses
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.domain import demo
from service.web.app import create_app
from service.web.runtime import Runtime
from service.web.security_headers import content_security_policy
from tests.web.test_people_pages import sign_in

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    header = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in header.split("; ")}


def _assert_protected(response) -> None:  # type: ignore[no-untyped-def]
    policy = _policy(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert policy["img-src"] == "'self' data:"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.fixture
def projectleider(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, "projectleider@demo.sto") == 302
    return client


def test_pages_errors_api_and_static_files_all_carry_the_headers(app: Flask, projectleider: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    anonymous = app.test_client()
    token = login("projectleider@demo.sto")
    responses = {
        "sign-in page": (anonymous.get("/aanmelden"), 200),
        "inbox": (projectleider.get("/"), 200),
        "partner register": (projectleider.get("/partners/demo"), 200),
        "API docs": (anonymous.get("/api/docs"), 200),
        "404 page": (projectleider.get("/verzoeken/999999"), 404),
        "403 page": (projectleider.get("/beheer/gebruikers"), 403),
        "unknown address": (anonymous.get("/bestaat-niet"), 404),
        "API list": (token.get("/api/v1/tasks"), 200),
        "API 401": (anonymous.get("/api/v1/tasks"), 401),
        "API 404": (token.get("/api/v1/instances/999999"), 404),
        "OpenAPI document": (anonymous.get("/api/v1/openapi.json"), 200),
        "static file": (anonymous.get("/static/sto.css"), 200),
    }
    for what, (response, status) in responses.items():
        assert response.status_code == status, what
        _assert_protected(response)


def test_no_strict_transport_security_outside_production(app: Flask) -> None:
    response = app.test_client().get("/aanmelden")
    assert "Strict-Transport-Security" not in response.headers
    assert "Secure" not in response.headers.get("Set-Cookie", "")


def test_production_adds_hsts_for_a_year_or_more_and_secure_cookies(runtime: Runtime) -> None:
    production = dataclasses.replace(runtime.settings, env="production")
    app = create_app(runtime=dataclasses.replace(runtime, settings=production))
    client = app.test_client()
    page = client.get("/aanmelden", base_url="https://sto.example")

    hsts = page.headers["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))  # type: ignore[union-attr]
    assert max_age >= 365 * 24 * 3600 and "includeSubDomains" in hsts
    _assert_protected(page)
    token = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    signed_in = client.post(
        "/aanmelden",
        data={"email": "projectleider@demo.sto", "password": demo.DEMO_PASSWORD, "csrf_token": token},
        base_url="https://sto.example",
        headers={"Referer": "https://sto.example/aanmelden"},
    )
    assert signed_in.status_code == 302
    cookies = signed_in.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies), cookies
    assert client.get("/api/v1/openapi.json", base_url="https://sto.example").headers["Strict-Transport-Security"]


def test_form_action_can_name_a_sign_in_provider_by_its_origin() -> None:
    policy = content_security_policy(["https://login.example.nl/realms/sto/", ""])
    assert "form-action 'self' https://login.example.nl;" in policy
