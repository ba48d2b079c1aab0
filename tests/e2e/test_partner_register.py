"""The projectleider keeps the partner register in the browser: opens it from the menu, filters it, adds a new
vmbo school (a wrong BRIN is refused at the field, in Dutch), adds a contact, links a regioplan activity, uploads
the signed house rules, and finds all of it on the school's page and in its history."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.ui import labelled, main, sign_in

REGLEMENT = b"%PDF-1.4\n% huishoudelijk reglement STO Demo-regio, ondertekend\n" + b"x" * 3000
REGLEMENT_NAME = "Huishoudelijk reglement – ondertekend.pdf"


def _register_names(page: Page) -> list[str]:
    return [name.strip() for name in page.locator("table.partners tbody tr td:first-child").all_inner_texts()]


def test_projectleider_adds_a_school_with_contact_activity_and_signed_rules(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots, tmp_path: Path
) -> None:
    user = open_browser("projectleider@demo.sto")
    page = user.page
    sign_in(page, "projectleider@demo.sto")

    # From the menu to the region's register (one region: straight there).
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Partners").click()
    expect(page.get_by_role("heading", level=1, name="Partners van Demo-regio")).to_be_visible()
    expect(page.locator(".partner-count")).to_have_text("5 van 5 partners")
    brug = page.get_by_role("row").filter(has=page.get_by_role("link", name="Vakcollege De Brug"))
    expect(brug).to_contain_text("30XY00")
    expect(brug.locator(".profiel.techniek")).to_have_text(["BWI", "PIE", "MVI"])
    expect(brug).to_contain_text("sinds 1 januari 2024")
    shot(page, "register")

    # Filter on a profile: only the school that offers it; the choice stays in the form.
    page.get_by_label("Profiel").select_option("mvi")
    page.get_by_role("button", name="Filteren").click()
    expect(page.locator(".partner-count")).to_have_text("1 van 5 partners")
    assert _register_names(page) == ["Vakcollege De Brug"]
    expect(page.get_by_label("Profiel")).to_have_value("mvi")
    shot(page, "filtered-on-mvi")
    page.get_by_role("link", name="Alle partners tonen").first.click()
    expect(page.locator(".partner-count")).to_have_text("5 van 5 partners")

    # Add a school; first with a BRIN that is too short.
    page.get_by_role("link", name="Partner toevoegen").click()
    expect(page.get_by_role("heading", level=1, name="Partner toevoegen")).to_be_visible()
    labelled(page, "Soort organisatie").select_option(label="vmbo-school")
    labelled(page, "Naam").fill("Het Noorderlicht College")
    labelled(page, "BRIN-vestigingsnummer").fill("12XY1")
    labelled(page, "Bevoegd gezag").fill("Stichting Noorderlicht")
    labelled(page, "Plaats").fill("Kampen")
    page.get_by_label("Produceren, Installeren en Energie (PIE)").check()
    page.get_by_label("Zorg en Welzijn (Z&W)").check()
    page.get_by_label("basisberoepsgericht (BB)").check()
    page.get_by_label("kaderberoepsgericht (KB)").check()
    labelled(page, "Kandidaat sinds").fill("01-09-2026")
    shot(page, "new-school-form")
    page.get_by_role("button", name="Partner toevoegen").click()

    error = page.locator("#veld-brin .error")
    expect(error).to_have_text("Een BRIN-vestigingsnummer is vier tekens en twee cijfers, bijvoorbeeld 12AB01.")
    expect(labelled(page, "BRIN-vestigingsnummer")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main .flash.error")).to_contain_text("Er is niets opgeslagen")
    expect(labelled(page, "Naam")).to_have_value("Het Noorderlicht College")
    expect(page.get_by_label("Zorg en Welzijn (Z&W)")).to_be_checked()
    shot(page, "wrong-brin")

    labelled(page, "BRIN-vestigingsnummer").fill("12XY01")
    page.get_by_role("button", name="Partner toevoegen").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Het Noorderlicht College"))).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Het Noorderlicht College staat nu in het register.")
    expect(main(page)).to_contain_text("12XY01")
    expect(main(page)).to_contain_text("1 september 2026")
    shot(page, "school-added")

    # A contact.
    contacts = page.locator("#contactpersonen")
    contacts.get_by_label("Naam").fill("Lotte Jansen")
    contacts.get_by_label("E-mailadres").fill("l.jansen@noorderlicht.example")
    contacts.get_by_label("Functie").fill("teamleider techniek")
    contacts.get_by_role("button", name="Contactpersoon toevoegen").click()
    expect(page.get_by_role("status")).to_have_text("Contactpersoon Lotte Jansen is toegevoegd.")
    mail = page.locator("#contactpersonen").get_by_role("link", name="l.jansen@noorderlicht.example")
    expect(mail).to_have_attribute("href", "mailto:l.jansen@noorderlicht.example")

    # An activity from the regioplan.
    activities = page.locator("#activiteiten")
    choice = activities.get_by_label("Meedoen aan activiteit")
    choice.select_option(index=_option_index(choice, "Open lessen techniekprofielen"))
    activities.get_by_role("button", name="Koppelen").click()
    expect(page.get_by_role("status")).to_have_text("De partner doet nu mee aan Open lessen techniekprofielen.")
    expect(page.locator("#activiteiten table")).to_contain_text("Open lessen techniekprofielen")
    shot(page, "contact-and-activity")

    # The signed house rules.
    documents = page.locator("#documenten")
    expect(documents.locator(".file-chosen")).to_have_text("Nog geen bestand gekozen")
    expect(documents.locator(".file-button")).to_have_text("Bestand kiezen")
    documents.get_by_label("Soort document").select_option(label="huishoudelijk reglement (ondertekend)")
    documents.get_by_label("Bestand", exact=True).set_input_files(
        {"name": REGLEMENT_NAME, "mimeType": "application/pdf", "buffer": REGLEMENT}
    )
    expect(documents.locator(".file-chosen")).to_have_text(REGLEMENT_NAME)
    shot(page, "document-chosen")
    documents.get_by_role("button", name="Document opslaan").click()
    expect(page.get_by_role("status")).to_have_text(f"Het document {REGLEMENT_NAME} is opgeslagen.")
    row = page.locator("#documenten table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("huishoudelijk reglement (ondertekend)")
    expect(row).to_contain_text("projectleider@demo.sto")
    expect(row).to_contain_text("30 november 2026")

    # The history, newest first: the document, the activity, the contact, the school itself.
    history = page.locator("#geschiedenis tbody tr")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Document toegevoegd: huishoudelijk reglement (ondertekend)")
    expect(history.nth(1)).to_contain_text("Doet mee aan activiteit: Open lessen techniekprofielen")
    expect(history.nth(2)).to_contain_text("Contactpersoon toegevoegd: Lotte Jansen")
    expect(history.nth(3)).to_contain_text("Toegevoegd aan het register (kandidaat)")
    expect(history.nth(3)).to_contain_text("Profielen: PIE, Z&W")
    expect(history.nth(3)).to_contain_text("Soort: vmbo-school")
    shot(page, "school-page-complete")

    # The download is the same file under its own name.
    with page.expect_download() as download:
        row.get_by_role("link", name=REGLEMENT_NAME).click()
    assert download.value.suggested_filename == REGLEMENT_NAME
    saved = tmp_path / "reglement.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == REGLEMENT

    # Back in the register: the new school is a candidate with one activity.
    page.get_by_role("link", name="Partners van Demo-regio").click()
    expect(page.locator(".partner-count")).to_have_text("6 van 6 partners")
    new_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Het Noorderlicht College"))
    expect(new_row.locator(".badge")).to_have_text("kandidaat")
    expect(new_row.locator("td.num")).to_have_text("1")
    shot(page, "register-with-new-school")
    assert user.js_errors == []


def _option_index(select: Locator, starts_with: str) -> int:
    """The position of the option whose text (an activity with its programme line) starts so."""
    texts = select.locator("option").all_inner_texts()
    return next(i for i, t in enumerate(texts) if t.startswith(starts_with))


def test_stuurgroep_reads_the_register_without_edit_controls(open_browser: OpenBrowser, shot: Screenshots) -> None:
    page = open_browser("stuurgroep@demo.sto").page
    sign_in(page, "stuurgroep@demo.sto")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Partners").click()
    expect(page.get_by_role("heading", level=1, name="Partners van Demo-regio")).to_be_visible()
    expect(page.get_by_role("link", name="Partner toevoegen")).to_have_count(0)
    expect(main(page)).to_contain_text(
        "De projectleider, de penvoerder, de coördinator en beheerders houden dit register bij."
    )

    page.get_by_role("link", name="Scholengemeenschap Het Anker").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("^Scholengemeenschap Het Anker"))).to_be_visible()
    expect(page.locator("#contactpersonen")).to_contain_text("m.yilmaz@hetanker.example")
    expect(page.locator("#activiteiten")).to_contain_text("Scholing docenten robotica")
    expect(main(page).get_by_role("button")).to_have_count(0)  # no forms to change anything
    expect(main(page).get_by_role("link", name="Gegevens wijzigen")).to_have_count(0)
    shot(page, "stuurgroep-school-page")

    # A filter value typed into the address by hand: a Dutch message, not an error page.
    response = page.goto("/partners/demo?status=gestopt")
    assert response is not None and response.status == 422
    expect(page.locator("main .flash.error")).to_contain_text("Het filter klopt niet.")
    expect(page.locator("main .flash.error")).to_contain_text("Onbekende status.")
    shot(page, "wrong-filter")
