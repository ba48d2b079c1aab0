"""In a real browser: a person changes their password under 'Mijn instellingen', which signs out their other
browser; signing out makes a copied cookie worthless."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import OpenBrowser, Screenshots
from tests.e2e.ui import labelled, main, sign_in

LEIDER = "projectleider@demo.sto"


def _on_sign_in_page(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Aanmelden bij STO Flow")).to_be_visible()


def _change_password(page: Page, current: str, new: str, repeat: str) -> None:
    labelled(page, "Huidig wachtwoord").fill(current)
    labelled(page, "Nieuw wachtwoord").fill(new)
    labelled(page, "Nieuw wachtwoord nogmaals").fill(repeat)
    page.get_by_role("button", name="Wachtwoord wijzigen").click()


def test_a_new_password_signs_out_the_other_browser_and_signing_out_ends_a_copied_cookie(
    open_browser: OpenBrowser, shot: Screenshots
) -> None:
    laptop, phone, thief = open_browser("laptop").page, open_browser("phone").page, open_browser("thief").page
    sign_in(laptop, LEIDER)
    sign_in(phone, LEIDER)
    laptop.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn instellingen").click()
    main(laptop).get_by_role("link", name="Wachtwoord wijzigen").click()
    expect(laptop.get_by_role("heading", level=1, name="Wachtwoord wijzigen")).to_be_visible()

    _change_password(laptop, "demo", "nieuw-geheim", "nieuw-gehiem")

    expect(main(laptop)).to_contain_text("De twee nieuwe wachtwoorden zijn niet gelijk.")
    expect(labelled(laptop, "Nieuw wachtwoord nogmaals")).to_have_attribute("aria-invalid", "true")
    shot(laptop, "passwords-differ")
    phone.reload()
    expect(phone.get_by_role("heading", level=1, name="Mijn taken")).to_be_visible()  # nothing changed yet

    _change_password(laptop, "demo", "nieuw-geheim", "nieuw-geheim")

    expect(laptop.get_by_role("status")).to_contain_text("Uw wachtwoord is gewijzigd.")
    shot(laptop, "password-changed")
    _on_sign_in_page(phone)
    shot(phone, "other-browser-signed-out")

    thief.context.add_cookies(laptop.context.cookies())
    thief.goto("/")
    expect(thief.get_by_role("heading", level=1, name="Mijn taken")).to_be_visible()  # the copy works, for now
    laptop.get_by_role("button", name="Afmelden").click()
    expect(laptop.get_by_role("heading", level=1, name="Aanmelden bij STO Flow")).to_be_visible()

    _on_sign_in_page(thief)
    sign_in(phone, LEIDER, "nieuw-geheim")
