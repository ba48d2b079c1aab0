"""The editors' bundle (frontend/, built by `make assets`) in a real browser, on a harness page: what a process owner
changes through the BPMN panel, by dragging and in the code editor reaches the exported XML, and every spiffworkflow
extension they did not touch comes back unchanged; bpmnlint reports a gateway that forks and joins while editing;
a trial run's path and the server's problems are marked on the diagram; a decision-table cell edited in dmn-js is
in its export; the JSON editor reports what is typed."""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from service.settings import ROOT
from tests.e2e.conftest import TIMEOUT_MS, Screenshots

BUILD = ROOT / "service" / "web" / "static" / "build"
HARNESS = ROOT / "tests" / "e2e" / "harness"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DMN = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
ON_PATH = re.compile(r"\bsto-path\b")  # the markers the bundle puts on the diagram's element groups
PROBLEM = re.compile(r"\bsto-problem\b")

# What the pages pass in: the real role codes with their Dutch names, the shipped forms and decisions.
OPTIONS: dict[str, Any] = {
    "roles": [
        {"value": "projectleider", "label": "Projectleider"},
        {"value": "penvoerder", "label": "Penvoerder"},
        {"value": "stuurgroep", "label": "Stuurgroep"},
        {"value": "coordinator", "label": "Coördinator"},
    ],
    "forms": sorted(p.name for p in (ROOT / "forms").glob("*.json")),
    "decisions": [{"id": "wijziging_beoordeling", "name": "Wie beslist en wie moet worden geïnformeerd"}],
    "operations": [
        {
            "id": "regioplan.mutatie_vastleggen",
            "label": "Mutatie vastleggen in het regioplan",
            "params": [
                "activiteit",
                "programmalijn",
                "doelstelling",
                "van_activiteit",
                "jaar",
                "bedrag",
                "omschrijving",
            ],
        },
        {"id": "rapportage.opnemen", "label": "Opnemen in de voortgangsrapportage", "params": ["titel"]},
    ],
}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """/static/... from service/web/static (the built bundle), /harness/... from tests/e2e/harness; nothing else."""

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0]
        if ".." in path:
            return str(HARNESS / "missing")
        if path.startswith("/static/"):
            return str(ROOT / "service" / "web" / path.lstrip("/"))
        if path.startswith("/harness/"):
            return str(HARNESS / path.removeprefix("/harness/"))
        return str(HARNESS / "missing")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def harness_url() -> Iterator[str]:
    """The harness page, served on 127.0.0.1 by a tiny server for this module's tests."""
    if not (BUILD / "sto-editors.js").is_file() or not (BUILD / "sto-editors.css").is_file():
        pytest.fail(
            f"The editors' bundle is not built in {BUILD}: run `make assets` (make install does).", pytrace=False
        )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, name="e2e-harness", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/harness/editors.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def page(browser: Browser, harness_url: str, shot: Screenshots, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The harness page in a fresh context; any uncaught JavaScript error fails the test, a failure leaves a shot."""
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(harness_url)
    expect(page.locator("#canvas")).to_be_attached()
    yield page
    call = getattr(request.node, "e2e_call", None)
    if call is not None and call.failed:
        with contextlib.suppress(Exception):  # a crashed page must not hide the real failure
            shot(page, "failure")
    context.close()
    assert not errors, f"JavaScript errors on the harness page: {errors}"


def _open_bpmn(page: Page, name: str) -> dict[str, Any]:
    """Open bpmn/<name> in the modeler as window.editor; returns its import warnings and first lint findings."""
    xml = (ROOT / "bpmn" / name).read_text(encoding="utf-8")
    return page.evaluate(
        """async ([xml, options]) => {
            window.changes = 0;
            window.editor = await StoEditors.openBpmn({
                canvas: document.getElementById('canvas'), panel: document.getElementById('panel'), xml, options});
            editor.onChange(() => { window.changes += 1; });
            return {warnings: editor.importWarnings, lint: editor.lintProblems()};
        }""",
        [xml, OPTIONS],
    )


def _export(page: Page) -> ET.Element:
    return ET.fromstring(page.evaluate("editor.getXml()"))


def _canonical(element: ET.Element) -> tuple[Any, ...]:
    """An element as tag, attributes, text and children; text that is only indentation does not count."""
    text = element.text if element.text and element.text.strip() else ""
    return (element.tag, sorted(element.attrib.items()), text, [_canonical(child) for child in element])


def _extensions(root: ET.Element) -> dict[str, list[tuple[Any, ...]]]:
    """Every spiffworkflow extension element, canonical, keyed by its owner's id."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for owner in root.iter():
        extension = owner.find(f"{BPMN}extensionElements")
        if extension is None:
            continue
        items = [_canonical(child) for child in extension if child.tag.startswith(SPIFF)]
        if items:
            found[owner.get("id", "")] = items
    return found


def _spiff_properties(root: ET.Element, element_id: str) -> dict[str, str]:
    owner = root.find(f".//*[@id='{element_id}']")
    assert owner is not None, element_id
    return {p.get("name", ""): p.get("value", "") for p in owner.iter(f"{SPIFF}property")}


def _lane_of(root: ET.Element, element_id: str) -> str:
    for lane in root.iter(f"{BPMN}lane"):
        if element_id in [ref.text for ref in lane.findall(f"{BPMN}flowNodeRef")]:
            return lane.get("name", "")
    return ""


def _centre(page: Page, element_id: str) -> tuple[float, float]:
    box = page.locator(f'#canvas [data-element-id="{element_id}"] .djs-hit').first.bounding_box()
    assert box, f"{element_id} is not drawn"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _scroll_to(page: Page, element_id: str) -> None:
    """Scroll the diagram with the mouse wheel, as a person would, until the element is well inside the canvas."""
    canvas = page.locator("#canvas").bounding_box()
    assert canvas
    page.mouse.move(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
    for _ in range(30):
        x, y = _centre(page, element_id)
        dx = x - (canvas["x"] + canvas["width"] / 2) if not 200 < x - canvas["x"] < canvas["width"] - 150 else 0
        dy = y - (canvas["y"] + canvas["height"] / 2) if not 80 < y - canvas["y"] < canvas["height"] - 80 else 0
        if not dx and not dy:
            return
        page.mouse.wheel(max(-200, min(200, dx)), max(-200, min(200, dy)))
        page.wait_for_timeout(50)
    raise AssertionError(f"{element_id} did not scroll into view")


def _panel_field(page: Page, entry_id: str) -> Any:
    return page.locator(f"#bio-properties-panel-{entry_id}")


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "bpmn").glob("*.bpmn")))
def test_every_shipped_diagram_round_trips_with_its_extensions_unchanged(page: Page, name: str) -> None:
    opened = _open_bpmn(page, name)
    assert opened["warnings"] == [], f"bpmn-js warned while importing {name}"
    original = _extensions(ET.parse(ROOT / "bpmn" / name).getroot())
    assert original, f"{name} has no spiffworkflow extensions to compare"
    assert _extensions(_export(page)) == original


