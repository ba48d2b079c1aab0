"""Someone of another region who gets hold of a demo link sees the Dutch 'Niet gevonden' page and nothing of
the demo region: not the title, not the region, not the people, not the file."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import open_task_id, start_request, submit_request_with_offerte
from tests.e2e.ui import INDIENEN, TOETSEN, main, sign_in
from tests.web.change_request import ZORGROBOTS

DEMO_TRACES = [  # none of these may appear anywhere in the page, its title or its markup
    "Zorgrobots",
    "3D-printer",
    "Demo-regio",
    "demo.sto",
    "Projectleider",
    INDIENEN,
    TOETSEN,
    "offerte-zorgrobots.pdf",
    "%PDF",
]


def _assert_not_found_without_demo_data(page: Page, path: str) -> str:
    response = page.goto(path)
    assert response is not None and response.status == 404, (path, response and response.status)
    expect(page.get_by_role("heading", level=1, name="Niet gevonden")).to_be_visible()
    expect(page).to_have_title("Niet gevonden · STO Flow")
    html = page.content()
    leaked = [trace for trace in DEMO_TRACES if trace.lower() in html.lower()]
    assert leaked == [], f"{path} shows demo data: {leaked}"
    return main(page).inner_text()


def test_noord_coordinator_gets_not_found_for_demo_links(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    runtime = live_server.runtime
    instance_id = start_request(runtime)
    first_task = open_task_id(runtime, instance_id)
    attachment_id = submit_request_with_offerte(
        runtime, instance_id, ZORGROBOTS, "offerte-zorgrobots.pdf", b"%PDF-1.4 offerte 3D-printer"
    )
    open_task = open_task_id(runtime, instance_id)  # the penvoerder's step

    page = open_browser("coordinator@noord.sto").page
    sign_in(page, "coordinator@noord.sto")
    expect(page.locator("header .roles")).to_have_text("Regio Noord: coördinator")
    expect(main(page)).to_contain_text("U heeft geen open taken.")
    shot(page, "noord-inbox")

    seen = {}
    for what, path in [
        ("open-task", f"/taken/{open_task}"),
        ("finished-task", f"/taken/{first_task}"),
        ("instance", f"/verzoeken/{instance_id}"),
        ("attachment", f"/bijlagen/{attachment_id}"),
        ("no-such-instance", f"/verzoeken/{instance_id + 1000}"),
    ]:
        seen[what] = _assert_not_found_without_demo_data(page, path)
        shot(page, what)

    # An existing demo instance looks exactly like one that does not exist: not even existence leaks.
    assert seen["instance"] == seen["no-such-instance"]
    assert seen["open-task"] == seen["finished-task"] == seen["instance"]

    # Nor can the noord coordinator act on the demo task from elsewhere (a POST with a real token of theirs).
    page.goto("/")
    token = page.locator('header input[name="csrf_token"]').first.get_attribute("value")
    for path in (f"/taken/{open_task}/oppakken", f"/taken/{open_task}"):
        response = page.context.request.post(path, form={"csrf_token": token or ""}, max_redirects=0)
        assert response.status == 404, (path, response.status)
        assert not [trace for trace in DEMO_TRACES if trace.lower() in response.text().lower()]
