"""Signing in to the web pages and posting their forms, the way a browser would (with the CSRF token)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on a page."""
    page = client.get(path)
    found = _TOKEN.search(page.get_data(as_text=True))
    assert found, f"no form with a CSRF token on {path} ({page.status_code})"
    return found.group(1)


def signed_in(app: Flask, email: str, password: str = "demo") -> FlaskClient:
    """A browser-like client signed in as `email`."""
    client = app.test_client()
    response = client.post(
        "/aanmelden", data={"email": email, "password": password, "csrf_token": csrf_token(client, "/aanmelden")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def post_form(client: FlaskClient, path: str, data: dict[str, Any], *, form_page: str | None = None) -> Any:
    """Post a form with the token taken from the page that shows it (default: the same path)."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_page or path)})


def text(response: Any) -> str:
    return response.get_data(as_text=True)
