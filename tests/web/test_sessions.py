"""Sessions end when they should: signing out, a new password and deactivation end cookies and API tokens on the
server, so a copied cookie or an old token is refused; other people stay signed in."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain.demo import DEMO_ADMIN
from service.models import AuditEvent, User
from service.web.app import create_app
from service.web.runtime import Runtime
from tests.web.pages import csrf_token, post_form, signed_in, text

LEIDER = "projectleider@demo.sto"
PENVOERDER = "penvoerder@demo.sto"


def cookie_of(browser: FlaskClient) -> str:
    """A copy of this browser's session cookie (what a thief would have)."""
    cookie = browser.get_cookie("session")
    assert cookie is not None
    return cookie.value


def browser_with(app: Flask, cookie: str) -> FlaskClient:
    """A fresh browser sending a copied session cookie."""
    browser = app.test_client()
    browser.set_cookie("session", cookie)
    return browser


def is_signed_in(browser: FlaskClient) -> bool:
    response = browser.get("/")
    if response.status_code == 302:
        assert "/aanmelden" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def token(client: FlaskClient, email: str, password: str = "demo") -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def api_status(client: FlaskClient, headers: dict[str, str]) -> int:
    return client.get("/api/v1/tasks", headers=headers).status_code


def change_password(browser: FlaskClient, current: str, new: str, repeat: str | None = None) -> Any:
    data = {"current": current, "new": new, "repeat": new if repeat is None else repeat}
    return post_form(browser, "/wachtwoord", data)


def test_a_copied_cookie_no_longer_works_after_signing_out(app: Flask) -> None:
    browser = signed_in(app, LEIDER)
    copied = cookie_of(browser)
    assert is_signed_in(browser_with(app, copied))  # the copy works while the session lives

    post_form(browser, "/afmelden", {}, form_page="/")

    assert not is_signed_in(browser)
    assert not is_signed_in(browser_with(app, copied))
    assert browser_with(app, copied).get("/instellingen").status_code == 302


def test_signing_out_one_browser_leaves_the_others_signed_in(app: Flask) -> None:
    laptop, phone = signed_in(app, LEIDER), signed_in(app, LEIDER)
    post_form(laptop, "/afmelden", {}, form_page="/")
    assert not is_signed_in(laptop)
    assert is_signed_in(phone)


def test_signing_out_with_a_token_ends_that_token_and_its_copies_only(client: FlaskClient) -> None:
    laptop, script = token(client, LEIDER), token(client, LEIDER)

    response = client.post("/api/v1/auth/sign-out", headers=laptop)

    assert response.status_code == 204
    assert api_status(client, dict(laptop)) == 401  # a copy of the header is refused just the same
    assert client.post("/api/v1/auth/sign-out", headers=laptop).status_code == 401
    assert api_status(client, script) == 200


def test_a_cookie_without_a_server_side_session_is_asked_to_sign_in(app: Flask, runtime: Runtime) -> None:
    with runtime.transaction(write=False) as session:
        uid = session.scalar(select(User.id).where(User.email == LEIDER))
    browser = app.test_client()
    with browser.session_transaction() as cookie:  # a cookie as signed before sessions lived on the server
        cookie["uid"] = uid
    assert not is_signed_in(browser)
    with browser.session_transaction() as cookie:
        cookie["uid"], cookie["sid"] = uid, "made-up-session-id"
    assert not is_signed_in(browser)


def test_a_new_password_ends_every_other_session_and_token_of_that_user_only(
    app: Flask, client: FlaskClient, runtime: Runtime
) -> None:
    browser, other_browser = signed_in(app, LEIDER), signed_in(app, LEIDER)
    old_token = token(client, LEIDER)
    colleague, colleague_token = signed_in(app, PENVOERDER), token(client, PENVOERDER)

    response = change_password(browser, "demo", "nieuw-geheim")

    assert response.status_code == 302
    assert "Uw wachtwoord is gewijzigd" in text(browser.get(response.headers["Location"]))
    assert is_signed_in(browser)  # the person who changed it carries on
    assert not is_signed_in(other_browser)
    assert api_status(client, old_token) == 401
    assert client.get("/api/v1/tasks", headers=old_token).json["message"] == (
        "Het token is niet meer geldig; vraag een nieuw token aan."
    )
    assert is_signed_in(colleague) and api_status(client, colleague_token) == 200
    assert client.post("/api/v1/auth/token", json={"email": LEIDER, "password": "demo"}).status_code == 401
    assert api_status(client, token(client, LEIDER, "nieuw-geheim")) == 200
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(User.password_hash).where(User.email == LEIDER)).startswith("$argon2")
        actions = session.scalars(select(AuditEvent.actor_label).where(AuditEvent.action == "password_changed"))
        assert list(actions) == [LEIDER]


