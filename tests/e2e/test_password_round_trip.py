"""In a real browser, with mail going out through a real SMTP server (aiosmtpd): a person changes their password under
'Mijn instellingen' (a weak one is refused with a hint), and someone who forgot theirs asks for a link on the sign-in
page, opens it from the received mail, chooses a new password and signs in with it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from service.jobs.mail import send_outbox
from service.settings import Settings
from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.ui import labelled, main, sign_in
from tests.mail.conftest import Inbox, SmtpServer, free_port, parts

LEIDER = "projectleider@demo.sto"
NEW = "lantaarn-kievit-zeilboot"
TOO_EASY = "Dit wachtwoord is te makkelijk te raden; gebruik bijvoorbeeld een zin van vier woorden."


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    return replace(settings, smtp_host="127.0.0.1", smtp_port=smtp_server.port)


@pytest.fixture
def mail_links_to(live_server: LiveServer) -> LiveServer:
    """Links in mail point at the browser's server (the sender writes the configured base URL into them)."""
    live_server.runtime.settings = replace(live_server.runtime.settings, base_url=live_server.url)
    return live_server


def _on_sign_in_page(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Aanmelden bij STO Flow")).to_be_visible()


def _received_link(server: LiveServer, inbox: Inbox, to: str, subject: str) -> str:
    """Send the outbox through SMTP, then read the one link to choose a password from the mail that arrived."""
    assert send_outbox(server.runtime, server.runtime.clock()) == 1
    (message,) = inbox.to(to)
    assert message["Subject"] == subject
    plain, html = parts(message)
    found = re.search(rf"{re.escape(server.url)}/account/wachtwoord/[0-9]+-[A-Za-z0-9_-]+", plain)
    assert found, plain
    assert found[0] in html
    return found[0]


def test_changing_ones_password_refuses_an_easy_one_and_accepts_a_strong_one(
    open_browser: OpenBrowser, shot: Screenshots
) -> None:
    laptop, phone = open_browser("laptop").page, open_browser("phone").page
    sign_in(laptop, LEIDER)
    sign_in(phone, LEIDER)
    laptop.goto("/instellingen")
    main(laptop).get_by_role("link", name="Wachtwoord wijzigen").click()
    expect(laptop.get_by_role("heading", level=1, name="Wachtwoord wijzigen")).to_be_visible()
    expect(main(laptop)).to_contain_text("Minstens 12 tekens, en niet makkelijk te raden")

    for field, value in (("Huidig wachtwoord", "demo"), ("Nieuw wachtwoord", "wachtwoord12")):
        labelled(laptop, field).fill(value)
    labelled(laptop, "Nieuw wachtwoord nogmaals").fill("wachtwoord12")
    laptop.get_by_role("button", name="Wachtwoord wijzigen").click()

    expect(main(laptop)).to_contain_text(TOO_EASY)
    expect(labelled(laptop, "Nieuw wachtwoord")).to_have_attribute("aria-invalid", "true")
    shot(laptop, "easy-password-refused")

    labelled(laptop, "Huidig wachtwoord").fill("demo")
    labelled(laptop, "Nieuw wachtwoord").fill(NEW)
    labelled(laptop, "Nieuw wachtwoord nogmaals").fill(NEW)
    laptop.get_by_role("button", name="Wachtwoord wijzigen").click()

    expect(laptop.get_by_role("status")).to_contain_text("Uw wachtwoord is gewijzigd.")
    shot(laptop, "password-changed")
    _on_sign_in_page(phone)
    sign_in(phone, LEIDER, NEW)


def test_wachtwoord_vergeten_round_trip_through_a_real_smtp_server(
    open_browser: OpenBrowser, shot: Screenshots, mail_links_to: LiveServer, smtp_server: SmtpServer
) -> None:
    desk, mailbox_reader = open_browser("desk").page, open_browser("mailbox").page
    sign_in(desk, LEIDER)  # an old session somewhere, which the new password must end

    page = mailbox_reader
    page.goto("/aanmelden")
    shot(page, "sign-in-with-forgotten-link")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page.get_by_role("heading", level=1, name="Wachtwoord vergeten")).to_be_visible()
    shot(page, "forgotten-form")
    labelled(page, "E-mailadres").fill(LEIDER)
    page.get_by_role("button", name="Link versturen").click()
    expect(page.get_by_role("status")).to_contain_text(f"Als er een actief account is met het e-mailadres {LEIDER}")
    shot(page, "forgotten-answer")

    link = _received_link(mail_links_to, smtp_server.inbox, LEIDER, "Nieuw wachtwoord kiezen voor STO Flow")
    page.goto(link)
    expect(page.get_by_role("heading", level=1, name="Nieuw wachtwoord kiezen")).to_be_visible()
    labelled(page, "Nieuw wachtwoord").fill("projectleider2026")
    labelled(page, "Nieuw wachtwoord nogmaals").fill("projectleider2026")
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(main(page)).to_contain_text("want het bevat de naam of het e-mailadres")
    shot(page, "personal-password-refused")

    labelled(page, "Nieuw wachtwoord").fill(NEW)
    labelled(page, "Nieuw wachtwoord nogmaals").fill(NEW)
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page.get_by_role("status")).to_contain_text("Uw wachtwoord is ingesteld.")
    shot(page, "password-set")

    labelled(page, "E-mailadres").fill(LEIDER)
    labelled(page, "Wachtwoord").fill("demo")
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("E-mailadres of wachtwoord klopt niet.")
    sign_in(page, LEIDER, NEW)
    _on_sign_in_page(desk)  # the old session ended

    page.goto(link)
    expect(main(page)).to_contain_text("Deze link is al gebruikt.")
    expect(main(page).get_by_role("link", name="Wachtwoord vergeten?")).to_be_visible()
    shot(page, "link-used-up")


