"""Single sign-on in a real browser (Debian's chromium): the button on the sign-in page, the provider's own page
(oidc-provider-mock, see tests/sso/), and back in the inbox; a person who refuses at the provider is back on the
sign-in page with a message. Here rather than in tests/sso/ because the whole session shares one chromium."""

# ruff: noqa: F811 - the tests take the imported fixtures (provider, site) as arguments of the same name

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import TIMEOUT_MS, Screenshots

# The provider and the site on their servers become fixtures of this module by being imported into it.
from tests.sso.harness import (  # noqa: F401
    LEIDER,
    LEIDER_NAME,
    Provider,
    provider,
    provider_options,
    settings,
    site,
    site_server,
)

BUTTON = "Aanmelden met uw organisatie-account"


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    context = browser.new_context(base_url=site, locale="nl-NL", viewport={"width": 1100, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _to_provider(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Aanmelden bij STO Flow")).to_be_visible()
    page.get_by_role("link", name=BUTTON).click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()  # the provider's own page


def test_signing_in_with_the_organisation_account_in_a_browser(
    page: Page, provider: Provider, site: str, shot: Screenshots
) -> None:
    provider.set_user("pl-browser", email=LEIDER, email_verified=True, name="Pia Leider")
    page.goto("/aanmelden")
    expect(page.get_by_role("link", name=BUTTON)).to_be_visible()
    shot(page, "sign-in-page-with-button")

    _to_provider(page)
    assert page.url.startswith(f"{provider.url}/oauth2/authorize?")
    page.get_by_placeholder("sub").fill("pl-browser")
    shot(page, "at-the-provider")
    page.get_by_role("button", name="Authorize").click()

    expect(page.get_by_role("heading", level=1, name="Mijn taken")).to_be_visible()
    expect(page.locator("header")).to_contain_text(LEIDER_NAME)
    assert page.url == f"{site}/"
    shot(page, "signed-in-inbox")

    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_role("heading", level=1, name="Aanmelden bij STO Flow")).to_be_visible()


def test_refusing_at_the_provider_in_a_browser_ends_on_the_sign_in_page(
    page: Page, provider: Provider, shot: Screenshots
) -> None:
    _to_provider(page)
    page.get_by_role("button", name="Deny").click()

    expect(page.get_by_role("alert")).to_have_text(
        "U heeft het aanmelden bij uw organisatie afgebroken, of uw organisatie weigerde het."
    )
    expect(page.get_by_role("heading", level=1, name="Aanmelden bij STO Flow")).to_be_visible()
    assert re.search(r"/inloggen/sso/terug\?error=access_denied", page.url)
    shot(page, "refused-at-the-provider")
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Aanmelden bij STO Flow")).to_be_visible()  # no session
