"""A provider that sends no email (the scope asks only for openid): the person is told, and nobody signs in."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from service.settings import Settings
from service.web.runtime import Runtime
from tests.sso.harness import LEIDER, Provider, Walk
from tests.sso.test_provider_trouble import _nobody_signed_in
from tests.sso.test_sign_on import _error, _signed_out


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, oidc_scopes="openid")


def test_without_an_email_from_the_provider_nobody_is_signed_in(
    walk: Callable[[], Walk], provider: Provider, runtime: Runtime
) -> None:
    provider.set_user("pl-4", email=LEIDER, email_verified=True)  # known to the provider, but not sent
    visit = walk()

    page = visit.sign_in_as("pl-4")

    assert page.status_code == 403
    assert _error(page).startswith("Uw organisatie gaf geen e-mailadres door.")
    assert _signed_out(visit) and _nobody_signed_in(runtime)
