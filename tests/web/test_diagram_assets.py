"""The process diagram's assets: the bpmn-js viewer served from node_modules (and nothing else from there), and
the instance page handing the diagram data to static/diagram.js without inline code."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from service.settings import Settings
from service.web import vendor
from tests.web.change_request import ZORGROBOTS, complete, only_task, start
from tests.web.pages import signed_in

VIEWER = "/vendor/bpmn-js/bpmn-viewer.production.min.js"
installed = pytest.mark.skipif(
    not (Settings.node_modules_dir / vendor.PACKAGES["bpmn-js"]).is_dir(),
    reason="node_modules missing: run `make install` (npm ci)",
)


@installed
def test_viewer_bundle_is_served_as_javascript_with_caching_headers(client) -> None:
    response = client.get(VIEWER)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.cache_control.max_age == vendor.SHORT_CACHE
    assert b"BpmnJS" in response.data

    with client.application.app_context():
        version = vendor.installed_version("bpmn-js")
    assert version
    pinned = client.get(f"{VIEWER}?v={version}")
    assert pinned.cache_control.max_age == vendor.LONG_CACHE and pinned.cache_control.immutable
    assert client.get("/vendor/bpmn-js/assets/diagram-js.css").mimetype == "text/css"


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/bpmn-js/../package.json",
        "/vendor/bpmn-js/../dist/bpmn-viewer.production.min.js",
        "/vendor/bpmn-js/%2e%2e/%2e%2e/diagram-js/assets/diagram-js.css",
        "/vendor/bpmn-js/..%2f..%2fdiagram-js%2fassets%2fdiagram-js.css",
        "/vendor/bpmn-js/assets/../../../bpmn-moddle/dist/index.js",
        "/vendor/diagram-js/assets/diagram-js.css",  # only the bpmn-js bundle is served
        "/vendor/bpmn-js/../../package-lock.json",
    ],
)
def test_paths_outside_the_bundle_are_refused(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b'"dependencies"' not in response.data and b"function" not in response.data


def test_missing_node_modules_gives_a_clear_404(client, runtime, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(runtime, "settings", replace(runtime.settings, node_modules_dir=tmp_path / "node_modules"))
    response = client.get(VIEWER)
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert "make install" in response.get_data(as_text=True) and "STO_NODE_MODULES" in response.get_data(as_text=True)


def test_instance_page_hands_the_diagram_to_the_viewer_without_inline_code(app, login) -> None:
    projectleider = login("projectleider@demo.sto")
    submitted = complete(projectleider, only_task(start(projectleider))["id"], ZORGROBOTS)
    client = signed_in(app, "projectleider@demo.sto")

    html = client.get(f"/verzoeken/{submitted['id']}").get_data(as_text=True)

    block = re.search(r'<script type="application/json" id="sto-diagram-data">(.*?)</script>', html, re.S)
    assert block, "the diagram data sits in a JSON block"
    assert "<" not in block.group(1)  # |tojson escaped the XML: nothing in it can close the script element
    data = json.loads(block.group(1))
    assert data["xml"].startswith("<?xml") and 'id="toetsen"' in data["xml"]
    assert data["current"] == ["toetsen"]
    assert "indienen" in data["done"] and "toetsen" not in data["done"]
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    navigated = r'<script src="/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js(\?v=[\w.]+)?" defer>'
    assert re.search(navigated, html)  # the viewer that zooms and pans
    assert '<script src="/static/diagram.js" defer>' in html
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert "de stappen op deze pagina vertellen hetzelfde" in html  # what shows without JavaScript
    now = re.search(r'<p class="diagram-now" id="diagram-now">(.*?)</p>', html, re.S)
    assert now, "the current step is said in text beside the drawing"
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", now.group(1))).strip()
    assert said == "Nu: Subsidieregels en begroting toetsen (rol penvoerder)"

    script = client.get("/static/diagram.js")
    assert script.status_code == 200 and "javascript" in script.mimetype
    assert b"sto-done" in script.data and b"sto-current" in script.data
