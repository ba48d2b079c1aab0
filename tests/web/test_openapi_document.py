"""The OpenAPI document is valid and describes every API route the app serves."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_complete(app, client) -> None:
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    served = {
        (
            method.lower(),
            re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule)
            .replace("{instance_id}", "{id}")
            .replace("{task_id}", "{id}"),
        )
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(method, path) for path, operations in document["paths"].items() for method in operations}
    assert served == documented


def test_docs_page_lists_the_operations(client) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "POST /api/v1/tasks/{id}/complete" in page.get_data(as_text=True)
