"""What a person does and reads in the staff web app, as Playwright steps: sign in, fill the forms, read the
read-only steps. Locators go by what is on screen (labels, headings, link text), not by internals."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Locator, Page, Response, expect

from service.domain import demo

INDIENEN = "Wijzigingsverzoek indienen"
TOETSEN = "Subsidieregels en begroting toetsen"
BESLUITEN = "Besluiten over het wijzigingsverzoek"
VASTLEGGEN = "Vastleggen in regioplan en begroting"

LONG_OMSCHRIJVING = (
    "Leerlingen programmeren zorgrobots in een simulatie met het programma Zorg en Welzijn; "
    "de school koopt daarvoor een 3D-printer van ongeveer EUR 7.500."
)


def sign_in(page: Page, email: str, password: str = demo.DEMO_PASSWORD) -> None:
    """Sign in on /aanmelden and land on 'Mijn taken'."""
    page.goto("/aanmelden")
    labelled(page, "E-mailadres").fill(email)
    labelled(page, "Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Mijn taken")).to_be_visible()


def labelled(scope: Page | Locator, label: str) -> Locator:
    """A form control by its visible label; a required field's label ends in ' *'."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def main(page: Page) -> Locator:
    return page.locator("main")


def group(page: Page, legend: str) -> Locator:
    """A fieldset (radio buttons, Ja/Nee) by its legend."""
    return page.get_by_role("group", name=re.compile(rf"^{re.escape(legend)}( \*)?$"))


def start_change_request(page: Page, region: str = "Demo-regio") -> int:
    """'Nieuw verzoek' -> Wijzigingsverzoek -> Starten; returns the id of the task form it lands on."""
    if not page.url.endswith("/nieuw"):
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Nieuw verzoek").click()
    expect(page.get_by_role("heading", level=1, name="Nieuw verzoek")).to_be_visible()
    section = page.locator("section").filter(has=page.get_by_role("heading", name="Wijzigingsverzoek", exact=True))
    section.get_by_label("Voor regio").select_option(label=region)
    section.get_by_role("button", name="Starten").click()
    expect(page.get_by_role("heading", level=1, name=INDIENEN)).to_be_visible()
    return task_id(page)


def fill_change_request(page: Page, values: dict[str, Any]) -> None:
    """Fill the 'Wijzigingsverzoek indienen' form with what is in `values` (labels as on screen)."""
    if "titel" in values:
        labelled(page, "Titel").fill(values["titel"])
    if "soort" in values:
        group(page, "Soort wijziging").get_by_label(values["soort"], exact=True).check()
    for also in values.get("ook_soorten", []):
        page.get_by_role("checkbox", name=also, exact=True).check()
    if "omschrijving" in values:
        labelled(page, "Omschrijving").fill(values["omschrijving"])
    if "in_regioplan" in values:
        group(page, "Staat de activiteit al in het regioplan?").get_by_label(values["in_regioplan"]).check()
    if "bedrag" in values:
        labelled(page, "Bedrag (euro)").fill(values["bedrag"])
    if "programmalijn" in values:
        labelled(page, "Programmalijn").select_option(label=values["programmalijn"])
    if "doelstelling" in values:
        labelled(page, "Doelstelling").fill(values["doelstelling"])
    if "past_bij_doelen" in values:
        legend = "Past de wijziging bij de doelstellingen en programmalijnen van de regio?"
        group(page, legend).get_by_label(values["past_bij_doelen"]).check()
    if "toelichting_doelen" in values:
        labelled(page, "Toelichting op de doelstellingen").fill(values["toelichting_doelen"])


ZORGROBOTS_FORM = {
    "titel": "Zorgrobots in de praktijk",
    "soort": "Nieuwe activiteit",
    "ook_soorten": ["Budgetverschuiving"],  # seed case 1: a new activity paid by shifting budget
    "omschrijving": LONG_OMSCHRIJVING,
    "in_regioplan": "Nee",
    "bedrag": "7.500",
    "programmalijn": "Samenwerking met het bedrijfsleven",
    "doelstelling": "Techniek zichtbaar maken in andere domeinen",
    "past_bij_doelen": "Ja",
    "toelichting_doelen": "Sluit aan bij de doelstelling om techniek zichtbaar te maken in de zorg.",
}


def submit_task(page: Page) -> Response:
    """Click 'Afronden' and wait for the server's answer to the form (a redirect, or the form with errors)."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/taken/" in r.url) as answer:
        page.get_by_role("button", name="Afronden").click()
    page.wait_for_load_state()
    return answer.value


def task_id(page: Page) -> int:
    found = re.search(r"/taken/(\d+)$", page.url)
    assert found, f"not on a task page: {page.url}"
    return int(found.group(1))


def instance_id(page: Page) -> int:
    found = re.search(r"/verzoeken/(\d+)$", page.url)
    assert found, f"not on an instance page: {page.url}"
    return int(found.group(1))


def read_rows(box: Locator) -> dict[str, str]:
    """The label -> value pairs of a read-only <dl> (dt/dd) inside `box`, as the user reads them."""
    pairs = box.locator("dl").first.evaluate(
        """dl => Array.from(dl.querySelectorAll('dt')).map(dt => {
               const dd = dt.nextElementSibling;
               return [dt.innerText.trim(), dd ? dd.innerText.trim() : ''];
           })"""
    )
    return dict(pairs)


def earlier_step(page: Page, name: str) -> Locator:
    """One section under 'Eerdere stappen' on a task page."""
    return page.locator("section.readonly").filter(has=page.get_by_role("heading", level=3, name=name))


def inbox_row(page: Page, task_name: str) -> Locator:
    """The row of a task in the 'Mijn taken' table."""
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=task_name, exact=True))


def logbook_rows(page: Page, actor: str, summary: str) -> Locator:
    """Rows of the Logboek (audit trail) of an instance page by who did it and what."""
    return (
        page.locator("table.audit tbody tr")
        .filter(has=page.get_by_role("cell", name=actor, exact=True))
        .filter(has_text=summary)
    )
