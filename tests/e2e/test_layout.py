"""The layout in a real browser: each demo role's menu, the header on one line on a laptop, and the inbox and a
task form on a phone (390 px) without sideways scrolling, with the menu folded into 'Menu'; the Dutch file picker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenBrowser, Screenshots
from tests.e2e.ui import (
    BESLUITEN,
    ZORGROBOTS_FORM,
    fill_change_request,
    group,
    labelled,
    sign_in,
    start_change_request,
    submit_task,
)
from tests.web.test_navigation_and_layout import MENUS  # one table of who sees what, for both kinds of test

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def menu_links(page: Page) -> list[str]:
    """What the visible main menu offers, as read on screen (the open-task number left off)."""
    links = page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link")
    return [re.sub(r"\s*\d+\s*$", "", text.replace("\n", " ")).strip() for text in links.all_inner_texts()]


def scrolls_sideways(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth"))


def top_of(page: Page, locator_text: str) -> float:
    box = page.locator("header.top").get_by_text(locator_text, exact=True).first.bounding_box()
    assert box, locator_text
    return box["y"] + box["height"] / 2


@pytest.mark.parametrize("email", list(MENUS))
def test_each_role_sees_its_own_menu_and_the_header_fits_on_one_line(
    open_browser: OpenBrowser, shot: Screenshots, email: str
) -> None:
    page = open_browser(email).page
    page.set_viewport_size(LAPTOP)
    sign_in(page, email)
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()  # no folding on a laptop
    assert menu_links(page) == MENUS[email]
    # 'English', the name and 'STO Flow' share one line: nothing wrapped below the menu.
    brand, english = top_of(page, "STO Flow"), top_of(page, "English")
    assert abs(brand - english) < 8, (brand, english)
    header = page.locator("header.top").bounding_box()
    assert header and header["height"] < 80, header
    assert not scrolls_sideways(page)
    shot(page, f"menu-1366-{email}")


def test_inbox_and_task_form_on_a_phone(open_browser: OpenBrowser, shot: Screenshots) -> None:
    page = open_browser("projectleider@demo.sto").page
    sign_in(page, "projectleider@demo.sto")
    start_change_request(page)
    page.goto("/nieuw")
    start_change_request(page)  # two tasks: a list, not a single row
    page.set_viewport_size(PHONE)

    page.goto("/")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    expect(nav).to_be_hidden()  # folded: the phone shows 'Menu' with the number of open tasks
    menu_button = page.locator("summary", has_text="Menu")
    expect(menu_button).to_have_text(re.compile(r"^Menu\s*2$"))
    assert not scrolls_sideways(page)
    table = page.locator(".table-wrap")  # one card per task: nothing hidden to the right
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth")
    row = page.locator("tr[data-task-id]").first
    expect(row.get_by_role("button", name="Oppakken")).to_be_in_viewport()  # the card shows all, no sideways table
    shot(page, "inbox-390")

    menu_button.click()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Nieuw verzoek")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Afmelden")).to_be_visible()
    assert not scrolls_sideways(page)
    shot(page, "menu-open-390")
    nav.get_by_role("link", name="Mijn taken").click()

    page.locator("tr[data-task-id]").first.get_by_role("link", name="Wijzigingsverzoek indienen").click()
    fill_change_request(page, ZORGROBOTS_FORM)
    assert not scrolls_sideways(page)
    expect(page.get_by_role("button", name="Afronden")).to_be_visible()
    shot(page, "task-390")


def test_the_file_field_speaks_dutch(open_browser: OpenBrowser, shot: Screenshots) -> None:
    page = open_browser("projectleider@demo.sto").page
    sign_in(page, "projectleider@demo.sto")
    start_change_request(page)
    fill_change_request(page, ZORGROBOTS_FORM)
    field = page.locator("#veld-offerte")
    expect(field.get_by_text("Bestand kiezen", exact=True)).to_be_visible()
    expect(field.get_by_text("Nog geen bestand gekozen", exact=True)).to_be_visible()
    native = labelled(page, "Offerte of begroting (bijlage)").bounding_box()
    assert native and native["width"] <= 2, "the browser's own (English) field shows"
    shot(page, "file-none")

    with page.expect_file_chooser() as chooser:  # the Dutch button opens the browser's file chooser
        field.get_by_text("Bestand kiezen", exact=True).click()
    chooser.value.set_files({"name": "offerte printer.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"})
    expect(field.get_by_text("offerte printer.pdf", exact=True)).to_be_visible()
    shot(page, "file-chosen")
    assert submit_task(page).status == 302


def test_the_stuurgroep_types_a_dutch_date(open_browser: OpenBrowser, shot: Screenshots) -> None:
    leider = open_browser("projectleider@demo.sto").page
    sign_in(leider, "projectleider@demo.sto")
    start_change_request(leider)
    fill_change_request(leider, ZORGROBOTS_FORM)
    submit_task(leider)
    penvoerder = open_browser("penvoerder@demo.sto").page
    sign_in(penvoerder, "penvoerder@demo.sto")
    penvoerder.get_by_role("link", name="Subsidieregels en begroting toetsen").click()
    group(penvoerder, "Zijn de kosten subsidiabel volgens de regeling?").get_by_label("Ja").check()
    group(penvoerder, "Is er ruimte in de begrotingspost waar het geld vandaan komt?").get_by_label("Ja").check()
    labelled(penvoerder, "Begrotingspost waar het geld vandaan komt").select_option(
        label="Techniekmiddagen basisonderwijs"
    )
    labelled(penvoerder, "Advies").select_option(label="Positief")
    labelled(penvoerder, "Toelichting op het advies").fill("Subsidiabel; er is ruimte op de techniekmiddagen.")
    assert submit_task(penvoerder).status == 302

    page = open_browser("stuurgroep@demo.sto").page
    page.set_viewport_size(PHONE)
    sign_in(page, "stuurgroep@demo.sto")
    page.get_by_role("link", name=BESLUITEN).click()
    date = labelled(page, "Datum van de stuurgroepvergadering")
    expect(date).to_have_attribute("placeholder", "dd-mm-jjjj")
    date.fill("10-12-2026")
    labelled(page, "Besluit").select_option(label="Goedgekeurd")
    assert submit_task(page).status == 422  # the minutes' reference is missing: the form comes back
    expect(labelled(page, "Datum van de stuurgroepvergadering")).to_have_value("10-12-2026")
    assert not scrolls_sideways(page)
    shot(page, "date-390")
