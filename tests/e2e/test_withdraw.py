"""Withdrawing a request in the browser: the reason is asked for, an empty one is refused in Dutch, and afterwards
the request reads 'ingetrokken' with no open tasks and the reason in its Logboek."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import start_request
from tests.e2e.ui import labelled, main, sign_in

REASON = "De school kiest toch voor een andere aanpak."


def test_the_projectleider_withdraws_a_request_with_a_reason(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    case = start_request(live_server.runtime)
    page = open_browser("projectleider@demo.sto").page
    sign_in(page, "projectleider@demo.sto")
    page.goto(f"/verzoeken/{case}")
    page.get_by_text("Verzoek intrekken", exact=True).first.click()  # the <summary> opens the form
    page.get_by_role("button", name="Verzoek intrekken").click()
    expect(page.locator("#veld-reason .error")).to_have_text("Schrijf waarom het verzoek wordt ingetrokken.")
    shot(page, "reason-missing")
    labelled(page, "Reden").fill(REASON)
    shot(page, "reason-given")
    page.get_by_role("button", name="Verzoek intrekken").click()
    expect(page.get_by_role("status")).to_contain_text("Het verzoek is ingetrokken.")
    expect(page.locator("[data-status]")).to_have_text("ingetrokken")
    expect(main(page)).to_contain_text("Ingetrokken: 30 november 2026 10:00")  # not "Afgerond"
    expect(main(page)).to_contain_text("Geen open taken.")
    expect(page.locator("table.audit")).to_contain_text(f"Verzoek ingetrokken: {REASON}")
    expect(page.get_by_role("button", name="Verzoek intrekken")).to_have_count(0)
    shot(page, "withdrawn")