def test_an_administrator_invites_a_new_user_who_chooses_a_password_from_the_mail(
    open_browser: OpenBrowser, shot: Screenshots, mail_links_to: LiveServer, smtp_server: SmtpServer
) -> None:
    admin, anna = open_browser("admin").page, open_browser("anna").page
    sign_in(admin, "beheerder@demo.sto")
    admin.goto("/beheer/gebruikers/nieuw")
    labelled(admin, "Naam").fill("Anna de Vries")
    labelled(admin, "E-mailadres").fill("anna@twente.nl")
    expect(admin.get_by_label("Uitnodiging sturen (de gebruiker kiest zelf een wachtwoord)")).to_be_checked()
    shot(admin, "new-user-form")
    admin.get_by_role("button", name="Gebruiker aanmaken").click()
    expect(admin.get_by_role("status")).to_contain_text("krijgt een uitnodiging per e-mail")
    expect(main(admin)).to_contain_text("Deze gebruiker heeft nog geen wachtwoord gekozen")
    shot(admin, "user-awaiting-password")

    _on_sign_in_page(anna)
    labelled(anna, "E-mailadres").fill("anna@twente.nl")
    labelled(anna, "Wachtwoord").fill("!")
    anna.get_by_role("button", name="Aanmelden", exact=True).click()
    expect(anna.get_by_role("alert")).to_contain_text("E-mailadres of wachtwoord klopt niet.")

    subject = "Uitnodiging voor STO Flow: kies uw wachtwoord"
    anna.goto(_received_link(mail_links_to, smtp_server.inbox, "anna@twente.nl", subject))
    expect(anna.get_by_role("heading", level=1, name="Wachtwoord kiezen")).to_be_visible()
    expect(main(anna)).to_contain_text("Welkom, Anna de Vries.")
    labelled(anna, "Nieuw wachtwoord").fill(NEW)
    labelled(anna, "Nieuw wachtwoord nogmaals").fill(NEW)
    shot(anna, "choose-first-password")
    anna.get_by_role("button", name="Wachtwoord instellen").click()
    expect(anna.get_by_role("status")).to_contain_text("Uw wachtwoord is ingesteld.")
    sign_in(anna, "anna@twente.nl", NEW)
    shot(anna, "anna-signed-in")

    admin.reload()
    expect(main(admin)).not_to_contain_text("Deze gebruiker heeft nog geen wachtwoord gekozen")
    expect(admin.get_by_role("button", name="Nieuwe uitnodiging sturen")).to_have_count(0)
