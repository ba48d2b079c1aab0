"""Single sign-on fixtures, kept in harness.py so the browser walk in tests/e2e (which must share that directory's
one chromium) can use them too."""

from tests.sso.harness import (  # noqa: F401
    provider,
    provider_options,
    settings,
    site,
    site_server,
    token_tamper,
    walk,
)
