"""Single sign-on round trips against a real provider: who gets in (verified email, then the stored subject), who
is refused with a Dutch message and no session, and what a broken or refusing provider looks like."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import select

from service.models import AuditEvent, AuthSession, User
from service.web.runtime import Runtime
from tests.sso.harness import CLIENT_SECRET, LEIDER, LEIDER_NAME, TIMEOUT, Provider, Walk

INBOX_HEADING = "<h1>Mijn taken</h1>"
SIGN_IN_HEADING = "<h1>Aanmelden bij STO Flow</h1>"


def _user(runtime: Runtime, email: str) -> User:
    with runtime.transaction(write=False) as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        session.expunge(user)
        return user


def _web_sessions(runtime: Runtime, email: str) -> list[AuthSession]:
    with runtime.transaction(write=False) as session:
        rows = session.scalars(
            select(AuthSession).join(User, User.id == AuthSession.user_id).where(User.email == email)
        ).all()
        session.expunge_all()
        return list(rows)


def _signed_out(visit: Walk) -> bool:
    """Whether this visitor, asking for the inbox, is sent to the sign-in page."""
    home = visit.page("/")
    return SIGN_IN_HEADING in home.text and urlsplit(home.url).path == "/aanmelden"


def _error(page: requests.Response) -> str:
    found = re.search(r'<p class="flash error" role="alert">(.*?)</p>', page.text, re.DOTALL)
    assert found, page.text[:2000]
    return found.group(1).strip()


def test_a_verified_email_signs_in_to_the_inbox_links_the_subject_and_is_audited(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider.set_user("pl-0001", email="ProjectLeider@Demo.STO", email_verified=True, name="Pia Leider")
    visit = walk()

    page = visit.sign_in_as("pl-0001")

    assert page.status_code == 200 and urlsplit(page.url).path == "/"
    assert INBOX_HEADING in page.text and LEIDER_NAME in page.text
    assert _user(runtime, LEIDER).oidc_subject == "pl-0001"  # the email matched regardless of case
    [web_session] = _web_sessions(runtime, LEIDER)
    assert web_session.kind == "web" and web_session.ended_at is None  # the same kind of session a password makes
    with runtime.transaction(write=False) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "signed_in_sso")).one()
        assert (event.summary, event.actor_label) == ("ingelogd via SSO", LEIDER)
    assert "signed in via single sign-on" in caplog.text

    # Signing out works as after a password: the session ends on the server and the cookie no longer opens a page.
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    visit.http.post(f"{visit.site}/afmelden", data={"csrf_token": token.group(1)}, timeout=TIMEOUT)
    assert _signed_out(visit)
    assert _web_sessions(runtime, LEIDER)[0].ended_at is not None
    assert CLIENT_SECRET not in caplog.text and CLIENT_SECRET not in page.text


def test_the_next_sign_in_finds_the_person_by_subject_even_after_their_email_changed(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime
) -> None:
    provider.set_user("pl-0002", email=LEIDER, email_verified=True)
    assert INBOX_HEADING in walk().sign_in_as("pl-0002").text
    # At the provider the person now has another address, not even verified: the stored subject still finds them.
    provider.set_user("pl-0002", email="pia@nieuwe-school.nl", email_verified=False)

    page = walk().sign_in_as("pl-0002")

    assert INBOX_HEADING in page.text and LEIDER_NAME in page.text
    assert len(_web_sessions(runtime, LEIDER)) == 2


def test_the_page_asked_for_before_signing_in_is_where_the_person_lands(
    walk: Callable[[], Walk], provider: Provider
) -> None:
    provider.set_user("pl-0003", email=LEIDER, email_verified=True)
    page = walk().sign_in_as("pl-0003", next_page="/verzoeken")
    assert page.status_code == 200 and urlsplit(page.url).path == "/verzoeken"
    # An address elsewhere is not followed (no open redirect through the sign-in).
    page = walk().sign_in_as("pl-0003", next_page="https://elders.example/phish")
    assert urlsplit(page.url).netloc == urlsplit(walk().site).netloc and urlsplit(page.url).path == "/"


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        (
            {"email": LEIDER, "email_verified": False},
            "Uw e-mailadres is bij uw organisatie niet bevestigd. Bevestig het daar eerst, "
            "of meld u aan met uw wachtwoord.",
        ),
        ({"email": LEIDER}, "Uw e-mailadres is bij uw organisatie niet bevestigd."),  # not said is not verified
        (
            {"email": "onbekend@school.nl", "email_verified": True},
            "Er is geen account in STO Flow voor onbekend@school.nl. Een beheerder kan u uitnodigen.",
        ),
    ],
    ids=["unverified", "verification-missing", "unknown-email"],
)
def test_an_unverified_or_unknown_email_is_refused_without_a_session_or_a_link(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime, claims: dict[str, object], expected: str
) -> None:
    provider.set_user("x-1", **claims)
    visit = walk()

    page = visit.sign_in_as("x-1")

    assert page.status_code == 403 and SIGN_IN_HEADING in page.text
    assert _error(page).startswith(expected)
    assert _signed_out(visit)
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(User).where(User.oidc_subject == "x-1")) is None  # no account was made
        assert session.scalars(select(AuthSession)).all() == []


@pytest.mark.parametrize("how", ["deactivated", "anonymised"])
def test_an_inactive_or_anonymised_account_is_refused_also_when_already_linked(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime, how: str
) -> None:
    provider.set_user("pl-0004", email=LEIDER, email_verified=True)
    assert INBOX_HEADING in walk().sign_in_as("pl-0004").text  # linked while active
    with runtime.transaction(write=True) as session:
        user = session.scalar(select(User).where(User.email == LEIDER))
        assert user is not None
        if how == "deactivated":
            user.active = False
        else:
            user.anonymised_at = runtime.clock()
    visit = walk()

    page = visit.sign_in_as("pl-0004")

    assert page.status_code == 403
    assert _error(page) == "Uw account in STO Flow is niet actief. Vraag een beheerder om het weer te openen."
    assert _signed_out(visit)


def test_an_inactive_account_is_not_linked_by_its_email(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime
) -> None:
    with runtime.transaction(write=True) as session:
        user = session.scalar(select(User).where(User.email == LEIDER))
        assert user is not None
        user.active = False
    provider.set_user("pl-0005", email=LEIDER, email_verified=True)

    page = walk().sign_in_as("pl-0005")

    assert page.status_code == 403 and "niet actief" in _error(page)
    assert _user(runtime, LEIDER).oidc_subject is None


def test_a_second_provider_identity_cannot_take_over_a_linked_account(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime
) -> None:
    provider.set_user("pl-0006", email=LEIDER, email_verified=True)
    assert INBOX_HEADING in walk().sign_in_as("pl-0006").text
    provider.set_user("someone-else", email=LEIDER, email_verified=True)

    page = walk().sign_in_as("someone-else")

    assert page.status_code == 403
    assert _error(page).startswith("Dit account is al gekoppeld aan een ander organisatie-account.")
    assert _user(runtime, LEIDER).oidc_subject == "pl-0006"


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


def test_a_tampered_state_is_refused_and_a_callback_cannot_be_replayed(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime
) -> None:
    provider.set_user("pl-0007", email=LEIDER, email_verified=True)
    visit = walk()
    form = visit.to_provider()
    tampered = _with_query(form.url, state="door-een-aanvaller-gekozen")

    page = visit.http.post(tampered, data={"sub": "pl-0007"}, timeout=TIMEOUT)

    assert urlsplit(page.url).path == "/inloggen/sso/terug" and page.status_code == 400
    assert _error(page) == "Het aanmelden via uw organisatie is verlopen of ongeldig. Probeer het opnieuw."
    assert _signed_out(visit)
    assert _user(runtime, LEIDER).oidc_subject is None

    # A real answer, used once, then again (a copied address): the second time it is refused.
    other = walk()
    form = other.to_provider()
    back = other.http.post(form.url, data={"sub": "pl-0007"}, timeout=TIMEOUT, allow_redirects=False)
    callback_url = back.headers["Location"]
    assert INBOX_HEADING in other.http.get(callback_url, timeout=TIMEOUT).text
    assert other.http.get(callback_url, timeout=TIMEOUT).status_code == 400


def test_refusing_at_the_provider_ends_on_the_sign_in_page_with_a_message(walk: Callable[[], Walk]) -> None:
    visit = walk()

    page = visit.deny()

    assert urlsplit(page.url).path == "/inloggen/sso/terug" and "error=access_denied" in page.url
    assert page.status_code == 401 and SIGN_IN_HEADING in page.text
    assert _error(page) == "U heeft het aanmelden bij uw organisatie afgebroken, of uw organisatie weigerde het."
    assert _signed_out(visit)


def test_a_code_the_provider_does_not_know_ends_on_the_sign_in_page(
    walk: Callable[[], Walk], provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider.set_user("pl-0008", email=LEIDER, email_verified=True)
    visit = walk()
    form = visit.to_provider()
    back = visit.http.post(form.url, data={"sub": "pl-0008"}, timeout=TIMEOUT, allow_redirects=False)

    page = visit.http.get(_with_query(back.headers["Location"], code="verzonnen-code"), timeout=TIMEOUT)

    assert page.status_code == 502 and SIGN_IN_HEADING in page.text
    assert _error(page) == "Uw organisatie kon het aanmelden niet afronden. Probeer het opnieuw."
    assert _signed_out(visit)
    assert CLIENT_SECRET not in caplog.text and CLIENT_SECRET not in page.text


def test_every_sign_on_page_keeps_the_client_secret_out_of_pages_and_logs(
    walk: Callable[[], Walk], provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider.set_user("pl-0009", email=LEIDER, email_verified=True)
    provider.set_user("x-2", email="onbekend@school.nl", email_verified=True)
    visit = walk()
    pages = [visit.page("/aanmelden"), visit.to_provider(), walk().deny(), walk().sign_in_as("x-2")]
    pages.append(visit.sign_in_as("pl-0009"))
    assert INBOX_HEADING in pages[-1].text  # the walk really went through
    for page in pages:
        assert CLIENT_SECRET not in page.text
        assert CLIENT_SECRET not in str(page.headers)
    assert caplog.records and CLIENT_SECRET not in caplog.text
