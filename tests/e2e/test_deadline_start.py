"""The deadline calendar in the browser: a deadline whose date has passed is started only through a page that
asks to confirm it; without ticking the box nothing starts."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import OpenBrowser, Screenshots
from tests.e2e.ui import sign_in

ANNUAL_2025 = "Jaarverslag 2025 (verantwoording model G2)"  # due 30 June 2026, before the test clock's day


def test_a_passed_deadline_is_started_only_after_ticking_the_confirmation(
    open_browser: OpenBrowser, shot: Screenshots
) -> None:
    user = open_browser("penvoerder@demo.sto")
    page = user.page
    sign_in(page, "penvoerder@demo.sto")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Termijnen").click()
    row = page.get_by_role("row").filter(has_text=ANNUAL_2025)
    expect(row).to_contain_text("datum verstreken")
    expect(row.get_by_role("button", name=re.compile("starten", re.I))).to_have_count(0)
    shot(page, "calendar")

    row.get_by_role("link", name=f"Rapportage toch starten: {ANNUAL_2025}").click()
    expect(page.get_by_role("heading", level=1, name="Rapportage starten")).to_be_visible()
    expect(page.get_by_text("De datum van deze termijn is voorbij.")).to_be_visible()
    page.get_by_role("button", name="Rapportage starten").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Vink aan dat de datum is verstreken en dat u de rapportage toch wilt starten."
    )
    shot(page, "refused-without-the-tick")

    page.get_by_label("De datum is verstreken; toch starten").check()
    page.get_by_role("button", name="Rapportage starten").click()
    expect(page).to_have_url(re.compile(r"/verzoeken/\d+$"))
    expect(page.get_by_text("De rapportage is gestart.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(ANNUAL_2025)
    shot(page, "report-started")
    assert user.js_errors == []
