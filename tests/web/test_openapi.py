"""The OpenAPI document describes exactly what the API serves, and the docs page renders it."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _served(app: Flask) -> set[tuple[str, str]]:
    """(method, path with {} for every parameter) of every route of the API blueprint."""
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<[^>]+>", "{}", rule.rule)
            served |= {(method.lower(), path) for method in rule.methods or () if method not in IGNORED_METHODS}
    return served


def _documented(spec: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in spec["paths"].items()
        for method in operations
    }


def test_openapi_lists_every_operation_the_api_serves(app: Flask, client: Any) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    served = _served(app)
    assert len(served) >= 9
    assert _documented(spec) == served


def test_openapi_declares_path_parameters_and_security(client: Any) -> None:
    spec = client.get("/api/v1/openapi.json").json

    for path, operations in spec["paths"].items():
        names = set(re.findall(r"\{([^}]+)\}", path))
        for method, operation in operations.items():
            assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == names, (method, path)
            if path == "/api/v1/auth/token":
                assert "security" not in operation
            else:
                assert operation["security"] == [{"bearer": []}], (method, path)
                assert "401" in operation["responses"], (method, path)
    complete = spec["paths"]["/api/v1/tasks/{id}/complete"]["post"]
    assert {"403", "404", "409", "422"} <= set(complete["responses"])
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_openapi_needs_no_token(client: Any) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200


def test_docs_page_is_html_listing_the_operations(client: Any) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "/api/v1/tasks" in page
    assert "/api/v1/tasks/{id}/complete" in page
    assert "/api/v1/openapi.json" in page
    assert "STO Flow API" in page


def test_openapi_document_passes_the_openapi_validator(client: Any) -> None:
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").json)
