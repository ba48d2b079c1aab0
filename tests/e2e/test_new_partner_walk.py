"""Seed case 2 in the browser: the projectleider registers Vmbo De Horizon (MVI, D&P, Z&W; BB and KB; budget from
instroombevordering), the penvoerder and the stuurgroep take their steps in their own browsers, the school's
contact accepts the house rules through the link in their mail (without an account), and a reused or altered
link gets a Dutch page. Screenshots of every stage."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from service.models import OutboxEmail, Partner, PartnerInvitation
from service.web.app import create_app
from tests.conftest import ApiUser, FakeClock
from tests.e2e.conftest import LiveServer, OpenBrowser, Screenshots
from tests.e2e.ui import group, labelled, main, sign_in, submit_task
from tests.web.test_new_partner_process import DE_HORIZON, _to_signing

CONTACT = "f.elamrani@dehorizon.example"


def _mailed_link(live_server: LiveServer) -> str:
    with live_server.runtime.transaction(write=False) as session:
        mail = session.scalars(
            select(OutboxEmail).where(OutboxEmail.recipient == CONTACT).order_by(OutboxEmail.id.desc())
        ).first()
        assert mail is not None
        found = re.search(r"(/uitnodiging/[0-9]+-[A-Za-z0-9_-]+)", mail.body_text)
        assert found
        return found[1]


def _open_task(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    main(page).get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def test_a_school_joins_the_region_in_the_browser(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots
) -> None:
    # --- projectleider: 'Nieuw verzoek' -> Nieuwe partner, the registration form --------------------------------
    page = open_browser("projectleider@demo.sto").page
    sign_in(page, "projectleider@demo.sto")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Nieuw verzoek").click()
    section = page.locator("section").filter(has=page.get_by_role("heading", name="Nieuwe partner", exact=True))
    section.get_by_label("Voor regio").select_option(label="Demo-regio")
    section.get_by_role("button", name="Starten").click()
    expect(page.get_by_role("heading", level=1, name="Kandidaat-partner aanmelden")).to_be_visible()
    labelled(page, "Soort organisatie").select_option(label="Vmbo-school")
    labelled(page, "Naam van de organisatie").fill("Vmbo De Horizon")
    labelled(page, "BRIN-vestigingsnummer").fill("27HZ0")  # one digit short
    labelled(page, "Bevoegd gezag").fill("Stichting De Horizon")
    labelled(page, "Plaats").fill("Hattem")
    for name in ("Media, Vormgeving en ICT (MVI)", "Dienstverlening en Producten (D&P)", "Zorg en Welzijn (Z&W)"):
        page.get_by_role("checkbox", name=re.compile("^" + re.escape(name))).check()
    for name in ("BB", "KB"):
        page.get_by_role("checkbox", name=re.compile(f"^{name} ")).check()
    labelled(page, "Contactpersoon").fill("Fatima el Amrani")
    labelled(page, "E-mailadres van de contactpersoon").fill(CONTACT)
    labelled(page, "Functie van de contactpersoon").fill("directeur")
    page.get_by_role("checkbox", name="Open lessen techniekprofielen", exact=True).check()
    labelled(page, "Voorgesteld budget (euro)").fill("12.000")
    labelled(page, "Budget komt van activiteit").select_option(label="Techniekmiddagen basisonderwijs")
    labelled(page, "Budget gaat naar activiteit").select_option(label="Open lessen techniekprofielen")
    labelled(page, "Begrotingsjaar").fill("2026")
    labelled(page, "Geldigheid van de persoonlijke link (dagen)").fill("14")
    shot(page, "projectleider-registration-filled")
    assert submit_task(page).status == 422
    expect(page.locator("#veld-brin")).to_contain_text("vier tekens en twee cijfers")
    shot(page, "projectleider-registration-brin-refused")
    labelled(page, "BRIN-vestigingsnummer").fill("27HZ00")
    assert submit_task(page).status == 302
    shot(page, "projectleider-after-registration")

    # --- penvoerder and stuurgroep, each in their own browser --------------------------------------------------
    penvoerder = open_browser("penvoerder@demo.sto").page
    sign_in(penvoerder, "penvoerder@demo.sto")
    _open_task(penvoerder, "Geschiktheid en budget toetsen")
    expect(penvoerder.locator("section.readonly")).to_contain_text("Vmbo De Horizon")
    group(penvoerder, "Voldoet de kandidaat aan de regels van de regeling en de regio?").get_by_label("Ja").check()
    legend = "Is het voorgestelde budget beschikbaar in de activiteit waar het vandaan komt?"
    group(penvoerder, legend).get_by_label("Ja").check()
    labelled(penvoerder, "Advies aan de stuurgroep").select_option(label="Positief")
    labelled(penvoerder, "Toelichting op het advies").fill("Past in de regio; ruimte bij de techniekmiddagen.")
    shot(penvoerder, "penvoerder-check")
    assert submit_task(penvoerder).status == 302

    stuurgroep = open_browser("stuurgroep@demo.sto").page
    sign_in(stuurgroep, "stuurgroep@demo.sto")
    _open_task(stuurgroep, "Besluiten over de nieuwe partner")
    labelled(stuurgroep, "Besluit").select_option(label="Goedgekeurd: de partner mag aansluiten")
    labelled(stuurgroep, "Datum van de stuurgroepvergadering").fill("2026-12-10")
    labelled(stuurgroep, "Kenmerk van de notulen").fill("SG-2026-12-10")
    shot(stuurgroep, "stuurgroep-decision")
    assert submit_task(stuurgroep).status == 302

    # --- the contact, without an account, opens the link from the mail ----------------------------------------
    link = _mailed_link(live_server)
    contact = open_browser(CONTACT).page
    contact.goto(link)
    expect(contact.get_by_role("heading", level=1, name="Aansluiten bij Demo-regio")).to_be_visible()
    shot(contact, "contact-invitation")
    contact.get_by_role("button", name="Aanvaarden").click()
    expect(main(contact)).to_contain_text("Vink aan dat u het huishoudelijk reglement aanvaardt.")
    shot(contact, "contact-forgot-the-box")
    labelled(contact, "Uw functie").fill("directeur")
    contact.get_by_role("checkbox", name=re.compile("Ik aanvaard namens Vmbo De Horizon")).check()
    contact.get_by_role("button", name="Aanvaarden").click()
    expect(contact.get_by_role("heading", level=1, name="Dank u wel")).to_be_visible()
    shot(contact, "contact-accepted")

    contact.goto(link)  # a second time
    expect(contact.get_by_role("heading", level=1, name="Deze link werkt niet")).to_be_visible()
    expect(main(contact)).to_contain_text("Deze link is al gebruikt")
    shot(contact, "contact-link-reused")
    contact.goto(link[:-2] + ("xx" if not link.endswith("xx") else "yy"))
    expect(main(contact)).to_contain_text("Deze link is niet geldig")
    shot(contact, "contact-link-tampered")

    # --- penvoerder: the letter to DUS-I, drafted from the data ------------------------------------------------
    _open_task(penvoerder, "Nieuwe partner schriftelijk melden aan DUS-I")
    letter = labelled(penvoerder, "Tekst van de melding")
    expect(letter).to_have_value(re.compile("Vmbo De Horizon"))
    expect(letter).to_have_value(re.compile(r"Media, Vormgeving en ICT \(MVI\)"))
    expect(letter).to_have_value(re.compile("€ 12.000,00"))
    labelled(penvoerder, "Verzonden op").fill("2026-12-14")
    labelled(penvoerder, "Kenmerk van DUS-I").fill("DUS-I/STO/2026/0412")
    shot(penvoerder, "penvoerder-letter")
    assert submit_task(penvoerder).status == 302
    shot(penvoerder, "penvoerder-after-letter")

    with live_server.runtime.transaction(write=False) as session:
        partner = session.scalars(select(Partner).where(Partner.name == "Vmbo De Horizon")).one()
        assert partner.status == "actief" and partner.profielen == ["mvi", "dp", "zw"]
        partner_path = f"/partners/demo/{partner.id}"
    page.goto(partner_path)
    shot(page, "projectleider-partner-page")


def test_an_expired_link_gets_a_dutch_page_and_changes_nothing(
    open_browser: OpenBrowser, live_server: LiveServer, shot: Screenshots, clock: FakeClock
) -> None:
    api = create_app(runtime=live_server.runtime).test_client()

    def login(email: str) -> ApiUser:
        answer = api.post("/api/v1/auth/token", json={"email": email, "password": "demo"})
        return ApiUser(api, email, answer.json["token"])

    _to_signing(login, {**DE_HORIZON, "link_geldig_dagen": 3})
    link = _mailed_link(live_server)
    clock.advance(days=3, minutes=1)
    contact = open_browser(CONTACT).page
    contact.goto(link)
    expect(contact.get_by_role("heading", level=1, name="Deze link werkt niet")).to_be_visible()
    expect(main(contact)).to_contain_text("Deze link is verlopen op")
    expect(main(contact)).to_contain_text("Er is niets gewijzigd.")
    expect(contact.get_by_role("button", name="Aanvaarden")).to_have_count(0)
    shot(contact, "contact-link-expired")
    with live_server.runtime.transaction(write=False) as session:
        assert session.scalars(select(PartnerInvitation.used_at)).all() == [None]
