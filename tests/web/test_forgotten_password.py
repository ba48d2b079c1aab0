"""'Wachtwoord vergeten?': the page answers the same for every address, mails a one-time link that expires after an
hour only to an active account, and the new password ends every other sign-in. Administrators can invite a new user
to choose their own password instead of typing one."""

from __future__ import annotations

import dataclasses
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain import demo
from service.models import OutboxEmail, User
from service.web.app import create_app
from service.web.runtime import Runtime
from tests.conftest import FakeClock
from tests.web.pages import csrf_token, post_form, signed_in, text

LEIDER = "projectleider@demo.sto"
NEW = "lantaarn-kievit-zeilboot"
SAME_ANSWER = "Als er een actief account is met het e-mailadres"
_LINK = re.compile(r"(/account/wachtwoord/[0-9]+-[A-Za-z0-9_-]+)")
_TOKENS = re.compile(r'name="csrf_token" value="[^"]+"')


def ask_for_link(client: FlaskClient, email: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/wachtwoord-vergeten", {"email": email})


def mails(runtime: Runtime, kind: str) -> list[OutboxEmail]:
    with runtime.transaction(write=False) as session:
        return list(session.scalars(select(OutboxEmail).where(OutboxEmail.kind == kind).order_by(OutboxEmail.id)))


def link_in(mail: OutboxEmail) -> str:
    found = _LINK.search(mail.body_text)
    assert found, mail.body_text
    return found[1]


def can_sign_in(app: Flask, email: str, password: str) -> bool:
    client = app.test_client()
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/aanmelden")}
    return client.post("/aanmelden", data=data).status_code == 302


def is_signed_in(browser: FlaskClient) -> bool:
    return browser.get("/").status_code == 200


def choose(client: FlaskClient, link: str, password: str, repeat: str | None = None):  # type: ignore[no-untyped-def]
    return post_form(client, link, {"new": password, "repeat": password if repeat is None else repeat})


def test_the_sign_in_page_offers_wachtwoord_vergeten(client: FlaskClient) -> None:
    page = text(client.get("/aanmelden"))
    assert '<a href="/wachtwoord-vergeten">Wachtwoord vergeten?</a>' in page
    form = text(client.get("/wachtwoord-vergeten"))
    assert "Vul het e-mailadres in waarmee u zich aanmeldt." in form and "Link versturen" in form


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_mail(
    app: Flask, runtime: Runtime
) -> None:
    known = ask_for_link(app.test_client(), LEIDER)
    unknown = ask_for_link(app.test_client(), "niemand@demo.sto")

    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in text(known)

    def page_without(response, email: str) -> str:  # type: ignore[no-untyped-def]
        return _TOKENS.sub("", text(response).replace(email, "ADRES"))

    assert page_without(known, LEIDER) == page_without(unknown, "niemand@demo.sto")
    sent = mails(runtime, "password_forgotten")
    assert [mail.recipient for mail in sent] == [LEIDER]
    assert sent[0].subject == "Nieuw wachtwoord kiezen voor STO Flow"
    assert "Heeft u dit niet zelf gevraagd? Dan kunt u dit bericht negeren" in sent[0].body_text


def test_a_deactivated_account_gets_the_same_answer_and_no_mail(app: Flask, runtime: Runtime) -> None:
    admin = signed_in(app, demo.DEMO_ADMIN)
    with runtime.transaction(write=False) as session:
        target = session.scalar(select(User.id).where(User.email == "penvoerder@demo.sto"))
    post_form(admin, f"/beheer/gebruikers/{target}/deactiveren", {}, form_page=f"/beheer/gebruikers/{target}")

    answer = ask_for_link(app.test_client(), "penvoerder@demo.sto")
    assert answer.status_code == 200 and SAME_ANSWER in text(answer)
    assert mails(runtime, "password_forgotten") == []


def test_an_empty_address_is_asked_for_again(client: FlaskClient, runtime: Runtime) -> None:
    answer = ask_for_link(client, "  ")
    assert answer.status_code == 422 and "Vul uw e-mailadres in." in text(answer)
    assert mails(runtime, "password_forgotten") == []


def test_the_link_sets_a_new_password_once_and_ends_every_other_sign_in(
    app: Flask, client: FlaskClient, runtime: Runtime
) -> None:
    laptop, phone = signed_in(app, LEIDER), signed_in(app, LEIDER)
    ask_for_link(app.test_client(), LEIDER.upper())  # the address as people type it
    link = link_in(mails(runtime, "password_forgotten")[0])

    page = text(client.get(link))
    assert "Nieuw wachtwoord kiezen" in page and LEIDER in page
    different = choose(client, link, NEW, "lantaarn-kievit-zeilbot")
    assert different.status_code == 422 and "De twee nieuwe wachtwoorden zijn niet gelijk." in text(different)
    assert is_signed_in(laptop)  # nothing changed yet

    chosen = choose(client, link, NEW)
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/aanmelden"
    assert "Uw wachtwoord is ingesteld." in text(client.get("/aanmelden"))
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert can_sign_in(app, LEIDER, NEW) and not can_sign_in(app, LEIDER, demo.DEMO_PASSWORD)

    again = choose(client, link, "nog-een-ander-wachtwoord-dus")
    assert again.status_code == 409 and "Deze link is al gebruikt." in text(again)
    assert can_sign_in(app, LEIDER, NEW) and not can_sign_in(app, LEIDER, "nog-een-ander-wachtwoord-dus")


def test_the_link_expires_after_an_hour(app: Flask, client: FlaskClient, runtime: Runtime, clock: FakeClock) -> None:
    ask_for_link(client, LEIDER)
    mail = mails(runtime, "password_forgotten")[0]
    link = link_in(mail)
    assert "De link werkt één keer en is geldig tot maandag 30 november 2026 om 11:00 uur." in mail.body_text

    clock.advance(minutes=59)
    assert client.get(link).status_code == 200
    clock.advance(minutes=2)
    expired = client.get(link)
    assert expired.status_code == 410 and "Deze link is verlopen" in text(expired)
    assert choose(client, link, NEW).status_code == 410
    assert can_sign_in(app, LEIDER, demo.DEMO_PASSWORD) and not can_sign_in(app, LEIDER, NEW)


def test_a_newer_link_replaces_the_older_one(app: Flask, client: FlaskClient, runtime: Runtime) -> None:
    ask_for_link(client, LEIDER)
    ask_for_link(client, LEIDER)
    first, second = (link_in(mail) for mail in mails(runtime, "password_forgotten"))

    assert client.get(first).status_code == 410
    assert choose(client, second, NEW).status_code == 302
    assert can_sign_in(app, LEIDER, NEW)


def test_asking_for_links_is_rate_limited_like_signing_in(runtime: Runtime) -> None:
    limited = dataclasses.replace(runtime.settings, login_rate_limit="3 per minute")
    client = create_app(runtime=dataclasses.replace(runtime, settings=limited)).test_client()
    token = csrf_token(client, "/wachtwoord-vergeten")
    answers = [
        client.post("/wachtwoord-vergeten", data={"email": f"iemand{n}@demo.sto", "csrf_token": token}).status_code
        for n in range(3)
    ]
    last = client.post("/wachtwoord-vergeten", data={"email": LEIDER, "csrf_token": token})
    assert answers == [200, 200, 200] and last.status_code == 429
    assert mails(runtime, "password_forgotten") == []


def _invite(admin: FlaskClient, email: str = "anna@twente.nl"):  # type: ignore[no-untyped-def]
    form = {"name": "Anna de Vries", "email": email, "method": "invitation", "password": ""}
    return post_form(admin, "/beheer/gebruikers/nieuw", form)


def test_an_invited_user_gets_a_mail_cannot_sign_in_until_choosing_and_can_after(
    app: Flask, client: FlaskClient, runtime: Runtime
) -> None:
    admin = signed_in(app, demo.DEMO_ADMIN)
    new_user_page = text(admin.get("/beheer/gebruikers/nieuw"))
    assert "Uitnodiging sturen (de gebruiker kiest zelf een wachtwoord)" in new_user_page

    created = _invite(admin)
    assert created.status_code == 302
    user_page = text(admin.get(created.headers["Location"]))
    assert "krijgt een uitnodiging per e-mail om zelf een wachtwoord te kiezen" in user_page
    assert "Deze gebruiker heeft nog geen wachtwoord gekozen en kan zich nog niet aanmelden." in user_page
    assert "Nieuwe uitnodiging sturen" in user_page and "uitgenodigd, nog geen wachtwoord" in user_page

    (mail,) = mails(runtime, "account")
    assert mail.recipient == "anna@twente.nl" and mail.subject == "Uitnodiging voor STO Flow: kies uw wachtwoord"
    for guess in ("", "!", NEW):
        assert not can_sign_in(app, "anna@twente.nl", guess)

    link = link_in(mail)
    page = text(client.get(link))
    assert "Welkom, Anna de Vries. Kies een wachtwoord voor uw account anna@twente.nl" in page
    assert choose(client, link, "AnnaDeVries2026").status_code == 422  # the policy holds here too
    assert choose(client, link, NEW).status_code == 302
    assert can_sign_in(app, "anna@twente.nl", NEW)
    after = text(admin.get(created.headers["Location"]))
    assert "Nieuwe uitnodiging sturen" not in after and "nog geen wachtwoord" not in after


def test_a_new_invitation_replaces_the_first_and_the_invitation_lasts_a_week(
    app: Flask, client: FlaskClient, runtime: Runtime, clock: FakeClock
) -> None:
    admin = signed_in(app, demo.DEMO_ADMIN)
    user_path = _invite(admin).headers["Location"]
    clock.advance(days=6, hours=23)
    first = link_in(mails(runtime, "account")[0])
    assert client.get(first).status_code == 200  # still valid after almost a week

    resent = post_form(admin, f"{user_path}/uitnodigen", {}, form_page=user_path)
    assert resent.status_code == 302
    assert "Er is een nieuwe uitnodiging gestuurd aan anna@twente.nl" in text(admin.get(user_path))
    second = link_in(mails(runtime, "account")[1])
    assert client.get(first).status_code == 410

    clock.advance(days=7, minutes=1)
    assert client.get(second).status_code == 410
    assert not can_sign_in(app, "anna@twente.nl", NEW)


def test_no_invitation_for_someone_who_has_a_password_already(app: Flask, runtime: Runtime) -> None:
    admin = signed_in(app, demo.DEMO_ADMIN)
    with runtime.transaction(write=False) as session:
        target = session.scalar(select(User.id).where(User.email == "penvoerder@demo.sto"))
    user_path = f"/beheer/gebruikers/{target}"
    assert "Nieuwe uitnodiging sturen" not in text(admin.get(user_path))

    refused = post_form(admin, f"{user_path}/uitnodigen", {}, form_page=user_path)
    assert refused.status_code == 302
    assert "heeft al een wachtwoord gekozen en kan zelf" in text(admin.get(user_path))
    assert mails(runtime, "account") == []
    assert can_sign_in(app, "penvoerder@demo.sto", demo.DEMO_PASSWORD)
