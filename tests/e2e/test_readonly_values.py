"""Earlier steps are shown read-only the way the person filled them in: names, not codes; euros, not floats."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import complete_open_task, open_task_id, start_request
from tests.e2e.ui import INDIENEN, TOETSEN, VASTLEGGEN, earlier_step, logbook_rows, read_rows, sign_in
from tests.web.change_request import ADVICE_POSITIVE, APPROVED, RECORD_ZORGROBOTS, ZORGROBOTS


def test_programme_line_of_the_request_reads_as_its_name(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    case = start_request(live_server.runtime)
    complete_open_task(live_server.runtime, case, "projectleider@demo.sto", ZORGROBOTS)
    page = open_browser("penvoerder@demo.sto").page
    sign_in(page, "penvoerder@demo.sto")
    page.goto(f"/taken/{open_task_id(live_server.runtime, case)}")
    expect(page.get_by_role("heading", level=1, name=TOETSEN)).to_be_visible()
    shot(page, "penvoerder-task")
    assert read_rows(earlier_step(page, INDIENEN))["Programmalijn"] == "Samenwerking met het bedrijfsleven"


def test_recorded_amount_reads_as_euros(open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots) -> None:
    runtime = live_server.runtime
    case = start_request(runtime)
    for email, data in [
        ("projectleider@demo.sto", ZORGROBOTS),
        ("penvoerder@demo.sto", ADVICE_POSITIVE),
        ("stuurgroep@demo.sto", APPROVED),
        ("projectleider@demo.sto", RECORD_ZORGROBOTS),
    ]:
        complete_open_task(runtime, case, email, data)
    page = open_browser("coordinator@demo.sto").page
    sign_in(page, "coordinator@demo.sto")
    page.goto(f"/verzoeken/{case}")
    expect(page.locator("[data-status]")).to_have_text("goedgekeurd")
    shot(page, "instance")
    recorded = read_rows(logbook_rows(page, "projectleider@demo.sto", f"Taak afgerond: {VASTLEGGEN}"))
    assert recorded["Bedrag dat verschuift (euro)"] == "€ 7.500,00"
