"""An administrator anonymises a person who left, in the browser: the person's page, the confirmation step that
says what will happen, and the person's page afterwards under the placeholder name."""

from __future__ import annotations

from playwright.sync_api import expect

from service.domain import demo
from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.ui import sign_in
from tests.web.test_people_pages import user_row


def test_an_administrator_confirms_and_anonymises_a_person_who_left(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    leaver = user_row(live_server.runtime, "penvoerder@noord.sto")
    admin = open_browser(demo.DEMO_ADMIN)
    page = admin.page
    sign_in(page, demo.DEMO_ADMIN)

    page.goto(f"/beheer/gebruikers/{leaver.id}")
    page.get_by_role("link", name="Anonimiseren (iemand die vertrokken is)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{leaver.name} anonimiseren?")
    expect(page.locator("main")).to_contain_text(f"Oud-medewerker {leaver.id}")
    expect(page.locator("main")).to_contain_text(f"anoniem-{leaver.id}@invalid")
    shot(page, "confirmation")

    page.get_by_role("button", name=f"Ja, {leaver.name} anonimiseren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Oud-medewerker {leaver.id}")
    expect(page.locator("main")).to_contain_text("De gebruiker is geanonimiseerd.")
    expect(page.locator("main")).not_to_contain_text("penvoerder@noord.sto")
    shot(page, "anonymised")
    assert admin.csp_violations == [] and admin.js_errors == []