def test_a_wrong_current_password_or_two_different_new_ones_change_nothing(app: Flask, client: FlaskClient) -> None:
    browser, other_browser = signed_in(app, LEIDER), signed_in(app, LEIDER)
    old_token = token(client, LEIDER)

    wrong = change_password(browser, "fout", "nieuw-geheim")
    different = change_password(browser, "demo", "nieuw-geheim", "nieuw-gehiem")
    short = change_password(browser, "demo", "abc")

    assert [wrong.status_code, different.status_code, short.status_code] == [422, 422, 422]
    assert "Het huidige wachtwoord klopt niet." in text(wrong)
    assert "De twee nieuwe wachtwoorden zijn niet gelijk." in text(different)
    assert "Het wachtwoord moet minstens 12 tekens lang zijn." in text(short)
    assert "Er is niets opgeslagen" in text(short)
    assert is_signed_in(other_browser) and api_status(client, old_token) == 200
    assert client.post("/api/v1/auth/token", json={"email": LEIDER, "password": "demo"}).status_code == 200


def test_the_password_page_speaks_english_in_the_english_ui(app: Flask) -> None:
    browser = signed_in(app, LEIDER)
    post_form(browser, "/taal", {"lang": "en", "next": "/wachtwoord"}, form_page="/wachtwoord")
    assert "Current password" in text(browser.get("/wachtwoord"))
    assert "The current password is not correct." in text(change_password(browser, "fout", "nieuw-geheim"))


def test_the_password_form_needs_its_csrf_token(app: Flask) -> None:
    browser = signed_in(app, LEIDER)
    response = browser.post("/wachtwoord", data={"current": "demo", "new": "nieuw-geheim", "repeat": "nieuw-geheim"})
    assert response.status_code == 400
    assert api_status(app.test_client(), token(app.test_client(), LEIDER)) == 200  # still the old password


def test_a_deactivated_user_is_refused_at_once_and_stays_out_after_reactivation(
    app: Flask, client: FlaskClient, runtime: Runtime
) -> None:
    browser, api = signed_in(app, PENVOERDER), token(client, PENVOERDER)
    colleague = signed_in(app, LEIDER)
    admin = signed_in(app, DEMO_ADMIN)
    with runtime.transaction(write=False) as session:
        uid = session.scalar(select(User.id).where(User.email == PENVOERDER))

    post_form(admin, f"/beheer/gebruikers/{uid}/deactiveren", {}, form_page=f"/beheer/gebruikers/{uid}")

    assert not is_signed_in(browser) and api_status(client, api) == 401
    assert is_signed_in(colleague)
    post_form(admin, f"/beheer/gebruikers/{uid}/heractiveren", {}, form_page=f"/beheer/gebruikers/{uid}")
    # Reactivated, the person signs in afresh: the sessions of before stay ended.
    assert api_status(client, api) == 401
    assert api_status(client, token(client, PENVOERDER)) == 200


def test_set_password_on_the_command_line_ends_every_session_of_that_user(app: Flask, client: FlaskClient) -> None:
    browser, api = signed_in(app, LEIDER), token(client, LEIDER)
    colleague = signed_in(app, PENVOERDER)

    result = app.test_cli_runner().invoke(args=["set-password", LEIDER], input="sterk-geheim\nsterk-geheim\n")

    assert result.exit_code == 0, result.output
    assert "sterk-geheim" not in result.output  # asked for without echoing it
    assert not is_signed_in(browser) and api_status(client, api) == 401
    assert is_signed_in(colleague)
    assert api_status(client, token(client, LEIDER, "sterk-geheim")) == 200
    refused = app.test_cli_runner().invoke(args=["set-password", "niemand@demo.sto"], input="abcd\nabcd\n")
    assert refused.exit_code != 0 and "Er is geen gebruiker" in refused.output


def test_caught_mail_is_for_administrators_only(app: Flask, tmp_path: Any) -> None:
    app.config["STO_MAIL_CATCHALL_DIR"] = tmp_path
    projectleider, admin = signed_in(app, LEIDER), signed_in(app, DEMO_ADMIN)

    refused = projectleider.get("/dev/mail")

    assert refused.status_code == 403
    assert "Alleen beheerders kunnen de opgevangen mail lezen." in text(refused)
    assert "/dev/mail" not in text(projectleider.get("/"))
    assert projectleider.get("/dev/mail/iets.eml").status_code == 403
    assert admin.get("/dev/mail").status_code == 200
    assert "/dev/mail" in text(admin.get("/"))


def test_caught_mail_does_not_exist_in_production(runtime: Runtime) -> None:
    production = dataclasses.replace(runtime.settings, env="production")
    app = create_app(runtime=dataclasses.replace(runtime, settings=production))
    assert not [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/dev/")]
    client = app.test_client()
    assert client.get("/dev/mail").status_code == 404
    page = client.get("/aanmelden")
    assert page.status_code == 200 and csrf_token(client, "/aanmelden")


def test_other_sign_ins_clear_out_no_live_session_when_the_service_clock_moves(app: Flask, clock: Any) -> None:
    """Old session rows are cleaned up on the wall clock, as the cookie expires: days on the service's clock
    (timers, deadlines) sign nobody out."""
    browser = signed_in(app, LEIDER)
    clock.advance(days=9)
    signed_in(app, PENVOERDER)
    token(app.test_client(), PENVOERDER)
    assert is_signed_in(browser)
