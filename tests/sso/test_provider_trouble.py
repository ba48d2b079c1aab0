"""When the provider is down or sends an ID token that does not hold up (another issuer, another audience,
expired), the person ends on the sign-in page with a Dutch message, never a 500, and nobody is signed in."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from service.models import AuthSession, User
from service.web.runtime import Runtime
from tests.sso.harness import LEIDER, TIMEOUT, Provider, TokenTamper, Walk
from tests.sso.test_sign_on import INBOX_HEADING, SIGN_IN_HEADING, _error, _signed_out

UNREACHABLE = "Uw organisatie is nu niet bereikbaar. Probeer het later opnieuw."
NOT_FINISHED = "Uw organisatie kon het aanmelden niet afronden. Probeer het opnieuw."


def _nobody_signed_in(runtime: Runtime) -> bool:
    with runtime.transaction(write=False) as session:
        return session.scalars(select(AuthSession)).all() == []


def test_the_request_to_the_provider_carries_state_nonce_and_a_pkce_challenge(walk: Callable[[], Walk]) -> None:
    form = walk().to_provider()
    query = {key: values[0] for key, values in parse_qs(urlsplit(form.url).query).items()}
    assert query["response_type"] == "code" and query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43  # base64url of SHA-256
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    assert query["redirect_uri"] == f"{walk().site}/inloggen/sso/terug"
    other = {key: values[0] for key, values in parse_qs(urlsplit(walk().to_provider().url).query).items()}
    assert {other["state"], other["nonce"], other["code_challenge"]}.isdisjoint(query.values())  # fresh each time


def test_a_provider_that_is_down_before_the_button_is_pressed(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime
) -> None:
    provider.stop()
    visit = walk()

    page = visit.page("/inloggen/sso")

    assert page.status_code == 502 and SIGN_IN_HEADING in page.text
    assert _error(page) == UNREACHABLE
    assert _signed_out(visit) and _nobody_signed_in(runtime)


def test_a_provider_that_goes_down_before_the_code_is_exchanged(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime
) -> None:
    provider.set_user("pl-1", email=LEIDER, email_verified=True)
    visit = walk()
    form = visit.to_provider()
    back = visit.http.post(form.url, data={"sub": "pl-1"}, timeout=TIMEOUT, allow_redirects=False)
    provider.stop()

    page = visit.http.get(back.headers["Location"], timeout=TIMEOUT)

    assert page.status_code == 502 and SIGN_IN_HEADING in page.text
    assert _error(page) == UNREACHABLE
    assert _signed_out(visit) and _nobody_signed_in(runtime)


def _sign_in_through(walk: Callable[[], Walk], provider: Provider) -> tuple[Walk, requests.Response]:
    provider.set_user("pl-2", email=LEIDER, email_verified=True)
    visit = walk()
    return visit, visit.sign_in_as("pl-2")


def test_an_id_token_from_another_issuer_is_refused(
    walk: Callable[[], Walk],
    provider: Provider,
    token_tamper: TokenTamper,
    runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token_tamper.host = "aanvaller.example"  # the provider signs the token as issuer http://aanvaller.example

    visit, page = _sign_in_through(walk, provider)

    assert page.status_code == 502 and _error(page) == NOT_FINISHED
    assert "Invalid claim: 'iss'" in caplog.text  # refused for its issuer, not for something else on the way
    assert _signed_out(visit) and _nobody_signed_in(runtime)
    with runtime.transaction(write=False) as session:
        assert session.scalar(select(User.oidc_subject).where(User.email == LEIDER)) is None


def test_an_id_token_for_another_client_is_refused(
    walk: Callable[[], Walk],
    provider: Provider,
    token_tamper: TokenTamper,
    runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token_tamper.client_id = "een-andere-app"  # the token's audience is another application

    visit, page = _sign_in_through(walk, provider)

    assert page.status_code == 502 and _error(page) == NOT_FINISHED
    assert "Invalid claim: 'aud'" in caplog.text
    assert _signed_out(visit) and _nobody_signed_in(runtime)


def test_the_same_walk_without_tampering_does_sign_in(
    walk: Callable[[], Walk], provider: Provider, token_tamper: TokenTamper
) -> None:
    # The control for the two tests above: the tamper in between changes nothing by itself.
    _visit, page = _sign_in_through(walk, provider)
    assert INBOX_HEADING in page.text
