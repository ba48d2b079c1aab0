"""Signing in to the API: tokens, wrong passwords, and the limit on guessing."""

from __future__ import annotations

import dataclasses

from service.web.app import create_app
from service.web.runtime import Runtime


def test_right_password_gives_a_token_that_opens_the_api(client) -> None:
    response = client.post("/api/v1/auth/token", json={"email": "Penvoerder@demo.sto ", "password": "demo"})
    assert response.status_code == 200
    tasks = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert tasks.status_code == 200 and tasks.json["tasks"] == [] and tasks.json["total"] == 0


def test_wrong_password_is_refused_in_dutch(client) -> None:
    response = client.post("/api/v1/auth/token", json={"email": "penvoerder@demo.sto", "password": "fout"})
    assert response.status_code == 401
    assert response.json["message"] == "E-mailadres of wachtwoord klopt niet."
    assert "token" not in response.json


def test_missing_fields_answer_422_per_field(client) -> None:
    response = client.post("/api/v1/auth/token", json={"email": "penvoerder@demo.sto"})
    assert response.status_code == 422
    assert response.json["fields"] == {"password": "Dit veld is verplicht."}


def test_password_guessing_is_slowed_down(runtime: Runtime) -> None:
    limited = dataclasses.replace(runtime.settings, login_rate_limit="3 per minute")
    client = create_app(runtime=dataclasses.replace(runtime, settings=limited)).test_client()
    attempts = [
        client.post("/api/v1/auth/token", json={"email": "penvoerder@demo.sto", "password": f"gok{i}"}).status_code
        for i in range(4)
    ]
    assert attempts == [401, 401, 401, 429]
    right = client.post("/api/v1/auth/token", json={"email": "penvoerder@demo.sto", "password": "demo"})
    assert right.status_code == 429
    assert "Wacht een minuut" in right.json["message"]
