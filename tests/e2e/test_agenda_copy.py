"""'Mijn agenda': the calendar address is copied with one click ("Gekopieerd"), and without JavaScript the address
is still there to select and copy by hand (no evaluate() there: script is off in that page)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.ui import labelled, sign_in

FEED = re.compile(r"^https?://\S+/agenda/[^/\s]+\.ics$")


def test_the_copy_button_puts_the_calendar_address_on_the_clipboard(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    user = open_browser("projectleider@demo.sto")
    user.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = user.page
    sign_in(page, "projectleider@demo.sto")
    page.goto("/agenda")
    page.get_by_role("button", name="Agenda-adres maken").click()
    address = labelled(page, "Uw agenda-adres")
    expect(address).to_have_value(FEED)
    status = page.get_by_role("status").filter(has_text="Gekopieerd")
    expect(status).to_have_count(0)

    page.get_by_role("button", name="Kopiëren").click()

    expect(page.locator("#agenda-adres-status")).to_have_text("Gekopieerd")
    assert page.evaluate("() => navigator.clipboard.readText()") == address.input_value()
    shot(page, "agenda-copied")
    assert user.js_errors == []


def test_without_javascript_the_address_is_there_to_select_and_no_dead_button_shows(
    browser: Browser, live_server: LiveServer, open_browser: OpenBrowser, shot: Screenshots
) -> None:
    with_script = open_browser("projectleider@demo.sto")  # makes the address first
    sign_in(with_script.page, "projectleider@demo.sto")
    with_script.page.goto("/agenda")
    with_script.page.get_by_role("button", name="Agenda-adres maken").click()
    made = labelled(with_script.page, "Uw agenda-adres").input_value()

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="nl-NL")
    try:
        page = context.new_page()
        sign_in(page, "projectleider@demo.sto")
        page.goto("/agenda")
        address = labelled(page, "Uw agenda-adres")
        expect(address).to_have_value(made)
        expect(page.get_by_role("button", name="Kopiëren")).to_be_hidden()
        # A plain enabled text field (read-only, not disabled): the browser lets anyone select and copy its text.
        expect(address).to_be_visible()
        expect(address).to_be_enabled()
        expect(address).to_have_attribute("readonly", "")
        shot.count += 1  # shot() itself runs a script to keep the scroll position: not here
        page.screenshot(path=str(shot.folder / f"{shot.count:02d}-agenda-without-javascript.png"), full_page=True)
    finally:
        context.close()
