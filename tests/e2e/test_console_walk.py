"""The operators' console in the browser: the administrator finds the request with a failed step through the
menu and the filter, is refused a skip without a reason (in Dutch), skips the step with one and sees the request
wait at the next task, then pauses it; each action is in the Logboek."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from playwright.sync_api import expect

from service.jobs.timers import fire_timers
from service.runtime import utc_now
from tests.domain.console_flow import open_incidents, start
from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import complete_open_task
from tests.e2e.ui import labelled, main, sign_in


def _failed_request(live_server: LiveServer) -> int:
    """A request whose script failed after its timer: started two hours ago (SpiffWorkflow reads the wall
    clock), so its timer is due now and the timer job records the incident."""
    rt = live_server.runtime
    with time_machine.travel(utc_now() - timedelta(hours=2), tick=False):
        instance_id = start(rt, deler=0)
        complete_open_task(rt, instance_id, "projectleider@demo.sto", {})
    fire_timers(rt, utc_now())
    assert len(open_incidents(rt, instance_id)) == 1
    return instance_id


def test_the_administrator_skips_a_failed_step_and_pauses_the_request(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    failing = _failed_request(live_server)
    healthy = start(live_server.runtime, deler=2)
    page = open_browser("beheerder@demo.sto").page
    sign_in(page, "beheerder@demo.sto")
    page.get_by_role("link", name="Verzoeken beheren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verzoeken beheren")
    page.get_by_label("Alleen met een open storing").check()
    page.get_by_role("button", name="Filteren").click()
    expect(page.locator(f'tr[data-instance-id="{failing}"]')).to_be_visible()
    expect(page.locator(f'tr[data-instance-id="{healthy}"]')).to_have_count(0)
    shot(page, "with-an-incident")

    page.locator(f'tr[data-instance-id="{failing}"] a').click()
    expect(main(page)).to_contain_text("een stap in het procesmodel gaf een fout")
    page.get_by_role("button", name="Stap overslaan").click()
    expect(page.locator("[data-problem]")).to_have_text("Geef een reden.")
    expect(page.locator("#fout-reden-overslaan")).to_have_text("Schrijf waarom deze stap wordt overgeslagen.")
    labelled(page, "Reden om de stap over te slaan").fill("De deler komt later van de penvoerder.")
    page.get_by_role("button", name="Stap overslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("De mislukte stap is overgeslagen")
    expect(main(page)).to_contain_text("Geen open storingen.")
    expect(page.locator("ul.waiting-tasks")).to_contain_text("Uitkomst controleren")
    expect(page.locator("table.audit")).to_contain_text(
        "Stap overgeslagen door de beheerder: Rekenen (De deler komt later van de penvoerder.)"
    )

    labelled(page, "Reden om te pauzeren").fill("Wacht op de accountant.")
    page.get_by_role("button", name="Pauzeren").click()
    expect(page.locator("[data-status]")).to_have_text("gepauzeerd")
    expect(page.get_by_role("button", name="Hervatten")).to_be_visible()
    expect(page.locator("table.audit")).to_contain_text("Gepauzeerd door de beheerder: Wacht op de accountant.")
    shot(page, "skipped-and-paused")
