"""Finding a request again: the projectleider who submitted it and the penvoerder who gave advice open 'Verzoeken'
from the menu, search a word of its title and land on the request."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.seed import complete_open_task, start_request
from tests.e2e.ui import BESLUITEN, main, sign_in
from tests.web.change_request import ADVICE_POSITIVE, SMALL_IN_PLAN, ZORGROBOTS


def _find(page: Page, word: str) -> None:
    """Open 'Verzoeken' in the menu, search for `word` and wait for the filtered list."""
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Verzoeken", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Mijn verzoeken")).to_be_visible()
    page.get_by_label("Zoeken in titel en omschrijving").fill(word)
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_label("Zoeken in titel en omschrijving")).to_have_value(word)


def test_projectleider_and_penvoerder_find_their_request_by_a_word_of_its_title(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    runtime = live_server.runtime
    zorg = start_request(runtime)
    complete_open_task(runtime, zorg, "projectleider@demo.sto", ZORGROBOTS)
    complete_open_task(runtime, zorg, "penvoerder@demo.sto", ADVICE_POSITIVE)
    other = start_request(runtime)
    complete_open_task(runtime, other, "projectleider@demo.sto", SMALL_IN_PLAN)

    projectleider = open_browser("projectleider@demo.sto").page
    sign_in(projectleider, "projectleider@demo.sto")
    projectleider.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Verzoeken").click()
    rows = main(projectleider).locator("table.requests tbody tr")
    expect(rows).to_have_count(2)  # both of theirs, before searching
    shot(projectleider, "projectleider-mijn-verzoeken")

    _find(projectleider, "zorgrobots")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.get_by_role("link", name=ZORGROBOTS["titel"])).to_be_visible()
    expect(row.get_by_role("cell", name="lopend", exact=True)).to_be_visible()
    expect(row).to_contain_text(BESLUITEN)
    expect(row).to_contain_text("rol stuurgroep")
    expect(row).to_contain_text("€ 7.500,00")
    expect(main(projectleider).get_by_role("status")).to_contain_text("1 verzoek")
    shot(projectleider, "projectleider-gezocht")
    row.get_by_role("link", name=ZORGROBOTS["titel"]).click()
    expect(projectleider).to_have_url(f"{live_server.url}/verzoeken/{zorg}")
    expect(projectleider.get_by_role("heading", level=1)).to_contain_text(ZORGROBOTS["titel"])

    penvoerder = open_browser("penvoerder@demo.sto").page
    sign_in(penvoerder, "penvoerder@demo.sto")
    _find(penvoerder, "Zorgrobots")
    rows = main(penvoerder).locator("table.requests tbody tr")
    expect(rows).to_have_count(1)
    shot(penvoerder, "penvoerder-gezocht")
    # The other request waits for the penvoerder's advice, but they took no step in it yet: only under 'Alle'.
    main(penvoerder).get_by_role("link", name="Alle verzoeken").click()
    expect(penvoerder.get_by_role("heading", level=1, name="Alle verzoeken")).to_be_visible()
    expect(rows).to_have_count(2)
    shot(penvoerder, "penvoerder-alle-verzoeken")
    _find(penvoerder, "Zorgrobots")
    main(penvoerder).get_by_role("link", name=ZORGROBOTS["titel"]).click()
    expect(penvoerder).to_have_url(f"{live_server.url}/verzoeken/{zorg}")
    shot(penvoerder, "penvoerder-verzoek")

    nothing = open_browser("noord").page
    sign_in(nothing, "projectleider@noord.sto")
    nothing.goto("/verzoeken/alle?zoek=zorgrobots")
    expect(main(nothing).locator("table.requests")).to_have_count(0)
    expect(main(nothing)).to_contain_text("Geen verzoeken gevonden met deze filters.")
    shot(nothing, "noord-niets-gevonden")
