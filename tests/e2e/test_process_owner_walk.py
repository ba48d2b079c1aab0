"""A process owner changes the change request in the browser: the stuurgroep threshold in its decision table and
the lane of a task, tries the draft with sample data and sees the path on the diagram, and deploys it. A request
started before finishes on the old version; a new one follows the new rule. A second walk edits a form and sees
the preview change (and its Dutch messages) before deploying."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from service.domain import demo
from service.domain.definitions import find_current_definition
from service.models import HumanTask, ProcessInstance
from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import complete_open_task, start_request
from tests.e2e.ui import sign_in
from tests.web.change_request import ADVICE_POSITIVE, SMALL_IN_PLAN

TOETSEN = "Subsidieregels en begroting toetsen"
BESLUITEN = "Besluiten over het wijzigingsverzoek"
VASTLEGGEN = "Vastleggen in regioplan en begroting"


def _centre(page: Page, element_id: str) -> tuple[float, float]:
    box = page.locator(f'#bpmn-canvas [data-element-id="{element_id}"] .djs-hit').first.bounding_box()
    assert box, f"{element_id} is not drawn"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _bring_into_view(page: Page, element_id: str) -> None:
    """Scroll the diagram with the mouse wheel, as a person would, until the element is well inside the canvas."""
    canvas = page.locator("#bpmn-canvas").bounding_box()
    assert canvas
    page.mouse.move(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
    for _ in range(40):
        x, y = _centre(page, element_id)
        dx = x - (canvas["x"] + canvas["width"] / 2) if not 150 < x - canvas["x"] < canvas["width"] - 150 else 0
        dy = y - (canvas["y"] + canvas["height"] / 2) if not 80 < y - canvas["y"] < canvas["height"] - 80 else 0
        if not dx and not dy:
            return
        page.mouse.wheel(max(-200, min(200, dx)), max(-200, min(200, dy)))
        page.wait_for_timeout(50)
    raise AssertionError(f"{element_id} did not scroll into view")


def _open_tasks(live_server: LiveServer, instance_id: int) -> list[tuple[str, str | None]]:
    with live_server.runtime.transaction(write=False) as session:
        rows = session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.status == "open")
        )
        return [(t.name, t.role) for t in rows]


def _version_of(live_server: LiveServer, instance_id: int) -> int:
    with live_server.runtime.transaction(write=False) as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None
        return instance.definition.version


def _edit_cell(page: Page, entry_id: str, text: str) -> None:
    cell = page.locator(f'#dmn-editor [data-element-id="{entry_id}"] .content-editable')
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    expect(cell).to_have_text(text)


def _fill_trial_form(page: Page, values: dict[str, Any]) -> None:
    """Fill the trial's form by what is on screen: text by label, a choice (True/False or an option's text) in
    the group of radio buttons with that legend."""
    form = page.locator("#trial-form")
    for label, value in values.items():
        if isinstance(value, tuple):
            choice = {True: "Ja", False: "Nee"}.get(value[0], value[0])
            group = form.get_by_role("group", name=re.compile(rf"^{re.escape(label)}( \*)?$"))
            group.get_by_label(choice, exact=True).check()
        else:
            form.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$")).fill(str(value))


def test_a_process_owner_changes_the_threshold_and_a_lane_tries_the_draft_and_deploys_it(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    runtime = live_server.runtime
    before = start_request(runtime)  # on the version in use now: threshold EUR 5,000, the penvoerder checks
    old_version = _version_of(live_server, before)

    owner = open_browser(demo.DEMO_PROCESS_OWNER)
    page = owner.page
    sign_in(page, demo.DEMO_PROCESS_OWNER)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Procesbeheer").click()
    expect(page.get_by_role("heading", level=1, name="Procesbeheer")).to_be_visible()
    shot(page, "process-list")
    page.get_by_role("link", name="Wijzigingsverzoek", exact=True).click()
    page.get_by_role("link", name="Bewerken: Alle regio's (gedeeld)").click()
    expect(page.locator("#bpmn-canvas .djs-element").first).to_be_attached()
    expect(page.locator("#draft-status")).to_contain_text(f"versie {old_version}")
    shot(page, "editor-opened")

    # The decision table: the threshold from 5000 to 1000 euro.
    page.get_by_role("tab", name="Beslistabellen").click()
    expect(page.locator('#dmn-editor [data-element-id="r5_bedrag"]')).to_be_visible()
    _edit_cell(page, "r5_bedrag", "<= 1000")
    _edit_cell(page, "r6_bedrag", "> 1000")
    shot(page, "threshold-changed")

    # The check of subsidy rules moves from the penvoerder's lane to the coordinator's, dragged with the mouse.
    page.get_by_role("tab", name="Diagram").click()
    _bring_into_view(page, "toetsen")
    canvas = page.locator("#bpmn-canvas").bounding_box()
    assert canvas
    page.mouse.wheel(0, 250)  # the coordinator's lane is the lowest: scroll until it shows below the task
    page.wait_for_timeout(100)
    x, y = _centre(page, "toetsen")
    lane = page.locator('#bpmn-canvas [data-element-id="Lane_coordinator"] .djs-hit').first.bounding_box()
    assert lane and lane["y"] + 60 < canvas["y"] + canvas["height"], "the coordinator's lane is not in view"
    target_y = min(lane["y"] + lane["height"] / 2, canvas["y"] + canvas["height"] - 50)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 20, steps=4)
    page.mouse.move(x, target_y, steps=12)
    page.mouse.up()
    expect(page.locator("#draft-status")).to_have_text("Er zijn wijzigingen die nog niet zijn opgeslagen.")
    shot(page, "task-moved-to-the-coordinator")
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.locator("#draft-status")).to_contain_text("Concept opgeslagen om")

    # Try it: a request of EUR 1,200 within the plan now needs the stuurgroep.
    page.get_by_role("tab", name="Proberen").click()
    page.get_by_role("button", name="Start proefrit").click()
    expect(page.locator("#trial-state")).to_contain_text("Wacht op: Wijzigingsverzoek indienen")
    _fill_trial_form(
        page,
        {
            "Titel": "Extra materiaal open lessen",
            "Soort wijziging": ("Budgetverschuiving",),
            "Omschrijving": SMALL_IN_PLAN["omschrijving"],
            "Staat de activiteit al in het regioplan?": (True,),
            "Bedrag (euro)": "1.200",
            "Doelstelling": "Meer leerlingen kiezen voor techniek",
            "Past de wijziging bij de doelstellingen en programmalijnen van de regio?": (True,),
        },
    )
    shot(page, "trial-first-form")
    page.get_by_role("button", name="Indienen in de proefrit").click()
    expect(page.locator("#trial-state")).to_contain_text(f"Wacht op: {TOETSEN} (coördinator)")
    _fill_trial_form(
        page,
        {
            "Zijn de kosten subsidiabel volgens de regeling?": (True,),
            "Is er ruimte in de begrotingspost waar het geld vandaan komt?": (True,),
            "Toelichting op het advies": "Past binnen de regeling.",
        },
    )
    page.locator("#trial-form").get_by_label(re.compile(r"^Advies( \*)?$")).select_option("positief")
    page.get_by_role("button", name="Indienen in de proefrit").click()
    expect(page.locator("#trial-state")).to_contain_text(f"Wacht op: {BESLUITEN} (stuurgroep)")
    path = page.locator("#bpmn-canvas .djs-element.sto-path")
    expect(page.locator('#bpmn-canvas [data-element-id="route_bepalen"].sto-path').first).to_be_attached()
    expect(page.locator('#bpmn-canvas [data-element-id="f_wie_stuurgroep"].sto-path').first).to_be_attached()
    expect(page.locator('#bpmn-canvas [data-element-id="advies_is_besluit"].sto-path')).to_have_count(0)
    assert path.count() >= 8
    shot(page, "trial-path-on-the-diagram")

    # Deploy.
    page.get_by_role("tab", name="In gebruik nemen").click()
    page.get_by_label("Wat verandert er? (voor de versiegeschiedenis)").fill(
        "Drempel stuurgroep 1000 euro; de coördinator toetst"
    )
    page.get_by_role("button", name="Concept in gebruik nemen").click()
    expect(page.get_by_role("status").first).to_contain_text(f"versie {old_version + 1} is in gebruik genomen")
    expect(page.locator(f'tr[data-version="{old_version + 1}"]')).to_contain_text("Drempel stuurgroep 1000 euro")
    shot(page, "deployed")
    page.get_by_role("link", name=f"versie {old_version + 1}", exact=True).click()
    expect(page.locator("table.diff")).to_contain_text("als Bedrag (euro): <= 5000 → <= 1000")
    expect(page.locator("table.diff")).to_contain_text("rol: penvoerder → coordinator")
    shot(page, "version-diff")

    # The request started before keeps its version: the penvoerder checks, and EUR 1,200 stays under 5,000.
    after = start_request(runtime)
    assert _version_of(live_server, before) == old_version
    assert _version_of(live_server, after) == old_version + 1
    for instance_id in (before, after):
        complete_open_task(runtime, instance_id, "projectleider@demo.sto", SMALL_IN_PLAN)
    assert _open_tasks(live_server, before) == [(TOETSEN, "penvoerder")]
    assert _open_tasks(live_server, after) == [(TOETSEN, "coordinator")]
    complete_open_task(runtime, before, "penvoerder@demo.sto", ADVICE_POSITIVE)
    complete_open_task(runtime, after, "coordinator@demo.sto", ADVICE_POSITIVE)
    assert _open_tasks(live_server, before) == [(VASTLEGGEN, "projectleider")]
    assert _open_tasks(live_server, after) == [(BESLUITEN, "stuurgroep")]
    assert owner.js_errors == []


FORM = "wijzigingsverzoek_besluiten.schema.json"


def test_a_process_owner_edits_a_form_and_sees_the_preview_change_before_deploying(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    owner = open_browser(demo.DEMO_PROCESS_OWNER)
    page = owner.page
    sign_in(page, demo.DEMO_PROCESS_OWNER)
    page.goto("/procesbeheer/wijzigingsverzoek/bewerken")
    page.get_by_role("tab", name="Formulieren").click()
    page.get_by_label("Formulier", exact=True).select_option(FORM)
    preview = page.locator("#form-preview")
    expect(preview.get_by_label(re.compile(r"^Kenmerk van de notulen( \*)?$"))).to_be_visible()
    shot(page, "form-opened")

    # Not JSON: the preview says so in Dutch and keeps what it showed.
    editor = page.locator("#form-schema .cm-content")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("{")
    expect(page.locator("#form-preview-problem")).to_contain_text("Geen geldige JSON")
    page.keyboard.press("Backspace")
    expect(page.locator("#form-preview-problem")).to_be_hidden()

    # A label renamed and a new required yes/no question: the preview draws them as staff will see them.
    with live_server.runtime.transaction(write=False) as session:
        current = find_current_definition(session, "wijzigingsverzoek")
        assert current is not None
        schema = current.files[FORM]
    changed = (
        schema.replace('"Kenmerk van de notulen"', '"Kenmerk van het verslag"')
        .replace(
            '"required": ["besluit", "vergaderdatum", "notulen_kenmerk"],',
            '"required": ["besluit", "vergaderdatum", "notulen_kenmerk", "quorum"],',
        )
        .replace(
            '"properties": {',
            '"properties": {\n    "quorum": {"type": "boolean", "title": "Was de stuurgroep voltallig?"},',
        )
    )
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(changed)
    expect(preview.get_by_label(re.compile(r"^Kenmerk van het verslag( \*)?$"))).to_be_visible()
    expect(preview.locator("#veld-quorum")).to_contain_text("Was de stuurgroep voltallig?")
    expect(preview.locator("#veld-quorum").get_by_label("Ja", exact=True)).to_be_visible()
    expect(preview.get_by_text("Kenmerk van de notulen")).to_have_count(0)
    shot(page, "form-preview-changed")

    # Submitting the preview empty gives the task page's own Dutch messages.
    page.get_by_role("button", name="Invoer controleren zoals bij indienen").click()
    expect(preview.locator(".flash.error")).to_contain_text("Niet alle velden zijn goed ingevuld.")
    expect(preview.locator("#veld-quorum")).to_contain_text("Dit veld is verplicht.")
    shot(page, "form-preview-messages")

    page.get_by_role("tab", name="In gebruik nemen").click()
    page.get_by_role("button", name="Concept in gebruik nemen").click()
    expect(page.get_by_role("status").first).to_contain_text("is in gebruik genomen")
    with live_server.runtime.transaction(write=False) as session:
        newest = find_current_definition(session, "wijzigingsverzoek")
        assert newest is not None and newest.version == current.version + 1
        assert "Kenmerk van het verslag" in newest.files[FORM] and '"quorum"' in newest.files[FORM]
    assert owner.js_errors == []
