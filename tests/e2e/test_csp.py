"""The Content-Security-Policy in a real browser: the main pages, the diagram viewer, the process editor (bpmn-js,
dmn-js, CodeMirror) and the partner page's file field all work under it, and chromium reports no violation."""

from __future__ import annotations

from playwright.sync_api import expect

from service.domain import demo
from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import open_task_id, start_request
from tests.e2e.ui import sign_in


def test_the_main_pages_run_under_the_policy_without_a_violation(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    case = start_request(live_server.runtime)
    task = open_task_id(live_server.runtime, case)
    leider = open_browser("projectleider@demo.sto")
    page = leider.page

    signin = page.goto("/aanmelden")
    assert signin is not None and "script-src 'self'" in signin.headers["content-security-policy"]
    sign_in(page, "projectleider@demo.sto")
    shot(page, "inbox")

    page.goto(f"/taken/{task}")
    expect(page.locator("main form").last).to_be_visible()

    page.goto(f"/verzoeken/{case}")  # bpmn-js draws the diagram: its script ran and its styles applied
    expect(page.locator("#diagram .djs-element.sto-current").first).to_be_visible()
    expect(page.locator("#diagram-now")).to_contain_text("Nu:")

    page.goto("/partners/demo")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    first = page.locator("main table a").first
    if first.count():
        first.click()
        expect(page.locator("h1")).to_be_visible()
    page.goto("/api/docs")
    expect(page.get_by_role("heading", level=1)).to_contain_text("API")
    shot(page, "api-docs")

    assert leider.csp_violations == [] and leider.js_errors == []


def test_the_process_editor_and_its_decision_tables_run_under_the_policy(
    open_browser: OpenBrowser, shot: Screenshots
) -> None:
    owner = open_browser(demo.DEMO_PROCESS_OWNER)
    page = owner.page
    sign_in(page, demo.DEMO_PROCESS_OWNER)

    editor = page.goto("/procesbeheer/wijzigingsverzoek/bewerken")
    # The one page allowed inline styles (CodeMirror adds <style> elements); scripts stay strict there too.
    assert editor is not None
    policy = editor.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "style-src 'self' 'unsafe-inline';" in policy
    expect(page.locator(".djs-element").first).to_be_visible()
    page.get_by_role("tab", name="Beslistabellen").click()
    expect(page.locator('#dmn-editor [data-element-id="r5_bedrag"]')).to_be_visible()
    page.get_by_role("tab", name="Formulieren").click()
    expect(page.locator("#form-schema .cm-content")).to_be_visible()
    shot(page, "editor-forms")

    assert owner.csp_violations == [] and owner.js_errors == []
    page.goto("/procesbeheer")  # the process list itself keeps the strict policy
    assert owner.csp_violations == []
