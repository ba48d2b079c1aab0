"""The password policy (at least 12 characters, and not easy to guess by zxcvbn's estimate) holds wherever a password
is set: one's own new password, an administrator's new user, the command line and a one-time link. The demo
accounts keep their password 'demo', set past the policy by the demo loader only."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.domain import demo, password_links
from service.models import OutboxEmail, User
from service.settings import ROOT
from service.web.runtime import Runtime
from tests.conftest import FakeClock
from tests.web.pages import csrf_token, post_form, signed_in, text

LEIDER = "projectleider@demo.sto"
TOO_SHORT = "Het wachtwoord moet minstens 12 tekens lang zijn."
TOO_EASY = "Dit wachtwoord is te makkelijk te raden; gebruik bijvoorbeeld een zin van vier woorden."
PERSONAL = (
    "Dit wachtwoord is te makkelijk te raden, want het bevat de naam of het e-mailadres. "
    "Gebruik bijvoorbeeld een zin van vier woorden."
)
STRONG = "lantaarn-kievit-zeilboot"
# (password, what the user reads): long enough but common, a keyboard row, repeats, and the user's own address.
WEAK = [("wachtwoord12", TOO_EASY), ("qwertyuiopas", TOO_EASY), ("abcabcabcabc", TOO_EASY), ("abc", TOO_SHORT)]


def field_error(page: str, name: str) -> str | None:
    """The message shown next to a form field (the people pages' and the password pages' markup)."""
    found = re.search(rf'<p class="error" id="fout-{name}">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else None


def can_sign_in(app: Flask, email: str, password: str) -> bool:
    client = app.test_client()
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/aanmelden")}
    return client.post("/aanmelden", data=data).status_code == 302


@pytest.mark.parametrize(("weak", "message"), WEAK)
def test_changing_ones_own_password_refuses_a_short_or_easy_one_with_a_dutch_hint(
    app: Flask, weak: str, message: str
) -> None:
    browser = signed_in(app, LEIDER)
    refused = post_form(browser, "/wachtwoord", {"current": "demo", "new": weak, "repeat": weak})

    assert refused.status_code == 422
    assert field_error(text(refused), "new") == message
    assert can_sign_in(app, LEIDER, "demo") and not can_sign_in(app, LEIDER, weak)


def test_a_password_made_of_ones_own_name_or_address_is_refused_and_says_so(app: Flask) -> None:
    browser = signed_in(app, LEIDER)
    for guessable in ("projectleider2026", "Projectleider Demo-regio"):
        refused = post_form(browser, "/wachtwoord", {"current": "demo", "new": guessable, "repeat": guessable})
        assert refused.status_code == 422 and field_error(text(refused), "new") == PERSONAL

    accepted = post_form(browser, "/wachtwoord", {"current": "demo", "new": STRONG, "repeat": STRONG})
    assert accepted.status_code == 302
    assert can_sign_in(app, LEIDER, STRONG) and not can_sign_in(app, LEIDER, "demo")


def test_changing_ones_own_password_is_reached_from_my_settings_and_explains_the_rule(app: Flask) -> None:
    settings = text(signed_in(app, LEIDER).get("/instellingen"))
    assert 'href="/wachtwoord"' in settings and "Wachtwoord wijzigen" in settings
    form = text(signed_in(app, LEIDER).get("/wachtwoord"))
    assert "Minstens 12 tekens, en niet makkelijk te raden: een zin van vier woorden werkt goed." in form


@pytest.mark.parametrize(("weak", "message"), WEAK)
def test_an_administrators_new_user_with_a_weak_password_is_refused_and_not_saved(
    app: Flask, runtime: Runtime, weak: str, message: str
) -> None:
    admin = signed_in(app, demo.DEMO_ADMIN)
    form = {"name": "Anna de Vries", "email": "anna@twente.nl", "method": "password", "password": weak}
    refused = post_form(admin, "/beheer/gebruikers/nieuw", form)

    assert refused.status_code == 422 and field_error(text(refused), "password") == message
    assert 'value="anna@twente.nl"' in text(refused)  # what was typed stays
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(User).where(User.email == "anna@twente.nl")) is None


def test_an_administrator_cannot_give_a_new_user_a_password_made_of_their_name(app: Flask) -> None:
    admin = signed_in(app, demo.DEMO_ADMIN)
    form = {"name": "Anna de Vries", "email": "anna@twente.nl", "method": "password", "password": "AnnaDeVries2026"}
    refused = post_form(admin, "/beheer/gebruikers/nieuw", form)
    assert refused.status_code == 422 and field_error(text(refused), "password") == PERSONAL

    accepted = post_form(admin, "/beheer/gebruikers/nieuw", {**form, "password": STRONG})
    assert accepted.status_code == 302 and can_sign_in(app, "anna@twente.nl", STRONG)


def test_the_command_line_refuses_a_weak_password_for_set_password_and_create_user(app: Flask) -> None:
    cli = app.test_cli_runner()
    weak = cli.invoke(args=["set-password", LEIDER], input="wachtwoord12\nwachtwoord12\n")
    assert weak.exit_code != 0 and TOO_EASY in weak.output
    assert can_sign_in(app, LEIDER, "demo")

    short = cli.invoke(args=["create-user", "--email", "anna@twente.nl", "--name", "Anna"], input="abc\nabc\n")
    assert short.exit_code != 0 and TOO_SHORT in short.output
    assert not can_sign_in(app, "anna@twente.nl", "abc")

    strong = cli.invoke(args=["set-password", LEIDER], input=f"{STRONG}\n{STRONG}\n")
    assert strong.exit_code == 0, strong.output
    assert can_sign_in(app, LEIDER, STRONG) and not can_sign_in(app, LEIDER, "demo")


def test_a_one_time_link_refuses_a_weak_password_and_keeps_working(
    app: Flask, client: FlaskClient, runtime: Runtime, clock: FakeClock
) -> None:
    with runtime.transaction(write=True) as session:
        user = session.scalar(select(User).where(User.email == LEIDER))
        password_links.request_new_password(session, email=LEIDER, now=clock())
        body = session.scalars(select(OutboxEmail.body_text).where(OutboxEmail.user_id == user.id)).one()
    link = re.search(r"(/account/wachtwoord/[0-9]+-[A-Za-z0-9_-]+)", body)
    assert link

    refused = post_form(client, link[1], {"new": "wachtwoord12", "repeat": "wachtwoord12"})
    assert refused.status_code == 422 and TOO_EASY in text(refused)
    assert client.get(link[1]).status_code == 200  # not used up by the refusal

    chosen = post_form(client, link[1], {"new": STRONG, "repeat": STRONG})
    assert chosen.status_code == 302 and can_sign_in(app, LEIDER, STRONG)


def test_every_demo_account_still_signs_in_with_demo(app: Flask, runtime: Runtime) -> None:
    with runtime.transaction(write=False) as session:
        emails = list(session.scalars(select(User.email).where(User.active.is_(True))))
    assert len(emails) == 11 and demo.DEMO_ADMIN in emails and demo.DEMO_PROCESS_OWNER in emails
    assert all(can_sign_in(app, email, demo.DEMO_PASSWORD) for email in emails)


def test_only_the_demo_loader_creates_users_past_the_policy() -> None:
    callers = set()
    for path in (ROOT / "service").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
            if name in ("create_user_bypassing_password_policy", "create_demo_user", "load_demo_data"):
                callers.add((str(Path(path).relative_to(ROOT)), name))
    # Demo loading is `flask setup`'s, into an empty database and never in production: no request reaches it.
    assert callers == {
        ("service/domain/demo.py", "create_user_bypassing_password_policy"),
        ("service/domain/demo.py", "create_demo_user"),
        ("service/cli.py", "load_demo_data"),
    }
