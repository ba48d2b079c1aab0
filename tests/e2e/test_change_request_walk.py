"""Seed case 1 in the browser: four people, each in their own browser, walk a change request for a new activity
from 'Nieuw verzoek' to the finished instance page, and each sees what the step before them submitted."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, expect

from tests.conftest import FakeClock
from tests.e2e.conftest import OpenBrowser, Screenshots, User
from tests.e2e.ui import (
    BESLUITEN,
    INDIENEN,
    LONG_OMSCHRIJVING,
    TOETSEN,
    VASTLEGGEN,
    ZORGROBOTS_FORM,
    earlier_step,
    fill_change_request,
    group,
    inbox_row,
    instance_id,
    labelled,
    logbook_rows,
    main,
    read_rows,
    sign_in,
    start_change_request,
    submit_task,
)

# What the next people read of each step. 'Programmalijn' and the recorded amount are left out here: they show
# a code and a bare float (app bugs, see test_readonly_values.py).
REQUEST_SHOWN = {
    "Titel": "Zorgrobots in de praktijk",
    "Omschrijving": LONG_OMSCHRIJVING,
    "Soort wijziging": "Nieuwe activiteit",
    "Gaat de wijziging ook over": "Budgetverschuiving",
    "Staat de activiteit al in het regioplan?": "Nee",
    "Bedrag (euro)": "€ 7.500,00",
    "Doelstelling": "Techniek zichtbaar maken in andere domeinen",
    "Past de wijziging bij de doelstellingen en programmalijnen van de regio?": "Ja",
}
ADVICE_SHOWN = {
    "Zijn de kosten subsidiabel volgens de regeling?": "Ja",
    "Is er ruimte in de begrotingspost waar het geld vandaan komt?": "Ja",
    "Advies": "Positief",
    "Toelichting op het advies": "Subsidiabel; er is ruimte op de techniekmiddagen in 2026.",
}
DECISION_SHOWN = {
    "Besluit": "Goedgekeurd",
    "Datum van de stuurgroepvergadering": "10 december 2026",
    "Kenmerk van de notulen": "SG-2026-12-10",
}
RECORD_SHOWN = {
    "Activiteit": "Zorgrobots in de praktijk",
    "Budget komt van activiteit": "Techniekmiddagen basisonderwijs",
    "Begrotingsjaar": "2026",
}


# What gives internals away in text people read: snake_case names, braces, Python's True/False/None.
INTERNALS = re.compile(r"\b[a-z]+_[a-z_]+\b|[{}]|\bTrue\b|\bFalse\b|\bNone\b")


def _assert_read_only(section: Locator) -> None:
    expect(section.locator("input, textarea, select")).to_have_count(0)


def test_four_people_walk_a_new_activity_to_the_end(
    open_browser: OpenBrowser, shot: Screenshots, clock: FakeClock
) -> None:
    # --- projectleider: sign in, start a change request for Demo-regio, land on the form -----------------------
    projectleider: User = open_browser("projectleider@demo.sto")
    page = projectleider.page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/aanmelden\?next=/$"))  # not signed in yet: off to sign in
    expect(page.get_by_role("heading", level=1, name="Aanmelden bij STO Flow")).to_be_visible()
    shot(page, "projectleider-sign-in")
    sign_in(page, "projectleider@demo.sto")
    expect(main(page)).to_contain_text("U heeft geen open taken.")
    shot(page, "projectleider-inbox-empty")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Nieuw verzoek").click()
    shot(page, "projectleider-nieuw-verzoek")
    start_change_request(page)
    expect(page.get_by_role("status")).to_have_text("Het verzoek is gestart.")
    expect(page.locator("main p.muted").first).to_contain_text("Demo-regio")
    expect(page.get_by_role("button", name="Afronden")).to_be_visible()
    shot(page, "projectleider-task-form")

    # First attempt: titel too short and no soort chosen. The errors sit next to their fields, the input stays.
    first_try = {k: v for k, v in ZORGROBOTS_FORM.items() if k != "soort"} | {"titel": "Zo"}
    fill_change_request(page, first_try)
    assert submit_task(page).status == 422
    expect(page.get_by_role("heading", level=1, name=INDIENEN)).to_be_visible()
    expect(page.locator("main .flash.error")).to_contain_text("Niet alle velden zijn goed ingevuld.")
    expect(page.locator("#veld-titel .error")).to_have_text("Gebruik minstens 3 tekens.")
    expect(page.locator("#veld-soort .error")).to_have_text("Dit veld is verplicht.")
    expect(labelled(page, "Titel")).to_have_attribute("aria-invalid", "true")
    expect(labelled(page, "Titel")).to_have_accessible_description(re.compile(r"^Gebruik minstens 3 tekens\."))
    expect(page.locator("main .field.invalid")).to_have_count(2)  # only those two
    expect(labelled(page, "Titel")).to_have_value("Zo")
    expect(group(page, "Soort wijziging").get_by_role("radio", checked=True)).to_have_count(0)
    expect(labelled(page, "Omschrijving")).to_have_value(LONG_OMSCHRIJVING)
    expect(labelled(page, "Bedrag (euro)")).to_have_value("7.500")
    expect(labelled(page, "Programmalijn")).to_have_value("samenwerking_bedrijfsleven")
    expect(group(page, "Staat de activiteit al in het regioplan?").get_by_label("Nee")).to_be_checked()
    expect(labelled(page, "Doelstelling")).to_have_value("Techniek zichtbaar maken in andere domeinen")
    shot(page, "projectleider-form-errors")

    fill_change_request(page, ZORGROBOTS_FORM)
    shot(page, "projectleider-form-filled")
    submit_task(page)
    expect(page.get_by_role("heading", level=1, name="Zorgrobots in de praktijk")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Taak afgerond. Dank u wel.")
    case = instance_id(page)
    expect(main(page)).to_contain_text(TOETSEN)
    current = page.locator('#diagram [data-element-id="toetsen"]')  # the penvoerder's step is marked as current
    expect(current).to_have_class(re.compile(r"\bsto-current\b"))
    shot(page, "projectleider-instance-after-submit")

    # --- penvoerder, two days later: the task in 'Mijn taken', the request read-only, positive advice ---------
    clock.advance(days=2)
    penvoerder: User = open_browser("penvoerder@demo.sto")
    page = penvoerder.page
    sign_in(page, "penvoerder@demo.sto")
    row = inbox_row(page, TOETSEN)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Zorgrobots in de praktijk")
    expect(row).to_contain_text("Demo-regio")
    expect(row).to_contain_text("penvoerder")
    shot(page, "penvoerder-inbox")
    row.get_by_role("link", name=TOETSEN).click()
    expect(page.get_by_role("heading", level=1, name=TOETSEN)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Eerdere stappen")).to_be_visible()
    request_step = earlier_step(page, INDIENEN)
    expect(request_step).to_contain_text("projectleider@demo.sto")
    assert read_rows(request_step).items() >= REQUEST_SHOWN.items()
    _assert_read_only(request_step)
    shot(page, "penvoerder-task")

    group(page, "Zijn de kosten subsidiabel volgens de regeling?").get_by_label("Ja").check()
    group(page, "Is er ruimte in de begrotingspost waar het geld vandaan komt?").get_by_label("Ja").check()
    labelled(page, "Begrotingspost waar het geld vandaan komt").select_option(label="Techniekmiddagen basisonderwijs")
    labelled(page, "Advies").select_option(label="Positief")
    labelled(page, "Toelichting op het advies").fill(ADVICE_SHOWN["Toelichting op het advies"])
    shot(page, "penvoerder-advice-filled")
    submit_task(page)
    expect(page.get_by_role("status")).to_have_text("Taak afgerond. Dank u wel.")
    expect(main(page)).to_contain_text(BESLUITEN)
    shot(page, "penvoerder-instance-after-advice")

    # --- stuurgroep: the decision in the inbox with its due date (21 days), request and advice read-only --------
    clock.advance(days=8)
    stuurgroep: User = open_browser("stuurgroep@demo.sto")
    page = stuurgroep.page
    sign_in(page, "stuurgroep@demo.sto")
    row = inbox_row(page, BESLUITEN)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Zorgrobots in de praktijk")
    expect(row).to_contain_text("23 december 2026")  # advice on 2 December + P21D
    expect(row).not_to_contain_text("te laat")
    shot(page, "stuurgroep-inbox")
    row.get_by_role("link", name=BESLUITEN).click()
    expect(page.get_by_role("heading", level=1, name=BESLUITEN)).to_be_visible()
    expect(main(page)).to_contain_text("Uiterlijk: 23 december 2026")
    assert read_rows(earlier_step(page, INDIENEN)).items() >= REQUEST_SHOWN.items()
    advice = earlier_step(page, TOETSEN)
    expect(advice).to_contain_text("penvoerder@demo.sto")
    assert read_rows(advice).items() >= ADVICE_SHOWN.items()
    _assert_read_only(page.locator("section.readonly"))
    shot(page, "stuurgroep-task")

    labelled(page, "Besluit").select_option(label="Goedgekeurd")
    labelled(page, "Datum van de stuurgroepvergadering").fill("10-12-2026")  # the Dutch way, as the help text asks
    labelled(page, "Kenmerk van de notulen").fill("SG-2026-12-10")
    shot(page, "stuurgroep-decision-filled")
    submit_task(page)
    expect(page.get_by_role("status")).to_have_text("Taak afgerond. Dank u wel.")
    expect(main(page)).to_contain_text(VASTLEGGEN)
    shot(page, "stuurgroep-instance-after-decision")

    # --- projectleider again: records the approved change in the regioplan --------------------------------------
    clock.advance(days=1)
    page = projectleider.page
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn taken").click()
    row = inbox_row(page, VASTLEGGEN)
    expect(row).to_have_count(1)
    shot(page, "projectleider-inbox-record")
    row.get_by_role("link", name=VASTLEGGEN).click()
    expect(page.get_by_role("heading", level=1, name=VASTLEGGEN)).to_be_visible()
    assert read_rows(earlier_step(page, BESLUITEN)).items() >= DECISION_SHOWN.items()
    labelled(page, "Activiteit").fill("Zorgrobots in de praktijk")
    labelled(page, "Programmalijn").select_option(label="Samenwerking met het bedrijfsleven")
    labelled(page, "Budget komt van activiteit").select_option(label="Techniekmiddagen basisonderwijs")
    labelled(page, "Begrotingsjaar").fill("2026")
    labelled(page, "Bedrag dat verschuift (euro)").fill("7500")
    shot(page, "projectleider-record-filled")
    submit_task(page)
    expect(page.get_by_role("status")).to_have_text("Taak afgerond. Dank u wel.")
    expect(page.locator("[data-status]")).to_have_text("goedgekeurd")
    shot(page, "projectleider-instance-finished")

    # --- coordinator: the finished instance, its Logboek and the diagram ----------------------------------------
    coordinator: User = open_browser("coordinator@demo.sto")
    page = coordinator.page
    sign_in(page, "coordinator@demo.sto")
    page.goto(f"/verzoeken/{case}")
    expect(page.get_by_role("heading", level=1, name="Zorgrobots in de praktijk")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("goedgekeurd")
    expect(main(page)).to_contain_text("Wijzigingsverzoek · Demo-regio")
    expect(
        page.get_by_role("heading", level=2, name="Nu aan de beurt").locator("xpath=following-sibling::*[1]")
    ).to_have_text("Geen open taken.")
    expect(page.get_by_role("heading", level=2, name="Logboek")).to_be_visible()

    steps = [  # who, which step, when (Amsterdam time; the fake clock runs at 09:00 UTC), what they submitted
        ("projectleider@demo.sto", INDIENEN, "30 november 2026 10:00", REQUEST_SHOWN),
        ("penvoerder@demo.sto", TOETSEN, "2 december 2026 10:00", ADVICE_SHOWN),
        ("stuurgroep@demo.sto", BESLUITEN, "10 december 2026 10:00", DECISION_SHOWN),
        ("projectleider@demo.sto", VASTLEGGEN, "11 december 2026 10:00", RECORD_SHOWN),
    ]
    for actor, task_name, when, shown in steps:
        row = logbook_rows(page, actor, f"Taak afgerond: {task_name}")
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell").first).to_have_text(when)
        assert read_rows(row).items() >= shown.items(), (task_name, read_rows(row))
    expect(logbook_rows(page, "systeem", "Proces afgerond")).to_have_count(1)
    # The Logboek as a person reads it: no variable names, no Python values, no braces.
    logbook = page.locator("table.audit").inner_text()
    assert INTERNALS.findall(logbook) == [], INTERNALS.findall(logbook)
    for decided in ("Stuurgroep beslist", "Melden aan DUS-I", "Goedgekeurd"):
        assert decided in logbook, decided
    page.locator("table.audit").scroll_into_view_if_needed()
    shot(page, "coordinator-logbook")

    diagram = page.locator("#diagram")
    expect(diagram.locator("svg").first).to_be_visible()
    expect(diagram.locator(".sto-done").first).to_be_attached()
    for step in ("indienen", "toetsen", "besluiten", "vastleggen"):
        expect(diagram.locator(f'[data-element-id="{step}"]')).to_have_class(re.compile(r"\bsto-done\b"))
    expect(diagram.locator(".sto-current")).to_have_count(0)
    diagram.scroll_into_view_if_needed()
    shot(page, "coordinator-instance-finished")
    assert coordinator.js_errors == []
    assert [u.js_errors for u in (projectleider, penvoerder, stuurgroep)] == [[], [], []]
