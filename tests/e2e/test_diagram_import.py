"""bpmn-js's own importer, in chromium, reads every shipped diagram without a warning and draws every flow element.
The viewer bundle comes from the app's /vendor route (node_modules, as the instance page loads it); a screenshot per
diagram goes to test-artifacts/e2e/<test>/ to look at."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page

from service.settings import ROOT
from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots

BPMN_DIR = ROOT / "bpmn"
VENDOR = "/vendor/bpmn-js"
VIEWER = f"{VENDOR}/bpmn-viewer.production.min.js"
# Not a route of the app: the test answers it itself, so the page has the app's origin and loads the app's bundle.
PAGE = "/e2e-diagram-import"
HTML = f"""<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Diagram import</title>
<link rel="stylesheet" href="{VENDOR}/assets/diagram-js.css"><link rel="stylesheet" href="{VENDOR}/assets/bpmn-js.css">
<script src="{VIEWER}"></script></head>
<body style="margin:0"><div id="canvas" style="width:100%;height:880px"></div></body></html>"""

# Import with the real importer; report its warnings and the flow elements that got no shape on the canvas.
IMPORT = """async (xml) => {
    const viewer = new BpmnJS({ container: '#canvas' });
    try {
        const { warnings } = await viewer.importXML(xml);
        viewer.get('canvas').zoom('fit-viewport');
        const registry = viewer.get('elementRegistry');
        const undrawn = [];
        const walk = (container) => (container.flowElements || []).forEach(element => {
            if (!registry.get(element.id)) undrawn.push(element.id);
            walk(element);
        });
        viewer.getDefinitions().rootElements.forEach(walk);
        return { error: null, warnings: warnings.map(w => w.message), undrawn,
                 shapes: registry.filter(e => e.type !== 'label' && e.waypoints === undefined).length };
    } catch (err) {
        return { error: err.message, warnings: (err.warnings || []).map(w => w.message), undrawn: [], shapes: 0 };
    }
}"""


def _importer_page(open_browser: OpenBrowser, live_server: LiveServer) -> tuple[Page, list[str]]:
    user = open_browser("diagram-import")
    page = user.page
    page.route(f"{live_server.url}{PAGE}", lambda route: route.fulfill(content_type="text/html", body=HTML))
    with page.expect_response(lambda response: VIEWER in response.url) as bundle:
        page.goto(PAGE)
    assert bundle.value.ok, f"the app did not serve {VIEWER}: {bundle.value.status}"
    page.wait_for_function("() => typeof window.BpmnJS === 'function'")
    return page, user.js_errors


def _import(page: Page, xml: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(IMPORT, xml)
    return result


def test_bpmn_js_imports_every_shipped_diagram_without_warnings(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    page, js_errors = _importer_page(open_browser, live_server)
    diagrams = sorted(BPMN_DIR.glob("*.bpmn"))
    assert diagrams
    trouble = {}
    for path in diagrams:
        page.evaluate("() => { document.querySelector('#canvas').innerHTML = ''; }")
        result = _import(page, path.read_text(encoding="utf-8"))
        shot(page, path.stem)
        if result["error"] or result["warnings"] or result["undrawn"] or result["shapes"] < 5:
            trouble[path.name] = result
    assert trouble == {}
    assert js_errors == []


def test_the_importer_page_reports_warnings_and_undrawn_steps(
    open_browser: OpenBrowser, live_server: LiveServer
) -> None:
    """The check above can fail: a flow from a step that does not exist is a warning, a step without a shape is
    reported as not drawn."""
    page, _ = _importer_page(open_browser, live_server)
    xml = (BPMN_DIR / "rapportage.bpmn").read_text(encoding="utf-8")
    source = 'sourceRef="voorbereiden"'
    assert source in xml
    dangling = _import(page, xml.replace(source, 'sourceRef="bestaat_niet"', 1))
    assert dangling["error"] is None
    assert any("unresolved reference <bestaat_niet>" in warning for warning in dangling["warnings"]), dangling
    shape = re.search(r'<bpmndi:BPMNShape id="[^"]+" bpmnElement="voorbereiden".*?</bpmndi:BPMNShape>', xml, re.S)
    assert shape is not None
    undrawn = _import(page, xml.replace(shape[0], ""))
    assert "voorbereiden" in undrawn["undrawn"], undrawn