def test_a_process_owner_edits_the_change_request_through_the_panel_drag_and_code_editor(
    page: Page, shot: Screenshots
) -> None:
    opened = _open_bpmn(page, "wijzigingsverzoek.bpmn")
    assert opened["warnings"] == []
    original_xml = ET.parse(ROOT / "bpmn" / "wijzigingsverzoek.bpmn").getroot()
    original = _extensions(original_xml)
    shot(page, "opened")

    # The stuurgroep's task, clicked on the canvas: its form and due date changed through the panel.
    _scroll_to(page, "besluiten")
    page.mouse.click(*_centre(page, "besluiten"))
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text("Besluiten over het wijzigingsverzoek")
    expect(page.locator(".bio-properties-panel-group-header-title", has_text="Formulier")).to_be_visible()
    form = _panel_field(page, "sto-form-schema")
    expect(form).to_have_value("wijzigingsverzoek_besluiten.schema.json")
    form.select_option("wijzigingsverzoek_vastleggen.schema.json")
    due = _panel_field(page, "sto-due-in")
    expect(due).to_have_value("P21D")
    due.click()
    due.press("Control+A")
    due.press_sequentially("P14X")
    expect(page.locator('[data-entry-id="sto-due-in"] .bio-properties-panel-error')).to_contain_text("Geen ISO-duur")
    due.press("Backspace")
    due.press_sequentially("D")
    expect(page.locator('[data-entry-id="sto-due-in"] .bio-properties-panel-error')).to_have_count(0)
    shot(page, "stuurgroep-task-form-and-due-date")

    # A task dragged with the mouse from the penvoerder's lane into the coördinator's.
    assert _lane_of(original_xml, "toetsen") == "penvoerder"
    _scroll_to(page, "toetsen")
    x, y = _centre(page, "toetsen")
    lane = page.locator('#canvas [data-element-id="Lane_coordinator"] .djs-hit').first.bounding_box()
    assert lane
    target_y = lane["y"] + lane["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 20, steps=4)
    page.mouse.move(x, target_y, steps=12)
    page.mouse.up()
    shot(page, "task-dragged-to-the-coordinator-lane")

    # The condition of the 'ja' flow, typed into the code editor.
    assert page.evaluate("editor.select('f_wie_stuurgroep')")
    code = page.locator('[data-entry-id="sto-condition"] .cm-content')
    expect(code).to_have_text("stuurgroep_beslist == True")
    code.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("stuurgroep_beslist and bedrag > 10000")
    expect(code).to_have_text("stuurgroep_beslist and bedrag > 10000")
    shot(page, "condition-in-the-code-editor")

    exported = _export(page)
    assert _spiff_properties(exported, "besluiten") == {
        "formJsonSchemaFilename": "wijzigingsverzoek_vastleggen.schema.json",
        "dueIn": "P14D",
        "reminders": "P7D,P2D",
        "escalateTo": "coordinator",
    }
    assert _lane_of(exported, "toetsen") == "coordinator"
    condition = exported.find(f".//*[@id='f_wie_stuurgroep']/{BPMN}conditionExpression")
    assert condition is not None and condition.text == "stuurgroep_beslist and bedrag > 10000"
    # Every other extension element is as it was; the edited task kept its instructions and postScript.
    after = _extensions(exported)
    assert {k: v for k, v in after.items() if k != "besluiten"} == {
        k: v for k, v in original.items() if k != "besluiten"
    }
    assert after["besluiten"][0] == original["besluiten"][0]  # instructionsForEndUser
    assert after["besluiten"][2] == original["besluiten"][2]  # postScript
    assert page.evaluate("window.changes") >= 3


def test_bpmnlint_reports_a_gateway_that_forks_and_joins_while_editing(page: Page, shot: Screenshots) -> None:
    _open_bpmn(page, "wijzigingsverzoek.bpmn")

    def join_fork_gateways() -> set[str]:
        problems = page.evaluate("editor.lintProblems()")
        return {p["element"] for p in problems if p["rule"] == "no-gateway-join-fork"}

    assert "gw_wie_beslist" not in join_fork_gateways()
    _scroll_to(page, "gw_wie_beslist")
    # A second flow into 'Besluit de stuurgroep?', drawn with the context pad's connect tool: it now joins and forks.
    page.mouse.click(*_centre(page, "route_bepalen"))
    page.locator('.djs-context-pad [data-action="connect"]').click()
    page.mouse.move(*_centre(page, "gw_wie_beslist"), steps=5)
    page.mouse.click(*_centre(page, "gw_wie_beslist"))
    page.wait_for_function(
        """() => editor.lintProblems().some(p => p.element === 'gw_wie_beslist' && p.rule === 'no-gateway-join-fork')"""
    )
    problems = page.evaluate("editor.lintProblems()")
    problem = next(p for p in problems if p["element"] == "gw_wie_beslist")
    assert problem["category"] == "error"
    assert problem["message"] == "Splitsing splitst én voegt samen: gebruik twee splitsingen"
    overlay = page.locator('.djs-overlays[data-container-id="gw_wie_beslist"] .djs-overlay-linting')
    badge = overlay.locator(".bjsl-icon-error")
    expect(badge).to_be_visible()
    expect(page.locator(".bjsl-button")).to_contain_text("fouten")
    badge.hover()
    expect(overlay.locator(".bjsl-dropdown-content")).to_contain_text("Splitsing splitst én voegt samen")
    expect(overlay.locator(".bjsl-dropdown-content")).to_be_visible()
    shot(page, "gateway-forks-and-joins")


def test_a_trial_path_and_server_problems_are_marked_on_the_diagram(page: Page, shot: Screenshots) -> None:
    _open_bpmn(page, "wijzigingsverzoek.bpmn")
    path = ["start", "f_start_indienen", "indienen", "f_indienen_route", "route_bepalen"]
    assert page.evaluate("ids => editor.highlightPath(ids)", [*path, "not_in_this_diagram"]) == ["not_in_this_diagram"]
    for element_id in path:
        expect(page.locator(f'#canvas .djs-element[data-element-id="{element_id}"]')).to_have_class(ON_PATH)
    stroke = page.evaluate(
        """() => getComputedStyle(
            document.querySelector('[data-element-id="indienen"] .djs-visual > :first-child')).stroke"""
    )
    assert stroke == "rgb(26, 127, 55)"
    expect(page.locator('#canvas .djs-element[data-element-id="toetsen"]')).not_to_have_class(ON_PATH)
    listed = page.evaluate(
        "p => editor.showProblems(p)",
        [
            {"element": "besluiten", "message": "Formulier bestaat niet"},
            {"element": "weg", "message": "Element bestaat niet meer"},
        ],
    )
    assert [(p["name"], p["found"]) for p in listed] == [("Besluiten over het wijzigingsverzoek", True), ("weg", False)]
    expect(page.locator('#canvas .djs-element[data-element-id="besluiten"]')).to_have_class(PROBLEM)
    assert page.evaluate("editor.select('besluiten')")
    shot(page, "path-and-problem-marked")
    page.evaluate("editor.clearPath(); editor.clearProblems()")
    assert page.locator("#canvas .sto-path, #canvas .sto-problem").count() == 0


def test_timer_panel_asks_for_quotes_around_an_iso_duration(page: Page, shot: Screenshots) -> None:
    _open_bpmn(page, "nieuwe_partner.bpmn")
    assert page.evaluate("editor.select('link_verlopen')")
    expect(page.locator(".bio-properties-panel-group-header-title", has_text="Timer")).to_be_visible()
    expect(_panel_field(page, "sto-timer-kind")).to_have_value("timeDuration")
    expression = _panel_field(page, "sto-timer-expression")
    expect(expression).to_have_value('"P" + str(link_geldig_dagen) + "D"')
    expression.fill("P14D")
    error = page.locator('[data-entry-id="sto-timer-expression"] .bio-properties-panel-error')
    expect(error).to_contain_text('tussen aanhalingstekens: "P14D"')
    shot(page, "timer-unquoted-duration")
    expression.fill('"P14D"')
    expect(error).to_have_count(0)
    timer = _export(page).find(f".//*[@id='link_verlopen_timer']/{BPMN}timeDuration")
    assert timer is not None and timer.text == '"P14D"'


def test_a_decision_table_cell_edited_in_dmn_js_is_in_the_export(page: Page, shot: Screenshots) -> None:
    xml = (ROOT / "bpmn" / "wijziging_beoordeling.dmn").read_text(encoding="utf-8")
    page.evaluate(
        """async (xml) => {
            window.dmnChanges = 0;
            window.dmn = await StoEditors.openDmn({container: document.getElementById('dmn'), xml});
            dmn.onChange(() => { window.dmnChanges += 1; });
        }""",
        xml,
    )
    cell = page.locator('#dmn [data-element-id="r5_bedrag"] .content-editable')
    expect(cell).to_have_text("<= 5000")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("<= 7500")
    expect(cell).to_have_text("<= 7500")
    page.locator("#dmn").scroll_into_view_if_needed()
    shot(page, "decision-table-cell-edited")
    exported = ET.fromstring(page.evaluate("dmn.getXml()"))
    entry = exported.find(f".//{DMN}inputEntry[@id='r5_bedrag']/{DMN}text")
    assert entry is not None and entry.text == "<= 7500"
    assert page.evaluate("window.dmnChanges") >= 1


def test_the_json_editor_reports_what_is_typed(page: Page) -> None:
    page.evaluate(
        """() => {
            window.typed = [];
            window.code = StoEditors.openCode({container: document.getElementById('code'), value: '{"a": 1}',
                language: 'json', onChange: v => window.typed.push(v)});
        }"""
    )
    content = page.locator("#code .cm-content")
    content.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.type(', "b": 2')
    assert page.evaluate("code.getValue()") == '{"a": 1, "b": 2}'
    assert page.evaluate("window.typed.at(-1)") == '{"a": 1, "b": 2}'
    page.evaluate("""code.setValue('{"c": 3}')""")
    expect(content).to_have_text('{"c": 3}')
    assert page.evaluate("window.typed.length") == len(', "b": 2')  # setValue is not a person's edit


def test_lane_role_service_parameters_and_scripts_are_written_where_the_engine_reads_them(
    page: Page, shot: Screenshots
) -> None:
    _open_bpmn(page, "wijzigingsverzoek.bpmn")

    # A lane shows its role by name and stores the code.
    assert page.evaluate("editor.select('Lane_coordinator')")
    role = _panel_field(page, "sto-lane-role")
    expect(role).to_have_value("coordinator")
    expect(role.locator("option:checked")).to_have_text("Coördinator")
    role.select_option(label="Penvoerder")

    # A service task: another operation brings its declared parameters; the one it does not know stays, marked.
    assert page.evaluate("editor.select('voor_rapportage')")
    operation = _panel_field(page, "sto-operation")
    expect(operation).to_have_value("rapportage.opnemen")
    expect(_panel_field(page, "sto-parameters-titel")).to_have_value("titel")
    operation.select_option("regioplan.mutatie_vastleggen")
    year = _panel_field(page, "sto-parameters-jaar")
    year.click()
    year.press_sequentially("2027")
    expect(page.locator('[data-entry-id="sto-parameters-titel"]')).to_contain_text("kent deze parameter niet")
    shot(page, "service-task-parameters")
    # Straight after typing, a click on the next element: the year still lands on the service task, and the
    # panel follows the click (a late commit used to pull it back to the service task).
    page.mouse.click(*_centre(page, "einde_rapportage"))
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text(
        "Wijziging vastgelegd, in de voortgangsrapportage"
    )

    # A script before a task, typed into the code editor of a group that opens on a click; then, at once,
    # another element selected by the page.
    assert page.evaluate("editor.select('toetsen')")
    page.locator(".bio-properties-panel-group-header", has_text="Scripts vooraf en achteraf").click()
    pre = page.locator('[data-entry-id="sto-pre-script"] .cm-content')
    pre.click()
    page.keyboard.type("drempel = 5000")
    shot(page, "pre-script")
    # The script after it, in the large window.
    page.locator('[data-entry-id="sto-post-script"]').get_by_role("button", name="Groot venster").click()
    dialog = page.get_by_role("dialog", name="Script achteraf (Python)")
    expect(dialog).to_be_visible()
    page.keyboard.type("klaar = True")
    shot(page, "post-script-in-the-large-window")
    dialog.get_by_role("button", name="Sluiten").click()
    expect(dialog).to_have_count(0)
    expect(page.locator('[data-entry-id="sto-post-script"] .cm-content')).to_have_text("klaar = True")
    assert page.evaluate("editor.select('besluiten')")
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text("Besluiten over het wijzigingsverzoek")
    page.wait_for_timeout(500)  # longer than the panel's debounce: nothing late may pull the panel back
    expect(page.locator(".bio-properties-panel-header-label")).to_have_text("Besluiten over het wijzigingsverzoek")

    exported = _export(page)
    lane = exported.find(f".//{BPMN}lane[@id='Lane_coordinator']")
    assert lane is not None and lane.get("name") == "penvoerder"
    operator = exported.find(f".//*[@id='voor_rapportage']//{SPIFF}serviceTaskOperator")
    assert operator is not None and operator.get("id") == "regioplan.mutatie_vastleggen"
    assert operator.get("resultVariable") == "rapportage"
    parameters = {p.get("id"): (p.get("type"), p.get("value")) for p in operator.iter(f"{SPIFF}parameter")}
    assert parameters == {"titel": ("str", "titel"), "jaar": ("any", "2027")}
    script = exported.find(f".//*[@id='toetsen']/{BPMN}extensionElements/{SPIFF}preScript")
    assert script is not None and script.text == "drempel = 5000"
    script = exported.find(f".//*[@id='toetsen']/{BPMN}extensionElements/{SPIFF}postScript")
    assert script is not None and script.text == "klaar = True"


def test_start_roles_must_be_known_roles(page: Page) -> None:
    _open_bpmn(page, "nieuwe_partner.bpmn")
    assert page.evaluate("editor.select('start')")
    roles = _panel_field(page, "sto-start-roles")
    expect(roles).to_have_value("projectleider,coordinator")
    roles.fill("projectleider,directeur")
    expect(page.locator('[data-entry-id="sto-start-roles"] .bio-properties-panel-error')).to_contain_text(
        "Onbekende rol: directeur"
    )
